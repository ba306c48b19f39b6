/**
 * Shared driver for frame-to-frame trackers: all live tracks advance one frame per call, first
 * forward in time from their query frames, then backward.
 * @module
 */

import type { Tracks } from "../types.ts";
import type { TrackQueries } from "./tracker.ts";

/**
 * Move `m` points `pts` (x, y pairs) from frame `from` to `to` (= from ± 1); write the new
 * positions to `out` and `ok[i] = 1` where the step is trusted (e.g. consistency check passed).
 */
export type StepFn = (
  from: number,
  to: number,
  pts: Float32Array,
  m: number,
  out: Float32Array,
  ok: Uint8Array,
) => void | Promise<void>;

/**
 * Track every query forward and backward with `step`. A track stops at the first failed step
 * (visible 0 from there on, position frozen at the last trusted one) or when it leaves the
 * frame (visible 0, position frozen at its first out-of-frame estimate).
 */
export async function propagate(
  width: number,
  height: number,
  numFrames: number,
  queries: TrackQueries,
  step: StepFn,
  onStep?: () => void,
): Promise<Tracks> {
  const n = queries.frame.length;
  const T = numFrames;
  const xy = new Float32Array(n * T * 2);
  const visible = new Uint8Array(n * T);
  const lastFwd = new Int32Array(n);
  const lastBwd = new Int32Array(n);
  // Query ids grouped by frame.
  const counts = new Int32Array(T + 1);
  for (let i = 0; i < n; i++) counts[queries.frame[i] + 1]++;
  for (let t = 0; t < T; t++) counts[t + 1] += counts[t];
  const byFrame = new Int32Array(n);
  const fill = counts.slice();
  for (let i = 0; i < n; i++) byFrame[fill[queries.frame[i]]++] = i;
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x <= width - 1 && y <= height - 1;

  const alive = new Int32Array(n);
  const pts = new Float32Array(2 * n);
  const out = new Float32Array(2 * n);
  const ok = new Uint8Array(n);
  for (const dir of [1, -1]) {
    let m = 0;
    const last = dir === 1 ? lastFwd : lastBwd;
    for (let k = 0; k < T; k++) {
      const t = dir === 1 ? k : T - 1 - k;
      for (let j = counts[t]; j < counts[t + 1]; j++) {
        const i = byFrame[j];
        const x = queries.xy[2 * i];
        const y = queries.xy[2 * i + 1];
        const o = 2 * (i * T + t);
        xy[o] = x;
        xy[o + 1] = y;
        last[i] = t;
        if (inside(x, y)) {
          visible[i * T + t] = 1;
          alive[m++] = i;
        }
      }
      const to = t + dir;
      if (to < 0 || to >= T) break;
      if (m === 0) {
        onStep?.();
        continue;
      }
      for (let a = 0; a < m; a++) {
        const o = 2 * (alive[a] * T + t);
        pts[2 * a] = xy[o];
        pts[2 * a + 1] = xy[o + 1];
      }
      ok.fill(0, 0, m);
      await step(t, to, pts, m, out, ok);
      onStep?.();
      let m2 = 0;
      for (let a = 0; a < m; a++) {
        const i = alive[a];
        if (!ok[a]) continue;
        const x = out[2 * a];
        const y = out[2 * a + 1];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const o = 2 * (i * T + to);
        xy[o] = x;
        xy[o + 1] = y;
        last[i] = to;
        if (inside(x, y)) {
          visible[i * T + to] = 1;
          alive[m2++] = i;
        }
      }
      m = m2;
    }
  }
  // Freeze positions after a track stops.
  for (let i = 0; i < n; i++) {
    const base = i * T;
    const f = lastFwd[i];
    for (let t = f + 1; t < T; t++) {
      xy[2 * (base + t)] = xy[2 * (base + f)];
      xy[2 * (base + t) + 1] = xy[2 * (base + f) + 1];
    }
    const b = lastBwd[i];
    for (let t = 0; t < b; t++) {
      xy[2 * (base + t)] = xy[2 * (base + b)];
      xy[2 * (base + t) + 1] = xy[2 * (base + b) + 1];
    }
  }
  return {
    width,
    height,
    numTracks: n,
    numFrames: T,
    queryFrame: Int32Array.from(queries.frame),
    xy,
    visible,
  };
}

/** Bilinear sample of a 2-channel field at (x, y), coordinates clamped to the image. */
export function sampleFlow(
  uv: Float32Array,
  width: number,
  height: number,
  x: number,
  y: number,
  out: Float32Array,
  at: number,
): void {
  const cx = x < 0 ? 0 : x > width - 1 ? width - 1 : x;
  const cy = y < 0 ? 0 : y > height - 1 ? height - 1 : y;
  let x0 = Math.floor(cx);
  let y0 = Math.floor(cy);
  if (x0 >= width - 1) x0 = Math.max(width - 2, 0);
  if (y0 >= height - 1) y0 = Math.max(height - 2, 0);
  const fx = cx - x0;
  const fy = cy - y0;
  const x1 = Math.min(x0 + 1, width - 1);
  const y1 = Math.min(y0 + 1, height - 1);
  const i00 = 2 * (y0 * width + x0);
  const i01 = 2 * (y0 * width + x1);
  const i10 = 2 * (y1 * width + x0);
  const i11 = 2 * (y1 * width + x1);
  const w00 = (1 - fx) * (1 - fy);
  const w01 = fx * (1 - fy);
  const w10 = (1 - fx) * fy;
  const w11 = fx * fy;
  out[at] = w00 * uv[i00] + w01 * uv[i01] + w10 * uv[i10] + w11 * uv[i11];
  out[at + 1] = w00 * uv[i00 + 1] + w01 * uv[i01 + 1] + w10 * uv[i10 + 1] + w11 * uv[i11 + 1];
}
