/**
 * Evaluation: predicting masks, merging K components into foreground/background, benchmark
 * metrics and qualitative overlays.
 * @module
 */
export { asMaskStack, predictMasks } from "./predict.ts";
export type { PredictOptions } from "./predict.ts";
export {
  bestNormalisedCut,
  colourAffinity,
  foregroundFromGroups,
  groupProbability,
  mergeByColour,
  mergeByMotion,
  motionAffinity,
  oracleBipartition,
} from "./merge.ts";
export type { Foreground, MaskStack } from "./merge.ts";
export {
  adjustedRandIndex,
  argmaxLabels,
  davisJ,
  foregroundARI,
  jaccard,
  pooledJ,
} from "./metrics.ts";
export type { SequenceScores } from "./metrics.ts";
export { imageGrid, PALETTE, renderOverlay } from "./overlay.ts";
export type { GridOptions, OverlayOptions } from "./overlay.ts";
