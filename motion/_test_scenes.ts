/**
 * Procedural textured images for the motion tests: a smooth multi-scale texture defined as a
 * continuous function, so translated / rotated frames and their exact flow are known.
 * @module
 */

import type { RgbImage } from "../video/types.ts";
import type { FlowField } from "./types.ts";

/** A continuous texture: RGB in 0…255 at real coordinates. */
export type Texture = (x: number, y: number, out: Float64Array) => void;

/** A deterministic band-limited texture (sum of oriented sinusoids, periods 6…40 px). */
export function makeTexture(seed = 1): Texture {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const waves: { kx: number; ky: number; ph: number; amp: number[] }[] = [];
  for (let i = 0; i < 12; i++) {
    const period = 6 + 34 * rand();
    const ang = Math.PI * rand();
    const k = (2 * Math.PI) / period;
    waves.push({
      kx: k * Math.cos(ang),
      ky: k * Math.sin(ang),
      ph: 2 * Math.PI * rand(),
      amp: [rand(), rand(), rand()],
    });
  }
  return (x, y, out) => {
    out[0] = out[1] = out[2] = 0;
    for (const w of waves) {
      const v = Math.sin(w.kx * x + w.ky * y + w.ph);
      out[0] += w.amp[0] * v;
      out[1] += w.amp[1] * v;
      out[2] += w.amp[2] * v;
    }
    for (let c = 0; c < 3; c++) out[c] = Math.max(0, Math.min(255, 128 + 22 * out[c]));
  };
}

/** Render `tex` sampled at `map(x, y)` for every pixel (the inverse warp of the frame). */
export function render(
  width: number,
  height: number,
  tex: Texture,
  map: (x: number, y: number) => [number, number] = (x, y) => [x, y],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  const c = new Float64Array(3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = map(x, y);
      tex(sx, sy, c);
      const i = 3 * (y * width + x);
      data[i] = Math.round(c[0]);
      data[i + 1] = Math.round(c[1]);
      data[i + 2] = Math.round(c[2]);
    }
  }
  return { width, height, data };
}

/** A pair translated by (u, v) and its exact flow. */
export function translatedPair(
  width: number,
  height: number,
  u: number,
  v: number,
  seed = 1,
): { a: RgbImage; b: RgbImage; flow: FlowField } {
  const tex = makeTexture(seed);
  const a = render(width, height, tex);
  const b = render(width, height, tex, (x, y) => [x - u, y - v]);
  const uv = new Float32Array(width * height * 2);
  for (let i = 0; i < width * height; i++) {
    uv[2 * i] = u;
    uv[2 * i + 1] = v;
  }
  return { a, b, flow: { width, height, uv } };
}

/** A pair rotated by `deg` degrees about the image centre and its exact flow. */
export function rotatedPair(
  width: number,
  height: number,
  deg: number,
  seed = 2,
): { a: RgbImage; b: RgbImage; flow: FlowField } {
  const tex = makeTexture(seed);
  const th = (deg * Math.PI) / 180;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const c = Math.cos(th);
  const s = Math.sin(th);
  const a = render(width, height, tex);
  // b(p) = a(R⁻¹(p − c) + c)
  const b = render(width, height, tex, (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    return [c * dx + s * dy + cx, -s * dx + c * dy + cy];
  });
  const uv = new Float32Array(width * height * 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      const dy = y - cy;
      uv[2 * (y * width + x)] = c * dx - s * dy + cx - x;
      uv[2 * (y * width + x) + 1] = s * dx + c * dy + cy - y;
    }
  }
  return { a, b, flow: { width, height, uv } };
}

/** A flat grey image. */
export function flatImage(width: number, height: number, value = 128): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(value) };
}

/** Queries as used by trackers (kept structural to avoid an import cycle). */
interface Queries {
  frame: Int32Array;
  xy: Float32Array;
}

/** Exact tracks of a scene for given queries. */
export type SceneTracks = (q: Queries) => {
  width: number;
  height: number;
  numTracks: number;
  numFrames: number;
  queryFrame: Int32Array;
  xy: Float32Array;
  visible: Uint8Array;
};

/** A texture translating by (vx, vy) px per frame; points leaving the frame become invisible. */
export function translatingSequence(
  width: number,
  height: number,
  numFrames: number,
  vx: number,
  vy: number,
  seed = 3,
): { frames: RgbImage[]; gt: SceneTracks } {
  const tex = makeTexture(seed);
  const frames = Array.from(
    { length: numFrames },
    (_, t) => render(width, height, tex, (x, y) => [x - vx * t, y - vy * t]),
  );
  const gt: SceneTracks = (q) => {
    const n = q.frame.length;
    const xy = new Float32Array(n * numFrames * 2);
    const visible = new Uint8Array(n * numFrames);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < numFrames; t++) {
        const x = q.xy[2 * i] + vx * (t - q.frame[i]);
        const y = q.xy[2 * i + 1] + vy * (t - q.frame[i]);
        xy[2 * (i * numFrames + t)] = x;
        xy[2 * (i * numFrames + t) + 1] = y;
        visible[i * numFrames + t] = x >= 0 && y >= 0 && x <= width - 1 && y <= height - 1 ? 1 : 0;
      }
    }
    return { width, height, numTracks: n, numFrames, queryFrame: q.frame, xy, visible };
  };
  return { frames, gt };
}

/**
 * A static textured background with a differently textured square (side `size`) moving right
 * by `speed` px per frame from x = `x0`, vertically centred. Ground truth covers background
 * queries only (points under the square at their query frame get the square's motion).
 */
export function occluderSequence(
  width: number,
  height: number,
  numFrames: number,
  size = 20,
  speed = 3,
  x0 = 4,
): { frames: RgbImage[]; gt: SceneTracks; covered: (x: number, y: number, t: number) => number } {
  const bg = makeTexture(11);
  const fg = makeTexture(29);
  const y0 = Math.round((height - size) / 2);
  /** Signed distance-like margin: > 0 inside the square at t, < 0 outside. */
  const covered = (x: number, y: number, t: number) => {
    const left = x0 + speed * t;
    return Math.min(x - left, left + size - x, y - y0, y0 + size - y);
  };
  const c = new Float64Array(3);
  const frames = Array.from({ length: numFrames }, (_, t) => {
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (covered(x, y, t) >= 0) fg(x - speed * t, y, c);
        else bg(x, y, c);
        const i = 3 * (y * width + x);
        data[i] = Math.round(c[0]);
        data[i + 1] = Math.round(c[1]);
        data[i + 2] = Math.round(c[2]);
      }
    }
    return { width, height, data };
  });
  const gt: SceneTracks = (q) => {
    const n = q.frame.length;
    const xy = new Float32Array(n * numFrames * 2);
    const visible = new Uint8Array(n * numFrames);
    for (let i = 0; i < n; i++) {
      const x = q.xy[2 * i];
      const y = q.xy[2 * i + 1];
      const onSquare = covered(x, y, q.frame[i]) >= 0;
      for (let t = 0; t < numFrames; t++) {
        const px = onSquare ? x + speed * (t - q.frame[i]) : x;
        xy[2 * (i * numFrames + t)] = px;
        xy[2 * (i * numFrames + t) + 1] = y;
        const inFrame = px >= 0 && px <= width - 1;
        visible[i * numFrames + t] = inFrame && (onSquare || covered(px, y, t) < 0) ? 1 : 0;
      }
    }
    return { width, height, numTracks: n, numFrames, queryFrame: q.frame, xy, visible };
  };
  return { frames, gt, covered };
}
