/**
 * The training params (`train.*`): the single declaration of their names, defaults, ranges and
 * meaning. The pipeline's schema (stages/schema.ts) and `train()` both read them here.
 * @module
 */
import { p, type ParamGroup, type ParamSchema } from "../../pipeline/params.ts";

/** `train.*`: optimiser, batch, Lt sampling, checkpoints and the (label-using) val curve. */
export const TRAIN_PARAMS = {
  steps: p.int(150, { min: 0, doc: "training iterations" }),
  groups: p.int(1, { min: 1, doc: "4-frame groups per batch" }),
  lr: p.num(7e-4, { above: 0, doc: "AdamW learning rate (UNet reference value)" }),
  weightDecay: p.num(0.01, { min: 0, doc: "AdamW decoupled weight decay" }),
  warmup: p.int(50, { min: 0, doc: "linear warm-up iterations" }),
  clip: p.num(5, { above: 0, doc: "gradient-norm clip (UNet reference value)" }),
  tracks: p.int(2048, { min: 16, doc: "trajectories N per frame in Lt" }),
  context: p.int(20, { min: 1, doc: "half-window c of Lt (T = 2c + 1)" }),
  ema: p.num(0, {
    min: 0,
    max: 0.9999,
    doc: "decay of a moving average of the weights, the model that is saved and scored " +
      "(0 = off, the last step's weights; not in the paper)",
  }),
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
} satisfies ParamSchema;

/** The values of `train.*` by short name. */
export type TrainParams = ParamGroup<typeof TRAIN_PARAMS>;
