/**
 * The pipeline's params: the schema (stages/schema.ts) and the profiles, override layers on top
 * of its defaults.
 * @module
 */
export {
  BACKENDS,
  CHECKS,
  FLOW_ESTIMATORS,
  LOSS_VARIANTS,
  type PipelineParams,
  SCHEMA,
  TRACKERS,
} from "./schema.ts";

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
  // UNet; DIS flow (patches matched at full resolution) and tracks on 427×240 frames; Lf at the
  // network's resolution; 1 200 steps; the model is the weights' moving average (train.ema);
  // one training ≤ 15 min here.
  small: {
    "data.width": 427,
    "data.height": 240,
    "flow.disFinestScale": 0,
    "model.inputWidth": 224,
    "model.inputHeight": 128,
    "model.depth": 4,
    "train.steps": 1200,
    "train.warmup": 200,
    "train.valEvery": 200,
    "train.ema": 0.995,
    "eval.normStats": "sequence",
    "loss.flowResolution": "network",
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

/**
 * Per-dataset layers of a profile, applied over the profile for that dataset's instances (below
 * params files, `--set` and an experiment's own overrides). `small` runs the synthetic data at a
 * lighter setting than real video: 256×144 frames, a 64×112 depth-3 UNet, 300 steps — the
 * synthetic tables ask how one knob moves the result on exact data, which that answers at a
 * fraction of the real-video recipe's cost.
 */
export const DATASET_PROFILES: Record<string, Record<string, Record<string, unknown>>> = {
  small: {
    synthetic: {
      "data.width": 256,
      "data.height": 144,
      "model.inputWidth": 112,
      "model.inputHeight": 64,
      "model.depth": 3,
      "train.steps": 300,
      "train.warmup": 50,
    },
  },
};

/** Seeds per profile for experiments that train (mean ± std over them). */
export const SEEDS: Record<string, number[]> = { smoke: [0], small: [0, 1, 2], full: [0, 1, 2] };
