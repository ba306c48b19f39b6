/**
 * The synthetic video generator: textured scenes with camera and object motion, and exact
 * ground truth (instance masks, forward/backward flow, point tracks).
 * @module
 */

export { generateSequence } from "./generate.ts";
export type { FlowDirection, GenerateOptions, SyntheticSequence } from "./generate.ts";
export type { GtFlow } from "./render.ts";
export { SceneRaster } from "./render.ts";
export { buildScene, resolveSpec } from "./scene.ts";
export type {
  MotionFeature,
  ObjectInfo,
  ResolvedSpec,
  Scene,
  Shape,
  Surface,
  SyntheticSpec,
} from "./scene.ts";
export { generatePreset, PRESET_NAMES, presetSpecs } from "./presets.ts";
export type { PresetName, PresetOptions } from "./presets.ts";
export {
  frameFileName,
  GENERATOR_VERSION,
  writeSyntheticDataset,
  writeSyntheticSequence,
} from "./write.ts";
export type { WriteDatasetOptions, WrittenDataset } from "./write.ts";
