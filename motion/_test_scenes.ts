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
