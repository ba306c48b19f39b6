/**
 * The schema of every parameter of the pipeline, grouped by stage: each param's one name,
 * default, range and meaning (the `train.*` and `loss.*` groups are declared beside the training
 * code, learn/train/params.ts and learn/losses/params.ts). Stages read params typed by key
 * through {@linkcode PipelineParams}; profiles (stages/params.ts) are override layers on top.
 * @module
 */
import { p, type ParamCheck, type ParamSchema, type ParamValues } from "../pipeline/params.ts";
import { BACKEND_NAMES } from "../learn/backend_choice.ts";
import { TRAIN_PARAMS } from "../learn/train/params.ts";
import { LOSS_PARAMS, TRAJECTORY_VARIANTS } from "../learn/losses/params.ts";

export const BACKENDS = BACKEND_NAMES;
export const FLOW_ESTIMATORS = ["dis", "farneback", "gt"] as const;
export const TRACKERS = ["flow-chain", "klt", "gt"] as const;
export const LOSS_VARIANTS = TRAJECTORY_VARIANTS;

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
    disFinestScale: p.int(-1, {
      min: -1,
      doc: "DIS: finest pyramid level patches are matched at (0 = the working frames' own " +
        "resolution, 1 = half; -1 = the preset's, medium: 1)",
    }),
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
  train: TRAIN_PARAMS,
  loss: LOSS_PARAMS,
  eval: {
    merge: p.str(
      "motion",
      ["motion", "colour"],
      "K→2 merge used for the headline J (oracle always reported)",
    ),
    normStats: p.str(
      "running",
      ["running", "sequence"],
      "batch-norm statistics at evaluation: the running averages of training (the paper's), or " +
        "each sequence's own, from ≤ 32 of its frames (AdaBN; matches training, whose batches " +
        "each hold one sequence; not in the paper). The val curve always uses the running ones",
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

/** The pipeline's params, typed by dotted key: `PipelineParams["train.steps"]` is `number`. */
export type PipelineParams = ParamValues<typeof SCHEMA>;

/** Rules over several params, checked whenever params are resolved (before any work). */
export const CHECKS: readonly ParamCheck<PipelineParams>[] = [
  {
    keys: ["loss.rank", "train.context"],
    check: (q) => {
      const rows = 2 * (2 * q["train.context"] + 1);
      return q["loss.rank"] < rows ? null : `loss.rank must be below 2T = ${rows} ` +
        "(the trajectory matrix of a window of T = 2c + 1 frames has 2T rows; at r ≥ 2T Lt is 0)";
    },
  },
  {
    keys: ["flow.gaps"],
    check: (q) => {
      const g = q["flow.gaps"];
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
