/**
 * The one interface every point tracker implements, and the query points it tracks.
 * @module
 */

import type { RgbImage } from "../../video/types.ts";
import type { Tracks } from "../types.ts";

/** Explicit query points: point i starts at `(xy[2i], xy[2i+1])` in frame `frame[i]`. */
export interface TrackQueries {
  frame: Int32Array;
  xy: Float32Array;
}

/** Options of {@link PointTracker.track}. */
export interface TrackOptions {
  /** Grid spacing in pixels; grid points sit at `stride/2 + k·stride` (default 8). */
  stride?: number;
  /** Seed the grid at every `queryEvery`-th frame (default 1: every frame). */
  queryEvery?: number;
  /** Seed the grid at exactly these frames (overrides `queryEvery`). */
  queryFrames?: number[];
  /** Explicit query points (e.g. ground truth's); overrides the grid. Output keeps their order. */
  queries?: TrackQueries;
  /** Progress over the tracker's work units. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * A point tracker: follows each query point forward and backward over the whole sequence.
 * The result has one track per query point (grid tracks ordered by query frame, then row-major),
 * positions at every frame, and visibility 0 where the point is occluded, lost or out of frame.
 */
export interface PointTracker {
  readonly name: string;
  track(frames: RgbImage[], opts?: TrackOptions): Promise<Tracks>;
  dispose(): void;
}

/** Names accepted by `createTracker`. */
export type TrackerName = "flow-chain" | "klt" | "gt";

/** The query points `opts` describes for a `width`×`height`×`numFrames` sequence. */
export function resolveQueries(
  width: number,
  height: number,
  numFrames: number,
  opts: TrackOptions = {},
): TrackQueries {
  if (opts.queries) {
    const q = opts.queries;
    if (q.xy.length !== 2 * q.frame.length) {
      throw new RangeError(
        `queries: xy has ${q.xy.length} values for ${q.frame.length} points (need 2 per point)`,
      );
    }
    for (let i = 0; i < q.frame.length; i++) {
      if (q.frame[i] < 0 || q.frame[i] >= numFrames) {
        throw new RangeError(`queries: frame[${i}] = ${q.frame[i]} outside 0…${numFrames - 1}`);
      }
    }
    return q;
  }
  const stride = opts.stride ?? 8;
  if (!(stride > 0)) throw new RangeError(`stride must be > 0, got ${stride}`);
  let frames: number[];
  if (opts.queryFrames) {
    frames = [...new Set(opts.queryFrames)].sort((a, b) => a - b);
    for (const f of frames) {
      if (!Number.isInteger(f) || f < 0 || f >= numFrames) {
        throw new RangeError(`queryFrames: ${f} is outside 0…${numFrames - 1}`);
      }
    }
  } else {
    const every = opts.queryEvery ?? 1;
    if (!Number.isInteger(every) || every < 1) {
      throw new RangeError(`queryEvery must be a positive integer, got ${every}`);
    }
    frames = [];
    for (let f = 0; f < numFrames; f += every) frames.push(f);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let x = stride / 2; x <= width - 1; x += stride) xs.push(x);
  for (let y = stride / 2; y <= height - 1; y += stride) ys.push(y);
  const per = xs.length * ys.length;
  const frame = new Int32Array(per * frames.length);
  const xy = new Float32Array(2 * per * frames.length);
  let i = 0;
  for (const f of frames) {
    for (const y of ys) {
      for (const x of xs) {
        frame[i] = f;
        xy[2 * i] = x;
        xy[2 * i + 1] = y;
        i++;
      }
    }
  }
  return { frame, xy };
}

/** Check a frame list is non-empty and uniformly sized. */
export function checkFrames(name: string, frames: RgbImage[]): void {
  if (frames.length === 0) throw new RangeError(`${name}: no frames`);
  const { width, height } = frames[0];
  for (const [i, f] of frames.entries()) {
    if (f.width !== width || f.height !== height || f.data.length !== width * height * 3) {
      throw new RangeError(
        `${name}: frame ${i} is ${f.width}×${f.height}, frame 0 is ${width}×${height}`,
      );
    }
  }
}
