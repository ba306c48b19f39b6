/**
 * Unsupervised training of the segmenter with the LRTL losses: config, batches, AdamW,
 * checkpoints and the training loop.
 * @module
 */
export { train, trainStep } from "./train.ts";
export type { StepInput, StepOptions, TrainedModel, TrainHooks } from "./train.ts";
export { resolveTrainConfig, TRAIN_INTERNALS } from "./config.ts";
export type { ResolvedTrainConfig, TrainConfig, TrajectoryVariant } from "./config.ts";
export { TRAIN_PARAMS, type TrainParams } from "./params.ts";
export { buildBatch, contextWindow, prepareSequences, trajectoryPool } from "./batch.ts";
export type { Batch, PreparedSequence, TrainData, TrainSequence } from "./batch.ts";
export { AdamW, clipByGlobalNorm, learningRate } from "./adamw.ts";
export type { AdamWConfig, AdamWState } from "./adamw.ts";
export {
  CheckpointError,
  inspectCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
export type { Checkpoint } from "./checkpoint.ts";
export { resizeBilinear } from "./resize.ts";
