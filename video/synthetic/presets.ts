/**
 * Named synthetic datasets: `smoke` (tiny, for fast end-to-end runs) and `default` (the
 * project's embedded training / evaluation data).
 * @module
 */

import { generateSequence, type SyntheticSequence } from "./generate.ts";
import type { SyntheticSpec } from "./scene.ts";

/** Names of the built-in presets. */
export type PresetName = "smoke" | "default";

/** Overrides for a preset. Unset fields keep the preset's values. */
export interface PresetOptions {
  /** Dataset seed (default 0); each sequence's seed is derived from it. */
  seed?: number;
  width?: number;
  height?: number;
  numFrames?: number;
  /** Number of sequences including the triangle sequence (≥ 1). */
  numSequences?: number;
  antialias?: number;
  trackStride?: number;
  trackQueryEvery?: number;
  flowGaps?: number[];
}

const PRESETS: Record<
  PresetName,
  { width: number; height: number; numFrames: number; numSequences: number }
> = {
  smoke: { width: 128, height: 72, numFrames: 12, numSequences: 2 },
  default: { width: 256, height: 144, numFrames: 48, numSequences: 10 },
};

/** Names of all presets. */
export const PRESET_NAMES: readonly PresetName[] = ["smoke", "default"];

function derivedSeed(seed: number, index: number): number {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 13)) & 0x7fffffff;
}

/**
 * The sequence specs of a preset: `synth-000 … synth-(n−2)` with 1–4 objects (cycling) and
 * mixed motions, then `triangle` (the paper's Fig. 1: a triangle rotating at varying speed).
 */
export function presetSpecs(name: PresetName, opts: PresetOptions = {}): SyntheticSpec[] {
  const p = PRESETS[name];
  if (!p) {
    throw new RangeError(`Unknown synthetic preset "${name}" (known: ${PRESET_NAMES.join(", ")})`);
  }
  const seed = opts.seed ?? 0;
  const n = opts.numSequences ?? p.numSequences;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`preset "${name}": numSequences must be ≥ 1, got ${n}`);
  }
  const common = {
    width: opts.width ?? p.width,
    height: opts.height ?? p.height,
    numFrames: opts.numFrames ?? p.numFrames,
    ...(opts.antialias !== undefined ? { antialias: opts.antialias } : {}),
    ...(opts.trackStride !== undefined ? { trackStride: opts.trackStride } : {}),
    ...(opts.trackQueryEvery !== undefined ? { trackQueryEvery: opts.trackQueryEvery } : {}),
    ...(opts.flowGaps !== undefined ? { flowGaps: opts.flowGaps } : {}),
  };
  const specs: SyntheticSpec[] = [];
  for (let i = 0; i < n - 1; i++) {
    specs.push({
      ...common,
      name: `synth-${String(i).padStart(3, "0")}`,
      seed: derivedSeed(seed, i),
      kind: "random",
      numObjects: n === 2 ? 2 : 1 + ((i + 1) % 4),
    });
  }
  specs.push({ ...common, name: "triangle", seed: derivedSeed(seed, 1000), kind: "triangle" });
  return specs;
}

/**
 * Generate a preset's sequences lazily, one at a time (a default preset does not fit in memory
 * all at once at 854×480 with flows).
 */
export function* generatePreset(
  name: PresetName,
  opts: PresetOptions = {},
): Generator<SyntheticSequence> {
  for (const spec of presetSpecs(name, opts)) yield generateSequence(spec);
}
