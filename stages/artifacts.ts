/**
 * On-disk formats of the stage artifacts in the cache, and their readers. Each artifact is a
 * folder; `meta.json` describes the binary files beside it.
 *
 * - frames: `rgb.u8` (T × H × W × 3 bytes at the working resolution), `gt.u8` (one label image
 *   per annotated frame at the ground truth's own size: A × Hg × Wg bytes, 0 = background,
 *   1…n = objects), `meta.json` ({@link FramesMeta}).
 * - flow: `<dir>_g<gap>.f32` (T × H × W × 2 float32; u then v in px; frames whose partner
 *   t ± gap is outside the sequence are all zero and flagged in `valid`), `meta.json`
 *   ({@link FlowMeta}).
 * - tracks: `tracks.lrtk` (see `formats/tracks.ts`), `meta.json` ({@link TracksMeta}).
 * @module
 */
import { join } from "node:path";
import type { FlowField, Tracks } from "../motion/types.ts";
import type { LabelImage, RgbImage } from "../video/types.ts";
import { readTracks, writeTracks } from "../formats/tracks.ts";

export interface FramesMeta {
  dataset: string;
  sequence: string;
  width: number;
  height: number;
  numFrames: number;
  /** Frame file names (stems) in order, e.g. `00000`. */
  names: string[];
  gtWidth: number;
  gtHeight: number;
  /** Frame indices that have ground truth, in `gt.u8` order. */
  annotated: number[];
  /** Number of object instances in the ground truth (1 for binary benchmarks). */
  numObjects: number;
}

export interface FramesArtifact {
  meta: FramesMeta;
  frames: RgbImage[];
  /** `gt[t]`: label image of frame t, or null if not annotated. */
  gt: (LabelImage | null)[];
}

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (e) {
    throw new Error(`Cannot read artifact metadata "${path}": ${(e as Error).message}`);
  }
}

async function readExact(path: string, bytes: number): Promise<Uint8Array> {
  const data = await Deno.readFile(path);
  if (data.length !== bytes) {
    throw new Error(
      `Artifact file "${path}" has ${data.length} bytes, expected ${bytes}: corrupt or truncated`,
    );
  }
  return data;
}

export async function writeFrames(dir: string, a: FramesArtifact): Promise<void> {
  const { width: w, height: h } = a.meta;
  const rgb = new Uint8Array(a.frames.length * w * h * 3);
  a.frames.forEach((f, t) => {
    if (f.width !== w || f.height !== h) {
      throw new RangeError(`frame ${t} is ${f.width}×${f.height}, expected ${w}×${h}`);
    }
    rgb.set(f.data, t * w * h * 3);
  });
  const { gtWidth: gw, gtHeight: gh, annotated } = a.meta;
  const gt = new Uint8Array(annotated.length * gw * gh);
  annotated.forEach((t, i) => gt.set(a.gt[t]!.data, i * gw * gh));
  await Deno.writeFile(join(dir, "rgb.u8"), rgb);
  await Deno.writeFile(join(dir, "gt.u8"), gt);
  await Deno.writeTextFile(join(dir, "meta.json"), JSON.stringify(a.meta, null, 1));
}

export async function readFrames(dir: string): Promise<FramesArtifact> {
  const meta = await readJson<FramesMeta>(join(dir, "meta.json"));
  const { width: w, height: h, numFrames: T, gtWidth: gw, gtHeight: gh } = meta;
  const rgb = await readExact(join(dir, "rgb.u8"), T * w * h * 3);
  const gtBytes = await readExact(join(dir, "gt.u8"), meta.annotated.length * gw * gh);
  const frames = Array.from({ length: T }, (_, t) => ({
    width: w,
    height: h,
    data: rgb.subarray(t * w * h * 3, (t + 1) * w * h * 3),
  }));
  const gt: (LabelImage | null)[] = Array(T).fill(null);
  meta.annotated.forEach((t, i) => {
    gt[t] = { width: gw, height: gh, data: gtBytes.subarray(i * gw * gh, (i + 1) * gw * gh) };
  });
  return { meta, frames, gt };
}

export interface FlowMeta {
  estimator: string;
  width: number;
  height: number;
  numFrames: number;
  gaps: number[];
  /** `valid["fwd_g1"][t]`: whether frame t has that flow. */
  valid: Record<string, boolean[]>;
}

/** All flows of a sequence: `get(t, gap, dir)` or null. */
export interface SequenceFlow {
  meta: FlowMeta;
  get(t: number, gap: number, dir: "fwd" | "bwd"): FlowField | null;
}

export const flowFileName = (dir: "fwd" | "bwd", gap: number) => `${dir}_g${gap}`;

export async function writeFlow(
  outDir: string,
  meta: Omit<FlowMeta, "valid">,
  get: (t: number, gap: number, dir: "fwd" | "bwd") => FlowField | null,
): Promise<void> {
  const { width: w, height: h, numFrames: T } = meta;
  const valid: Record<string, boolean[]> = {};
  for (const gap of meta.gaps) {
    for (const dir of ["fwd", "bwd"] as const) {
      const name = flowFileName(dir, gap);
      const all = new Float32Array(T * w * h * 2);
      valid[name] = [];
      for (let t = 0; t < T; t++) {
        const f = get(t, gap, dir);
        valid[name].push(!!f);
        if (f) all.set(f.uv, t * w * h * 2);
      }
      await Deno.writeFile(join(outDir, `${name}.f32`), new Uint8Array(all.buffer));
    }
  }
  await Deno.writeTextFile(join(outDir, "meta.json"), JSON.stringify({ ...meta, valid }));
}

export async function readFlow(dir: string): Promise<SequenceFlow> {
  const meta = await readJson<FlowMeta>(join(dir, "meta.json"));
  const { width: w, height: h, numFrames: T } = meta;
  const data = new Map<string, Float32Array>();
  for (const name of Object.keys(meta.valid)) {
    const bytes = await readExact(join(dir, `${name}.f32`), T * w * h * 2 * 4);
    data.set(name, new Float32Array(bytes.buffer, bytes.byteOffset, T * w * h * 2));
  }
  return {
    meta,
    get(t, gap, d) {
      const name = flowFileName(d, gap);
      const all = data.get(name);
      if (!all || t < 0 || t >= T || !meta.valid[name][t]) return null;
      return { width: w, height: h, uv: all.subarray(t * w * h * 2, (t + 1) * w * h * 2) };
    },
  };
}

/** The gap-1 flows of a cached sequence in the shape flow-chain tracking consumes. */
export function gap1Flows(
  flows: SequenceFlow,
): { gap: 1; forward: FlowField[]; backward: (FlowField | null)[] } {
  const n = flows.meta.numFrames;
  if (!flows.meta.gaps.includes(1)) {
    throw new Error(
      `flow-chain needs gap-1 flow; the cached flow has gaps ${flows.meta.gaps.join(", ")}`,
    );
  }
  return {
    gap: 1,
    forward: Array.from({ length: n - 1 }, (_, t) => flows.get(t, 1, "fwd")!),
    backward: Array.from({ length: n }, (_, t) => flows.get(t, 1, "bwd")),
  };
}

export interface TracksMeta {
  tracker: string;
  numTracks: number;
  numFrames: number;
  width: number;
  height: number;
}

export async function writeTracksArtifact(dir: string, tracker: string, t: Tracks): Promise<void> {
  await writeTracks(join(dir, "tracks.lrtk"), t);
  const meta: TracksMeta = {
    tracker,
    numTracks: t.numTracks,
    numFrames: t.numFrames,
    width: t.width,
    height: t.height,
  };
  await Deno.writeTextFile(join(dir, "meta.json"), JSON.stringify(meta));
}

export async function readTracksArtifact(dir: string): Promise<Tracks> {
  return await readTracks(join(dir, "tracks.lrtk"));
}
