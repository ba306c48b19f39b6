/**
 * Generate one synthetic sequence with exact ground truth.
 * @module
 */

import type { Tracks } from "../../formats/types.ts";
import type { Sequence } from "../types.ts";
import { type GtFlow, SceneRaster } from "./render.ts";
import { buildScene, type ObjectInfo, type ResolvedSpec, type SyntheticSpec } from "./scene.ts";
import type { TextureSpec } from "./texture.ts";

/** Flow direction: `fwd` maps t → t + gap, `bwd` maps t → t − gap. */
export type FlowDirection = "fwd" | "bwd";

/** A generated sequence and its exact ground truth. */
export interface SyntheticSequence {
  spec: ResolvedSpec;
  /** Frames and instance masks (`dataset: "synthetic"`, a mask on every frame). */
  sequence: Sequence;
  /**
   * `flows[dir][gap][t]`: flow of frame t towards t ± gap, or `null` where t ± gap is outside
   * the sequence. Gaps are those of `spec.flowGaps`.
   */
  flows: Record<FlowDirection, Record<number, (GtFlow | null)[]>>;
  /** Exact tracks (see `motion/types.ts`), seeded on a grid at every query frame. */
  tracks: Tracks;
  /** Mask label of each track's surface (0 background, 1…n objects). */
  trackObject: Uint8Array;
  objects: ObjectInfo[];
  textures: TextureSpec[];
}

/** Options of {@link generateSequence}. */
export interface GenerateOptions {
  /** Called after each frame's rendering and flows (`total` = number of frames). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Generate a sequence: deterministic in `spec` (same spec → identical bytes).
 *
 * @example
 * ```ts
 * const s = generateSequence({ name: "a", seed: 1, numFrames: 8, width: 64, height: 36 });
 * s.sequence.frames.length; // 8
 * ```
 */
export function generateSequence(
  spec: SyntheticSpec,
  opts: GenerateOptions = {},
): SyntheticSequence {
  const scene = buildScene(spec);
  const r = scene.spec;
  const raster = new SceneRaster(scene);
  const T = r.numFrames;
  const frames = [], masks = [], sids: Int16Array[] = [];
  for (let t = 0; t < T; t++) {
    const out = raster.render(t);
    frames.push(out.frame);
    masks.push(out.mask);
    sids.push(out.surfaceIndex);
  }
  const flows: SyntheticSequence["flows"] = { fwd: {}, bwd: {} };
  for (const g of r.flowGaps) {
    flows.fwd[g] = [];
    flows.bwd[g] = [];
  }
  for (let t = 0; t < T; t++) {
    for (const g of r.flowGaps) {
      flows.fwd[g].push(t + g < T ? raster.flow(t, t + g, sids[t]) : null);
      flows.bwd[g].push(t - g >= 0 ? raster.flow(t, t - g, sids[t]) : null);
    }
    opts.onProgress?.(t + 1, T);
  }
  const queries: number[] = [];
  for (let t = 0; t < T; t += r.trackQueryEvery) queries.push(t);
  const { tracks, surface } = raster.tracks(queries, r.trackStride, (t) => sids[t]);
  const trackObject = new Uint8Array(tracks.numTracks);
  for (let n = 0; n < trackObject.length; n++) trackObject[n] = scene.surfaces[surface[n]].objectId;
  return {
    spec: r,
    sequence: {
      dataset: "synthetic",
      name: r.name,
      width: r.width,
      height: r.height,
      frames,
      masks,
    },
    flows,
    tracks,
    trackObject,
    objects: scene.objects,
    textures: scene.textures,
  };
}
