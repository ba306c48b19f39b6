/**
 * Training configuration with documented defaults (the reference UNet variant of the paper,
 * scaled to CPU), and its validation.
 * @module
 */
import type { SegmenterConfig } from "../net/types.ts";
import { LOSS_DEFAULTS } from "../losses/schedule.ts";
import { PAPER_TRACKS } from "../losses/units.ts";

/** Lt formulation (see learn/losses). */
export type TrajectoryVariant = "tail" | "nuclear" | "squared-tail" | "normalised-tail";

/** One loss term: on/off switch and weight. */
export interface LossTerm {
  enabled: boolean;
  weight: number;
}

/** Configuration of {@link train}. Optional fields take the defaults in `TRAIN_DEFAULTS`. */
export interface TrainConfig {
  /** Network; `inputHeight`/`inputWidth` is the resolution masks are predicted at. */
  net: SegmenterConfig;
  /** Number of optimiser steps. */
  iterations: number;
  /** Seed of batch sampling and flips (the net init uses `net.seed`). */
  seed?: number;
  /** 4-frame groups per batch (batch = 4 × groups frames); reference 2 (DINO) / 4 (UNet). */
  groups?: number;
  /** Flow gaps g; {1,2} for DAVIS/SegTrackv2, {3,6} for FBMS. */
  gaps?: number[];
  /** Frame offset of the second half of a group and of Lr (5). */
  offset?: number;
  /** Peak learning rate (reference UNet: 7e-4). */
  lr?: number;
  /** Linear warm-up iterations (reference 1500). */
  warmup?: number;
  /** Exponent of the polynomial decay after warm-up (0.9). */
  lrPower?: number;
  /** AdamW decoupled weight decay (0.01). */
  weightDecay?: number;
  /** Global gradient-norm clip (reference UNet: 5). */
  gradClip?: number;
  /** Horizontal flip probability (0.5). */
  flipProb?: number;
  /** Negate u when flipping flow (true); false reproduces the reference quirk. */
  flipNegatesU?: boolean;
  /** Tracks per frame for Lt (reference 70 000; small on CPU). */
  numTracks?: number;
  /** Tracks per Lr frame pair. */
  numTemporalTracks?: number;
  /** Lt context half-length c (T = 2c + 1 frames); 20. */
  context?: number;
  /** Flow clip in pixels of the 854×480 frame (20), the units Lf is computed in. */
  flowClip?: number;
  /**
   * Lf term; weight λf = 0.03. Computed at the working frame's resolution (masks upsampled)
   * with flow in pixels of the 854×480 frame, as the paper.
   */
  flow?: Partial<LossTerm>;
  /**
   * Lt term; weight λt = 5e-5, rank r = 5, variant `tail`; coordinates in pixels of the
   * 854×480 frame. `referenceTracks` (70 000, the paper's N): Lt is rescaled as if that many
   * tracks were used (σ ∝ √N, `trajectoryLoss`'s `trackScale` = referenceTracks / numTracks);
   * 0 keeps the raw value over `numTracks`.
   */
  trajectory?: Partial<LossTerm> & {
    rank?: number;
    variant?: TrajectoryVariant;
    referenceTracks?: number;
  };
  /** Lr term; weight λr = 0.1, ramped over `rampIters` (160 000). */
  temporal?: Partial<LossTerm> & { rampIters?: number };
  /** Directory for checkpoints; none written when absent. */
  checkpointDir?: string;
  /** Checkpoint period in steps (250). */
  checkpointEvery?: number;
  /** Resume from `checkpointDir` when it holds a checkpoint (true). */
  resume?: boolean;
}

/** A config with every default filled in. */
export interface ResolvedTrainConfig {
  net: Required<SegmenterConfig>;
  iterations: number;
  seed: number;
  groups: number;
  gaps: number[];
  offset: number;
  lr: number;
  warmup: number;
  lrPower: number;
  weightDecay: number;
  gradClip: number;
  flipProb: number;
  flipNegatesU: boolean;
  numTracks: number;
  numTemporalTracks: number;
  context: number;
  flowClip: number;
  flow: LossTerm;
  trajectory: LossTerm & { rank: number; variant: TrajectoryVariant; referenceTracks: number };
  temporal: LossTerm & { rampIters: number };
  checkpointDir: string | null;
  checkpointEvery: number;
  resume: boolean;
}

/** Fill defaults and validate; throws `RangeError`/`TypeError` naming the bad field. */
export function resolveTrainConfig(cfg: TrainConfig): ResolvedTrainConfig {
  const r: ResolvedTrainConfig = {
    net: { norm: "batch", ...cfg.net },
    iterations: cfg.iterations,
    seed: cfg.seed ?? 0,
    groups: cfg.groups ?? 2,
    gaps: cfg.gaps ?? [1, 2],
    offset: cfg.offset ?? 5,
    lr: cfg.lr ?? 7e-4,
    warmup: cfg.warmup ?? 1500,
    lrPower: cfg.lrPower ?? 0.9,
    weightDecay: cfg.weightDecay ?? 0.01,
    gradClip: cfg.gradClip ?? 5,
    flipProb: cfg.flipProb ?? 0.5,
    flipNegatesU: cfg.flipNegatesU ?? true,
    numTracks: cfg.numTracks ?? 2000,
    numTemporalTracks: cfg.numTemporalTracks ?? 1000,
    context: cfg.context ?? 20,
    flowClip: cfg.flowClip ?? 20,
    flow: { enabled: true, weight: LOSS_DEFAULTS.lambdaFlow, ...cfg.flow },
    trajectory: {
      enabled: true,
      weight: LOSS_DEFAULTS.lambdaTraj,
      rank: 5,
      variant: "tail",
      referenceTracks: PAPER_TRACKS,
      ...cfg.trajectory,
    },
    temporal: {
      enabled: true,
      weight: LOSS_DEFAULTS.lambdaTemporal,
      rampIters: LOSS_DEFAULTS.rampIters,
      ...cfg.temporal,
    },
    checkpointDir: cfg.checkpointDir ?? null,
    checkpointEvery: cfg.checkpointEvery ?? 250,
    resume: cfg.resume ?? true,
  };
  const posInt: [string, number][] = [
    ["iterations", r.iterations],
    ["groups", r.groups],
    ["offset", r.offset],
    ["numTracks", r.numTracks],
    ["numTemporalTracks", r.numTemporalTracks],
    ["checkpointEvery", r.checkpointEvery],
    ["trajectory.rank", r.trajectory.rank],
  ];
  for (const [k, v] of posInt) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`train config: ${k} must be a positive integer, got ${v}`);
    }
  }
  const ref = r.trajectory.referenceTracks;
  if (!Number.isInteger(ref) || ref < 0) {
    throw new RangeError(
      `train config: trajectory.referenceTracks must be an integer >= 0, got ${ref}`,
    );
  }
  if (!Number.isInteger(r.context) || r.context < 0) {
    throw new RangeError(`train config: context must be an integer >= 0, got ${r.context}`);
  }
  if (r.gaps.length === 0 || r.gaps.some((g) => !Number.isInteger(g) || g < 1)) {
    throw new RangeError(`train config: gaps must be positive integers, got [${r.gaps}]`);
  }
  for (const [k, v] of [["lr", r.lr], ["gradClip", r.gradClip], ["flowClip", r.flowClip]]) {
    if (!((v as number) > 0)) throw new RangeError(`train config: ${k} must be > 0, got ${v}`);
  }
  if (!(r.flipProb >= 0 && r.flipProb <= 1)) {
    throw new RangeError(`train config: flipProb must be in [0, 1], got ${r.flipProb}`);
  }
  if (!Number.isInteger(r.warmup) || r.warmup < 0) {
    throw new RangeError(`train config: warmup must be an integer >= 0, got ${r.warmup}`);
  }
  if (!r.flow.enabled && !r.trajectory.enabled && !r.temporal.enabled) {
    throw new RangeError("train config: all loss terms are disabled");
  }
  return r;
}
