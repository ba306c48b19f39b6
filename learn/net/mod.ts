/**
 * Segmentation networks: one RGB frame in, K soft masks out.
 * @module
 */
export { createSegmenter } from "./segmenter.ts";
export type {
  Architecture,
  ForwardOptions,
  NamedArray,
  NormKind,
  Segmenter,
  SegmenterConfig,
} from "./types.ts";
