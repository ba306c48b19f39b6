/**
 * Procedural textures evaluated in a surface's own (local) coordinates, so a point of a surface
 * keeps its colour however the surface moves. Coordinates are in units of the frame height, so
 * one seed gives the same scene at any resolution.
 * @module
 */

import { hash2, type Sfc32 } from "../../core/random.ts";

/** RGB in [0, 255]. */
export type Rgb = [number, number, number];

/** The parameters of one procedural texture (JSON-serialisable). */
export interface TextureSpec {
  seed: number;
  /** Four colours: three along the noise gradient, one for large patches / spots. */
  palette: [Rgb, Rgb, Rgb, Rgb];
  /** Lattice spacing of the coarsest noise octave (frame-height units). */
  scale: number;
  /** Contrast of the multi-octave noise (0…1). */
  contrast: number;
  /** Stripe period (frame-height units), 0 for none. */
  stripePeriod: number;
  stripeAngle: number;
  /** Spot grid cell size (frame-height units), 0 for none. */
  spotCell: number;
  spotProb: number;
}

function hsv(h: number, s: number, v: number): Rgb {
  h = ((h % 1) + 1) % 1;
  const i = Math.floor(h * 6), f = h * 6 - i;
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  const rgb = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6];
  return [rgb[0] * 255, rgb[1] * 255, rgb[2] * 255];
}

/**
 * A random texture around hue `hue` (0…1). Background textures are less saturated and busier;
 * object textures are saturated, with stripes or spots, so a network can tell them apart.
 */
export function randomTexture(rng: Sfc32, hue: number, kind: "background" | "object"): TextureSpec {
  const obj = kind === "object";
  const sat = obj ? rng.range(0.55, 0.9) : rng.range(0.2, 0.45);
  const spread = obj ? 0.06 : 0.18;
  const palette: [Rgb, Rgb, Rgb, Rgb] = [
    hsv(hue - spread, sat, rng.range(0.15, 0.35)),
    hsv(hue, sat, rng.range(0.45, 0.65)),
    hsv(hue + spread, sat * 0.8, rng.range(0.75, 0.95)),
    hsv(hue + (obj ? rng.range(0.08, 0.15) : rng.range(0.3, 0.6)), obj ? 0.9 : 0.5, 0.9),
  ];
  const stripes = obj ? rng.next() < 0.5 : rng.next() < 0.3;
  return {
    seed: rng.nextU32() | 0,
    palette,
    scale: obj ? rng.range(0.06, 0.12) : rng.range(0.1, 0.2),
    contrast: rng.range(0.8, 1),
    stripePeriod: stripes ? rng.range(0.04, 0.09) : 0,
    stripeAngle: rng.range(0, Math.PI),
    spotCell: !stripes || !obj ? rng.range(0.05, 0.12) : 0,
    spotProb: rng.range(0.3, 0.7),
  };
}

function smooth(t: number): number {
  return t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
}

function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x), iy = Math.floor(y);
  const fx = x - ix, fy = y - iy;
  const sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
  const a = hash2(ix, iy, seed), b = hash2(ix + 1, iy, seed);
  const c = hash2(ix, iy + 1, seed), d = hash2(ix + 1, iy + 1, seed);
  const top = a + (b - a) * sx, bot = c + (d - c) * sx;
  return top + (bot - top) * sy;
}

/** A texture ready to sample at a given frame height (the finest octave stays ≥ 3 pixels). */
export class Texture {
  readonly spec: TextureSpec;
  readonly #octaves: number;
  readonly #norm: number;
  readonly #edge: number;
  readonly #cos: number;
  readonly #sin: number;

  /** Prepare `spec` for frames `frameHeight` pixels high. */
  constructor(spec: TextureSpec, frameHeight: number) {
    this.spec = spec;
    let octaves = 1;
    while (octaves < 7 && (spec.scale * frameHeight) / 2 ** octaves >= 3) octaves++;
    this.#octaves = octaves;
    let norm = 0;
    for (let o = 0; o < octaves; o++) norm += 0.55 ** o;
    this.#norm = 1 / norm;
    this.#edge = 1.2 / frameHeight; // about one pixel of soft edge
    this.#cos = Math.cos(spec.stripeAngle);
    this.#sin = Math.sin(spec.stripeAngle);
  }

  /** Colour at local point (u, v) in frame-height units, written to `out[o..o+2]` (floats). */
  sample(u: number, v: number, out: Float32Array, o: number): void {
    const s = this.spec;
    let n = 0, amp = 1, f = 1 / s.scale;
    for (let k = 0; k < this.#octaves; k++) {
      n += amp * valueNoise(u * f, v * f, s.seed + k * 7919);
      amp *= 0.55;
      f *= 2;
    }
    n = 0.5 + (n * this.#norm - 0.5) * (1 + 1.5 * s.contrast);
    n = n < 0 ? 0 : n > 1 ? 1 : n;
    const p = s.palette;
    let r: number, g: number, b: number;
    if (n < 0.5) {
      const t = n * 2;
      r = p[0][0] + (p[1][0] - p[0][0]) * t;
      g = p[0][1] + (p[1][1] - p[0][1]) * t;
      b = p[0][2] + (p[1][2] - p[0][2]) * t;
    } else {
      const t = n * 2 - 1;
      r = p[1][0] + (p[2][0] - p[1][0]) * t;
      g = p[1][1] + (p[2][1] - p[1][1]) * t;
      b = p[1][2] + (p[2][2] - p[1][2]) * t;
    }
    // large patches of the accent colour
    const m =
      smooth((valueNoise(u / (3 * s.scale), v / (3 * s.scale), s.seed ^ 0x5bd1e995) - 0.62) * 8) *
      0.6;
    if (m > 0) {
      r += (p[3][0] - r) * m;
      g += (p[3][1] - g) * m;
      b += (p[3][2] - b) * m;
    }
    if (s.stripePeriod > 0) {
      const ph = (u * this.#cos + v * this.#sin) / s.stripePeriod + 0.6 * n;
      const w = smooth(
        (Math.abs(ph - Math.round(ph)) - 0.22) / (this.#edge / s.stripePeriod) + 0.5,
      );
      const k = 0.55 * (1 - w);
      r *= 1 - k;
      g *= 1 - k;
      b *= 1 - k;
    }
    if (s.spotCell > 0) {
      const cu = Math.floor(u / s.spotCell), cv = Math.floor(v / s.spotCell);
      const h = hash2(cu, cv, s.seed ^ 0x68e31da4);
      if (h < s.spotProb) {
        const rad = (0.15 + 0.25 * hash2(cu, cv, s.seed + 11)) * s.spotCell;
        const cx = (cu + 0.5 + (hash2(cu, cv, s.seed + 17) - 0.5) * 0.3) * s.spotCell;
        const cy = (cv + 0.5 + (hash2(cu, cv, s.seed + 23) - 0.5) * 0.3) * s.spotCell;
        const d = Math.hypot(u - cx, v - cy);
        const w = smooth((rad - d) / this.#edge + 0.5);
        if (w > 0) {
          const dark = h < s.spotProb * 0.5;
          const tr = dark ? p[0][0] * 0.5 : p[3][0], tg = dark ? p[0][1] * 0.5 : p[3][1];
          const tb = dark ? p[0][2] * 0.5 : p[3][2];
          r += (tr - r) * w;
          g += (tg - g) * w;
          b += (tb - b) * w;
        }
      }
    }
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
  }
}
