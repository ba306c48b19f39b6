/**
 * Training configuration and its validation. The params of training (`train.*`, `loss.*`) are
 * declared once, with their defaults, in learn/train/params.ts and learn/losses/params.ts: the
 * config carries them under the same names the CLI uses (`cfg.train.clip` is `train.clip`).
 * @module
 */
import { checkParam, groupDefaults, isSpec, type ParamSchema } from "../../pipeline/params.ts";
import type { SegmenterConfig } from "../net/types.ts";
import { LOSS_PARAMS, type LossParams } from "../losses/params.ts";
import { TRAIN_PARAMS, type TrainParams } from "./params.ts";

export type { TrajectoryLossVariant as TrajectoryVariant } from "../losses/params.ts";

/** Constants of the reference recipe that are not params (no experiment varies them). */
export const TRAIN_INTERNALS: Readonly<TrainInternals> = {
  /** Frame offset of the second half of a group and of Lr. */
  offset: 5,
  /** Exponent of the polynomial decay after warm-up. */
  lrPower: 0.9,
  /** Horizontal flip probability. */
  flipProb: 0.5,
  /** Tracks per Lr frame pair. */
  numTemporalTracks: 1000,
};

/** The training constants that are not params (tests set smaller ones). */
export interface TrainInternals {
  offset: number;
  lrPower: number;
  flipProb: number;
  numTemporalTracks: number;
}

/** Configuration of {@link train}. Omitted `train`/`loss` values take the schema's defaults. */
export interface TrainConfig {
  /** Network; `inputHeight`/`inputWidth` is the resolution masks are predicted at. */
  net: SegmenterConfig;
  /** `runtime.seed`: batch sampling and flips (the net init uses `net.seed`). */
  seed: number;
  /** `flow.gaps`: {1,2} for DAVIS/SegTrackv2, {3,6} for FBMS. */
  gaps: readonly number[];
  /** `train.*` params (learn/train/params.ts). */
  train?: Partial<TrainParams>;
  /** `loss.*` params (learn/losses/params.ts). */
  loss?: Partial<LossParams>;
  /** Overrides of {@link TRAIN_INTERNALS} (tests). */
  internals?: Partial<TrainInternals>;
  /** Directory for checkpoints; none written when absent. */
  checkpointDir?: string;
  /** Resume from `checkpointDir` when it holds a checkpoint (true). */
  resume?: boolean;
}

/** A config with every default filled in. */
export interface ResolvedTrainConfig {
  net: Required<SegmenterConfig>;
  seed: number;
  gaps: readonly number[];
  train: TrainParams;
  loss: LossParams;
  internals: TrainInternals;
  checkpointDir: string | null;
  resume: boolean;
}

function checkGroup(group: ParamSchema, prefix: string, values: Record<string, unknown>): void {
  for (const [k, spec] of Object.entries(group)) {
    if (isSpec(spec)) checkParam(`${prefix}.${k}`, spec, values[k], "train config");
  }
}

/** Fill defaults and validate; throws naming the bad field (by its param name). */
export function resolveTrainConfig(cfg: TrainConfig): ResolvedTrainConfig {
  const r: ResolvedTrainConfig = {
    net: { norm: "batch", ...cfg.net },
    seed: cfg.seed,
    gaps: cfg.gaps,
    train: { ...groupDefaults(TRAIN_PARAMS), ...cfg.train },
    loss: { ...groupDefaults(LOSS_PARAMS), ...cfg.loss },
    internals: { ...TRAIN_INTERNALS, ...cfg.internals },
    checkpointDir: cfg.checkpointDir ?? null,
    resume: cfg.resume ?? true,
  };
  checkGroup(TRAIN_PARAMS, "train", r.train);
  checkGroup(LOSS_PARAMS, "loss", r.loss);
  if (r.train.steps < 1) {
    throw new RangeError(`train config: train.steps must be ≥ 1, got ${r.train.steps}`);
  }
  const { offset, numTemporalTracks, flipProb } = r.internals;
  for (const [k, v] of [["offset", offset], ["numTemporalTracks", numTemporalTracks]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`train config: ${k} must be a positive integer, got ${v}`);
    }
  }
  if (r.gaps.length === 0 || r.gaps.some((g) => !Number.isInteger(g) || g < 1)) {
    throw new RangeError(`train config: gaps must be positive integers, got [${r.gaps}]`);
  }
  if (!(flipProb >= 0 && flipProb <= 1)) {
    throw new RangeError(`train config: flipProb must be in [0, 1], got ${flipProb}`);
  }
  if (!r.loss.flow && !r.loss.trajectory && !r.loss.temporal) {
    throw new RangeError("train config: all loss terms are disabled");
  }
  return r;
}
