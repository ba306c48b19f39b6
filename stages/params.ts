/**
 * Every parameter of the pipeline, grouped by stage, with its default and what it means.
 * Profiles are override layers on top of these defaults.
 * @module
 */
import { p, type ParamCheck, type ParamSchema } from "../pipeline/mod.ts";
import { BACKEND_NAMES } from "../learn/backend_choice.ts";

export const BACKENDS = BACKEND_NAMES;
export const FLOW_ESTIMATORS = ["dis", "farneback", "gt"] as const;
export const TRACKERS = ["flow-chain", "klt", "gt"] as const;
export const LOSS_VARIANTS = ["tail", "nuclear", "squared-tail", "normalised-tail"] as const;

export const SCHEMA = {
  runtime: {
    backend: p.str(
      "auto",
      BACKENDS,
      "tfjs backend for training and inference (auto: tensorflow-gpu, tensorflow or wasm, " +
        "whichever is built; resolved before cache keys are computed)",
    ),
    seed: p.int(0, { doc: "seed of network init, batch sampling and augmentation" }),
  },
  data: {
    preset: p.str("default", ["smoke", "default"], "synthetic video preset"),
    seed: p.int(7, { doc: "seed of the synthetic video generator" }),
    width: p.int(256, { min: 16, doc: "working frame width (px)" }),
    height: p.int(144, { min: 16, doc: "working frame height (px)" }),
    maxFrames: p.int(0, { min: 0, doc: "frames per sequence (0 = all)" }),
  },
  flow: {
    estimator: p.str(
      "dis",
      FLOW_ESTIMATORS,
      "optical-flow estimator (falls back to farneback if DIS is not built)",
    ),
    gaps: p.ints([1, 2], "frame gaps of forward/backward flow (each ≥ 1)"),
  },
  tracks: {
    tracker: p.str("flow-chain", TRACKERS, "point tracker"),
    stride: p.int(6, { min: 1, doc: "query grid stride (px), queried at every frame" }),
  },
  model: {
    arch: p.str(
      "unet",
      ["unet", "unet-small", "encdec"],
      "segmentation network (encdec: no skip connections)",
    ),
    width: p.int(16, { min: 4, doc: "base channels" }),
    depth: p.int(3, { min: 1, max: 6, doc: "resolution levels" }),
    k: p.int(4, { min: 2, max: 8, doc: "mask components K" }),
    inputWidth: p.int(112, { min: 16, doc: "network input width (px)" }),
    inputHeight: p.int(64, { min: 16, doc: "network input height (px)" }),
  },
  train: {
    steps: p.int(150, { min: 0, doc: "training iterations" }),
    groups: p.int(1, { min: 1, doc: "4-frame groups per batch" }),
    lr: p.num(7e-4, { above: 0, doc: "AdamW learning rate (UNet reference value)" }),
    weightDecay: p.num(0.01, { min: 0, doc: "AdamW decoupled weight decay" }),
    warmup: p.int(50, { min: 0, doc: "linear warm-up iterations" }),
    clip: p.num(5, { above: 0, doc: "gradient-norm clip (UNet reference value)" }),
    tracks: p.int(2048, { min: 16, doc: "trajectories N per frame in Lt" }),
    context: p.int(20, { min: 1, doc: "half-window c of Lt (T = 2c + 1)" }),
    flipNegatesU: p.bool(true, "horizontal flip negates flow u (the reference does not: quirk)"),
    checkpointEvery: p.int(100, {
      min: 1,
      doc: "write a training checkpoint every n steps (where a killed run resumes)",
    }),
    valEvery: p.int(50, {
      min: 0,
      doc: "score J on the scored frames every N steps as a curve (USES LABELS, chooses " +
        "nothing by default; 0 = off)",
    }),
    selectByVal: p.bool(
      false,
      "keep the checkpoint with the best val J instead of the last (the reference's recipe; " +
        "USES LABELS)",
    ),
  },
  loss: {
    flow: p.bool(true, "use Lf"),
    trajectory: p.bool(true, "use Lt"),
    temporal: p.bool(true, "use Lr"),
    lambdaFlow: p.num(0.03, {
      min: 0,
      doc: "weight λf of Lf (paper: 0.03); Lf in 854×480-frame px",
    }),
    lambdaTrajectory: p.num(5e-5, {
      min: 0,
      doc: "weight λt of Lt (paper: 5e-5); Lt in 854×480-frame px, rescaled to trajectoryTracks",
    }),
    lambdaTemporal: p.num(0.1, {
      min: 0,
      doc: "weight λr of Lr, times the ramp s(it) (paper: 0.1)",
    }),
    rampIters: p.int(160000, {
      min: 1,
      doc: "Lr ramp length (reference quirk: 160k while training 20k)",
    }),
    rank: p.int(5, {
      min: 1,
      max: 64,
      doc: "rank r of Lt: singular values past the r-th are penalised (paper: 5; below 2T)",
    }),
    variant: p.str("tail", LOSS_VARIANTS, "trajectory-loss formulation"),
    trajectoryTracks: p.int(70000, {
      min: 0,
      doc:
        "Lt is rescaled as if this many tracks were used (σ ∝ √N; the paper's 70 000); 0 = raw N",
    }),
    flowClip: p.num(20, {
      above: 0,
      doc: "flow clip (px of the 854×480 frame, the units of Lf)",
    }),
  },
  eval: {
    merge: p.str(
      "motion",
      ["motion", "colour"],
      "K→2 merge used for the headline J (oracle always reported)",
    ),
  },
  cluster: {
    restarts: p.int(6, { min: 1, doc: "LRTL-direct random restarts" }),
    rank: p.int(3, {
      min: 1,
      doc: "rank r of LRTL-direct (3: Hopkins motions are often degenerate)",
    }),
  },
} satisfies ParamSchema;

/** Rules over several params, checked whenever params are resolved (before any work). */
export const CHECKS: readonly ParamCheck[] = [
  {
    keys: ["loss.rank", "train.context"],
    check: (q) => {
      const rows = 2 * (2 * (q["train.context"] as number) + 1);
      return (q["loss.rank"] as number) < rows ? null : `loss.rank must be below 2T = ${rows} ` +
        "(the trajectory matrix of a window of T = 2c + 1 frames has 2T rows; at r ≥ 2T Lt is 0)";
    },
  },
  {
    keys: ["flow.gaps"],
    check: (q) => {
      const g = q["flow.gaps"] as readonly number[];
      return g.length && g.every((x) => x >= 1) ? null : "needs at least one gap, each ≥ 1";
    },
  },
  {
    keys: ["loss.flow", "loss.trajectory", "loss.temporal", "train.steps"],
    check: (q) =>
      q["train.steps"] === 0 || q["loss.flow"] || q["loss.trajectory"] || q["loss.temporal"]
        ? null
        : "training needs at least one loss term",
  },
];

/** Profiles: `smoke` for CI, `small` (default reproduce) for this 2-core machine, `full` = paper. */
export const PROFILES: Record<string, Record<string, unknown>> = {
  smoke: {
    "data.preset": "smoke",
    "data.width": 128,
    "data.height": 72,
    "data.maxFrames": 16,
    "model.inputWidth": 64,
    "model.inputHeight": 36,
    "model.width": 8,
    "train.steps": 12,
    "train.warmup": 2,
    "train.tracks": 256,
    "train.context": 5,
    "train.checkpointEvery": 5,
    "train.valEvery": 6,
    "flow.estimator": "farneback",
    "cluster.restarts": 2,
  },
  // The recipe chosen by the `recipe` experiment (experiments/tables.ts): a 128×224 depth-4
  // UNet, flow and tracks from 427×240 frames, 600 steps; one training ≤ 15 min here.
  small: {
    "data.width": 427,
    "data.height": 240,
    "model.inputWidth": 224,
    "model.inputHeight": 128,
    "model.depth": 4,
    "train.steps": 600,
    "train.warmup": 200,
  },
  full: {
    "data.width": 854,
    "data.height": 480,
    "model.inputWidth": 352,
    "model.inputHeight": 192,
    "model.width": 32,
    "model.depth": 4,
    "train.steps": 20000,
    "train.groups": 4,
    "train.tracks": 70000,
    "train.warmup": 1500,
    "train.valEvery": 250,
  },
};

/** Seeds per profile for experiments that train (mean ± std over them). */
export const SEEDS: Record<string, number[]> = { smoke: [0], small: [0, 1, 2], full: [0, 1, 2] };
