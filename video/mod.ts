/**
 * Video data: the synthetic generator (embedded default data), readers of the real benchmarks
 * (DAVIS-2016, SegTrackv2, FBMS-59) and of the synthetic layout, and frame extraction from video
 * files.
 *
 * @example
 * ```ts
 * import { openDataset, writeSyntheticDataset } from "./video/mod.ts";
 * await writeSyntheticDataset("data/synthetic", "smoke");
 * const ds = openDataset("synthetic", "data");
 * const seq = await ds.load(ds.sequences()[0], { resize: { width: 128, height: 72 } });
 * ```
 * @module
 */

export type { LabelImage, RgbImage, Sequence } from "./types.ts";
export { listDatasets, openDataset, READERS } from "./datasets.ts";
export type { Dataset, DatasetInfo, DatasetName, DatasetReader, LoadOptions } from "./datasets.ts";
export { fbmsForeground } from "./readers/fbms.ts";
export { extractVideoFrames, probeVideo } from "./extract.ts";
export type { ExtractOptions } from "./extract.ts";
export {
  buildScene,
  frameFileName,
  generatePreset,
  generateSequence,
  GENERATOR_VERSION,
  PRESET_NAMES,
  presetSpecs,
  resolveSpec,
  SceneRaster,
  writeSyntheticDataset,
  writeSyntheticSequence,
} from "./synthetic/mod.ts";
export type {
  FlowDirection,
  GenerateOptions,
  GtFlow,
  MotionFeature,
  ObjectInfo,
  PresetName,
  PresetOptions,
  ResolvedSpec,
  SyntheticSequence,
  SyntheticSpec,
  WriteDatasetOptions,
  WrittenDataset,
} from "./synthetic/mod.ts";
