/**
 * Loss weights and the temporal-loss ramp (PAPER.md: L = λf·Lf + λt·Lt + λr·s(it)·Lr).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** Default weights and ramp length of the reference. */
export interface LossWeights {
  /** λf, flow loss weight. */
  lambdaFlow: number;
  /** λt, trajectory loss weight (small: coordinates are in pixels). */
  lambdaTraj: number;
  /** λr, temporal loss weight (multiplied by the ramp s(it)). */
  lambdaTemporal: number;
  /**
   * Iterations over which s(it) ramps from 0.001 to 1. Reference: 160 000 — but the reference
   * trains only 20 000 iterations, so its ramp never completes (s ends at ≈ 0.126). Kept as
   * the faithful default; set it to the run length to make the ramp complete.
   */
  rampIters: number;
}

/** The reference's values. */
export const LOSS_DEFAULTS: Readonly<LossWeights> = Object.freeze({
  lambdaFlow: 0.03,
  lambdaTraj: 5e-5,
  lambdaTemporal: 0.1,
  rampIters: 160_000,
});

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
  if (terms.traj) parts.push([terms.traj, w.lambdaTraj]);
  if (terms.temporal) {
    parts.push([terms.temporal, w.lambdaTemporal * temporalRamp(it, w.rampIters)]);
  }
  if (parts.length === 0) throw new RangeError("learn/losses/schedule.ts: no loss term given");
  return tf.tidy(() => tf.addN(parts.map(([t, l]) => tf.mul(t, l))) as tf.Scalar);
}
