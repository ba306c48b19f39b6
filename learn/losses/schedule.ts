/**
 * Loss weights and the temporal-loss ramp (PAPER.md: L = λf·Lf + λt·Lt + λr·s(it)·Lr).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { groupDefaults } from "../../pipeline/params.ts";
import { LOSS_PARAMS, type LossParams } from "./params.ts";

/** The weights λ and the ramp length of the loss (names, defaults and meaning: `LOSS_PARAMS`). */
export type LossWeights = Pick<
  LossParams,
  "lambdaFlow" | "lambdaTrajectory" | "lambdaTemporal" | "rampIters"
>;

/** The reference's values (the defaults of `LOSS_PARAMS`). */
export const LOSS_DEFAULTS: Readonly<LossWeights> = Object.freeze(groupDefaults(LOSS_PARAMS));

/** s(it) = 0.001 + 0.999·min(it / rampIters, 1). */
export function temporalRamp(it: number, rampIters: number = LOSS_DEFAULTS.rampIters): number {
  if (!(rampIters > 0)) {
    throw new RangeError(`learn/losses/schedule.ts: rampIters must be > 0, got ${rampIters}`);
  }
  return 0.001 + 0.999 * Math.min(Math.max(it, 0) / rampIters, 1);
}

/** Individual loss terms; any may be omitted (ablations). */
export interface LossTerms {
  flow?: tf.Scalar;
  traj?: tf.Scalar;
  temporal?: tf.Scalar;
}

/**
 * λf·Lf + λt·Lt + λr·s(it)·Lr over the terms given. Returns a new scalar (the terms are not
 * disposed); throws if no term is given.
 */
export function lrtlLoss(
  terms: LossTerms,
  it: number,
  weights: Partial<LossWeights> = {},
): tf.Scalar {
  const w = { ...LOSS_DEFAULTS, ...weights };
  const parts: [tf.Scalar, number][] = [];
  if (terms.flow) parts.push([terms.flow, w.lambdaFlow]);
  if (terms.traj) parts.push([terms.traj, w.lambdaTrajectory]);
  if (terms.temporal) {
    parts.push([terms.temporal, w.lambdaTemporal * temporalRamp(it, w.rampIters)]);
  }
  if (parts.length === 0) throw new RangeError("learn/losses/schedule.ts: no loss term given");
  return tf.tidy(() => tf.addN(parts.map(([t, l]) => tf.mul(t, l))) as tf.Scalar);
}
