/**
 * The oracle tracker: returns known trajectories (e.g. the synthetic generator's).
 * @module
 */

import type { RgbImage } from "../../video/types.ts";
import type { Tracks } from "../types.ts";
import {
  checkFrames,
  type PointTracker,
  resolveQueries,
  type TrackOptions,
  type TrackQueries,
} from "./tracker.ts";

/** Exact tracks for given query points (same order), or the generator's own fixed tracks. */
export type GtTrackSource = Tracks | ((queries: TrackQueries) => Tracks | Promise<Tracks>);

/**
 * Ground-truth tracks. With a function source, it is called with the resolved queries (grid or
 * explicit). With a fixed `Tracks` source, the grid options are ignored except the query
 * frames: tracks whose query frame is selected are returned (explicit queries are an error).
 */
export class GtTracker implements PointTracker {
  readonly name = "gt";
  #source: GtTrackSource | null;
  constructor(source: GtTrackSource) {
    this.#source = source;
  }

  async track(frames: RgbImage[], opts: TrackOptions = {}): Promise<Tracks> {
    const src = this.#source;
    if (!src) throw new Error("gt: track() after dispose()");
    checkFrames(this.name, frames);
    const { width, height } = frames[0];
    const T = frames.length;
    if (typeof src === "function") {
      const q = resolveQueries(width, height, T, opts);
      const t = await src(q);
      if (t.numTracks !== q.frame.length || t.numFrames !== T) {
        throw new RangeError(
          `gt: source returned ${t.numTracks} tracks × ${t.numFrames} frames, expected ${q.frame.length} × ${T}`,
        );
      }
      return t;
    }
    if (src.numFrames !== T) {
      throw new RangeError(`gt: tracks have ${src.numFrames} frames, the sequence has ${T}`);
    }
    if (opts.queries) {
      throw new TypeError("gt: fixed ground-truth tracks cannot follow explicit queries");
    }
    const sel = new Set<number>();
    if (opts.queryFrames) opts.queryFrames.forEach((f) => sel.add(f));
    else for (let f = 0; f < T; f += opts.queryEvery ?? 1) sel.add(f);
    const keep: number[] = [];
    for (let i = 0; i < src.numTracks; i++) if (sel.has(src.queryFrame[i])) keep.push(i);
    const out: Tracks = {
      width: src.width,
      height: src.height,
      numTracks: keep.length,
      numFrames: T,
      queryFrame: new Int32Array(keep.length),
      xy: new Float32Array(keep.length * T * 2),
      visible: new Uint8Array(keep.length * T),
    };
    keep.forEach((i, k) => {
      out.queryFrame[k] = src.queryFrame[i];
      out.xy.set(src.xy.subarray(2 * i * T, 2 * (i + 1) * T), 2 * k * T);
      out.visible.set(src.visible.subarray(i * T, (i + 1) * T), k * T);
    });
    return out;
  }

  dispose(): void {
    this.#source = null;
  }
}
