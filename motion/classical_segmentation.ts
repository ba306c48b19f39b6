/**
 * Classical motion segmentation without learning, from one optical-flow field: fit the camera's
 * motion as a homography with RANSAC on a grid of flow correspondences, take the per-pixel
 * residual (flow not explained by the camera), threshold it per frame with Otsu's method, clean
 * the mask with a morphological opening and closing and keep its largest connected component.
 * It is the floor a learned motion segmenter must beat (the same flow goes into both).
 *
 * Pure TypeScript, deterministic (seeded sampling).
 *
 * @example
 * ```ts
 * const { mask } = classicalMotionMask(flow); // 1 = moving object, at the flow's size
 * ```
 * @module
 */
import type { FlowField } from "./types.ts";
import { Rng } from "../core/random.ts";

/** A 3×3 homography, row-major, `H[8]` = 1. */
export type Homography = Float64Array;

/** Options of {@link classicalMotionMask}; defaults in brackets. */
export interface ClassicalOptions {
  /** Grid step (px) of the flow correspondences the homography is fitted to [4]. */
  sampleStep?: number;
  /** RANSAC hypotheses [300]. */
  iterations?: number;
  /**
   * RANSAC inlier threshold on the reprojection error, px at 854 px width (OpenCV's default
   * 3 px), scaled to the flow's width [3].
   */
  threshold854?: number;
  /** Radius of the square structuring element as a fraction of the width [1/128]. */
  morphRadius?: number;
  /** Quantile of the residual where Otsu's histogram ends (larger values share the top bin) [1]. */
  histogramQuantile?: number;
  /** Seed of the RANSAC sampling [0]. */
  seed?: number;
}

/** What {@link classicalMotionMask} found. */
export interface ClassicalResult {
  /** 1 = foreground (moving relative to the camera), at the flow's size. */
  mask: Uint8Array;
  /** Per-pixel residual magnitude (px) after camera compensation. */
  residual: Float32Array;
  /** The Otsu threshold on the residual (px). */
  threshold: number;
  homography: Homography;
  /** Share of the sampled correspondences that are RANSAC inliers. */
  inlierRatio: number;
}

/** Solves the n×n system `A x = b` (row-major, overwritten) by Gaussian elimination. */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array | null {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]) > Math.abs(A[p * n + c])) p = r;
    if (Math.abs(A[p * n + c]) < 1e-12) return null;
    if (p !== c) {
      for (let j = 0; j < n; j++) {
        const t = A[c * n + j];
        A[c * n + j] = A[p * n + j];
        A[p * n + j] = t;
      }
      const t = b[c];
      b[c] = b[p];
      b[p] = t;
    }
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c] / A[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) A[r * n + j] -= f * A[c * n + j];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(n);
  for (let c = n - 1; c >= 0; c--) {
    let s = b[c];
    for (let j = c + 1; j < n; j++) s -= A[c * n + j] * x[j];
    x[c] = s / A[c * n + c];
  }
  return x;
}

/**
 * Least-squares homography (DLT with h33 = 1) mapping `src[i]` to `dst[i]` for the listed
 * indices; points are given in normalised coordinates. Null when degenerate.
 */
function fitHomography(
  src: Float64Array,
  dst: Float64Array,
  idx: ArrayLike<number>,
): Homography | null {
  const A = new Float64Array(64);
  const b = new Float64Array(8);
  const row = new Float64Array(8);
  const add = (r: Float64Array, v: number) => {
    for (let i = 0; i < 8; i++) {
      if (r[i] === 0) continue;
      for (let j = 0; j < 8; j++) A[i * 8 + j] += r[i] * r[j];
      b[i] += r[i] * v;
    }
  };
  for (let n = 0; n < idx.length; n++) {
    const i = idx[n];
    const x = src[2 * i], y = src[2 * i + 1], u = dst[2 * i], v = dst[2 * i + 1];
    row.set([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    add(row, u);
    row.set([0, 0, 0, x, y, 1, -v * x, -v * y]);
    add(row, v);
  }
  const h = solve(A, b, 8);
  if (!h || !h.every(Number.isFinite)) return null;
  return Float64Array.of(...h, 1);
}

/** Reprojection error of one correspondence under `H`. */
function reprojError(H: Homography, x: number, y: number, u: number, v: number): number {
  const w = H[6] * x + H[7] * y + H[8];
  if (Math.abs(w) < 1e-12) return Infinity;
  const px = (H[0] * x + H[1] * y + H[2]) / w;
  const py = (H[3] * x + H[4] * y + H[5]) / w;
  return Math.hypot(px - u, py - v);
}

/**
 * RANSAC homography from point `src[i]` to `dst[i]` (pixels, interleaved x, y): 4-point
 * hypotheses scored by MSAC (truncated squared reprojection error), the best one refined by
 * least squares on its inliers while that lowers the score. Points are normalised (centred,
 * mean distance √2) for conditioning; the result maps pixels to pixels.
 */
export function ransacHomography(
  src: Float64Array,
  dst: Float64Array,
  opts: { iterations: number; threshold: number; seed: number },
): { H: Homography; inliers: Uint8Array } {
  const n = src.length / 2;
  if (n < 4) throw new RangeError(`ransacHomography: need ≥ 4 correspondences, got ${n}`);
  // Hartley normalisation with one similarity for both point sets (they share a frame).
  let cx = 0, cy = 0;
  for (let i = 0; i < n; i++) {
    cx += src[2 * i] + dst[2 * i];
    cy += src[2 * i + 1] + dst[2 * i + 1];
  }
  cx /= 2 * n;
  cy /= 2 * n;
  let d = 0;
  for (let i = 0; i < n; i++) {
    d += Math.hypot(src[2 * i] - cx, src[2 * i + 1] - cy) +
      Math.hypot(dst[2 * i] - cx, dst[2 * i + 1] - cy);
  }
  const s = Math.SQRT2 / Math.max(d / (2 * n), 1e-9);
  const ns = new Float64Array(2 * n), nd = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    ns[2 * i] = (src[2 * i] - cx) * s;
    ns[2 * i + 1] = (src[2 * i + 1] - cy) * s;
    nd[2 * i] = (dst[2 * i] - cx) * s;
    nd[2 * i + 1] = (dst[2 * i + 1] - cy) * s;
  }
  const thr = opts.threshold * s;
  const thr2 = thr * thr;
  const rng = new Rng(opts.seed);
  // MSAC score (Torr & Zisserman): Σ min(e², thr²), lower is better. Unlike an inlier count it
  // still ranks models when the whole frame moves less than the threshold.
  const cost = (H: Homography) => {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const e = reprojError(H, ns[2 * i], ns[2 * i + 1], nd[2 * i], nd[2 * i + 1]);
      c += e < thr ? e * e : thr2;
    }
    return c;
  };
  const mark = (H: Homography, out: Uint8Array) => {
    let c = 0;
    for (let i = 0; i < n; i++) {
      out[i] = reprojError(H, ns[2 * i], ns[2 * i + 1], nd[2 * i], nd[2 * i + 1]) < thr ? 1 : 0;
      c += out[i];
    }
    return c;
  };
  let best: Homography = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  let bestCost = cost(best);
  const pick = new Int32Array(4);
  for (let it = 0; it < opts.iterations; it++) {
    for (let j = 0; j < 4; j++) {
      let r: number;
      do r = Math.floor(rng.next() * n); while (pick.subarray(0, j).includes(r));
      pick[j] = r;
    }
    const H = fitHomography(ns, nd, pick);
    if (!H) continue;
    const c = cost(H);
    if (c < bestCost) {
      best = H;
      bestCost = c;
    }
  }
  // Local refinement: least squares on the inliers, re-select, a few rounds while it improves.
  const inliers = new Uint8Array(n);
  mark(best, inliers);
  for (let round = 0; round < 5; round++) {
    const idx = [...inliers.keys()].filter((i) => inliers[i]);
    if (idx.length < 4) break;
    const refit = fitHomography(ns, nd, idx);
    if (!refit) break;
    const c = cost(refit);
    if (!(c < bestCost)) break;
    best = refit;
    bestCost = c;
    mark(best, inliers);
  }
  // Back to pixels: H_px = T⁻¹ · H · T with T = [s 0 −s·cx; 0 s −s·cy; 0 0 1].
  const T = [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1];
  const Ti = [1 / s, 0, cx, 0, 1 / s, cy, 0, 0, 1];
  const mul = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    const o = new Float64Array(9);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        for (let k = 0; k < 3; k++) o[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
      }
    }
    return o;
  };
  const H = mul(Ti, mul(best, T));
  const h8 = H[8];
  for (let i = 0; i < 9; i++) H[i] /= h8;
  return { H, inliers };
}

/**
 * Otsu's threshold of `values` (maximises the between-class variance of a 256-bin histogram
 * over [min, max]); values above `max` fall into the top bin. Returns the threshold value.
 */
export function otsuThreshold(values: ArrayLike<number>, max?: number): number {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (max !== undefined) hi = Math.min(hi, max);
  if (!(hi > lo)) return lo;
  const bins = 256;
  const hist = new Float64Array(bins);
  const scale = bins / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    hist[Math.min(bins - 1, Math.max(0, Math.floor((values[i] - lo) * scale)))]++;
  }
  const total = values.length;
  let sumAll = 0;
  for (let b = 0; b < bins; b++) sumAll += b * hist[b];
  let w0 = 0, sum0 = 0, best = -1, bestB = 0;
  for (let b = 0; b < bins - 1; b++) {
    w0 += hist[b];
    sum0 += b * hist[b];
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0, m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) ** 2;
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  return lo + (bestB + 1) / scale;
}

/** Square min (erode) or max (dilate) filter of a binary mask, radius r (separable). */
function squareFilter(m: Uint8Array, w: number, h: number, r: number, dilate: boolean) {
  const tmp = new Uint8Array(w * h);
  const out = new Uint8Array(w * h);
  const pass = (src: Uint8Array, dst: Uint8Array, horizontal: boolean) => {
    const n = horizontal ? w : h, lines = horizontal ? h : w;
    for (let l = 0; l < lines; l++) {
      for (let i = 0; i < n; i++) {
        let v = dilate ? 0 : 1;
        for (let j = Math.max(0, i - r); j <= Math.min(n - 1, i + r); j++) {
          const s = src[horizontal ? l * w + j : j * w + l];
          if (dilate ? s : !s) {
            v = dilate ? 1 : 0;
            break;
          }
        }
        dst[horizontal ? l * w + i : i * w + l] = v;
      }
    }
  };
  pass(m, tmp, true);
  pass(tmp, out, false);
  return out;
}

/** Morphological opening then closing with a (2r+1)² square. */
export function openClose(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r < 1) return m.slice();
  const opened = squareFilter(squareFilter(m, w, h, r, false), w, h, r, true);
  return squareFilter(squareFilter(opened, w, h, r, true), w, h, r, false);
}

/** The largest 8-connected component of a binary mask (empty stays empty). */
export function largestComponent(m: Uint8Array, w: number, h: number): Uint8Array {
  const label = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  let best = 0, bestSize = 0, next = 0;
  for (let s = 0; s < w * h; s++) {
    if (!m[s] || label[s]) continue;
    next++;
    let size = 0, top = 0;
    stack[top++] = s;
    label[s] = next;
    while (top) {
      const p = stack[--top];
      size++;
      const x = p % w, y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (m[q] && !label[q]) {
            label[q] = next;
            stack[top++] = q;
          }
        }
      }
    }
    if (size > bestSize) {
      bestSize = size;
      best = next;
    }
  }
  const out = new Uint8Array(w * h);
  if (best) { for (let i = 0; i < w * h; i++) out[i] = label[i] === best ? 1 : 0; }
  return out;
}

/**
 * Moving-object mask of one flow field: RANSAC homography camera model on a grid of flow
 * correspondences, residual magnitude per pixel, Otsu threshold (histogram up to the 99.5th
 * percentile), opening + closing, largest connected component.
 */
export function classicalMotionMask(flow: FlowField, opts: ClassicalOptions = {}): ClassicalResult {
  const { width: w, height: h, uv } = flow;
  if (uv.length !== w * h * 2) {
    throw new RangeError(`classicalMotionMask: ${uv.length} flow values for ${w}×${h}`);
  }
  const step = Math.max(1, Math.round(opts.sampleStep ?? 4));
  const src: number[] = [], dst: number[] = [];
  for (let y = Math.floor(step / 2); y < h; y += step) {
    for (let x = Math.floor(step / 2); x < w; x += step) {
      const i = y * w + x;
      if (!Number.isFinite(uv[2 * i]) || !Number.isFinite(uv[2 * i + 1])) continue;
      src.push(x, y);
      dst.push(x + uv[2 * i], y + uv[2 * i + 1]);
    }
  }
  const residual = new Float32Array(w * h);
  let H: Homography = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  let inlierRatio = 0;
  if (src.length >= 8) {
    const r = ransacHomography(Float64Array.from(src), Float64Array.from(dst), {
      iterations: opts.iterations ?? 300,
      threshold: Math.max(0.25, ((opts.threshold854 ?? 3) * w) / 854),
      seed: opts.seed ?? 0,
    });
    H = r.H;
    inlierRatio = r.inliers.reduce((a, b) => a + b, 0) / r.inliers.length;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const u = uv[2 * i], v = uv[2 * i + 1];
      const e = reprojError(H, x, y, x + u, y + v);
      residual[i] = Number.isFinite(e) ? e : 0;
    }
  }
  const sorted = Float32Array.from(residual).sort();
  const q = opts.histogramQuantile ?? 1;
  const cap = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const threshold = otsuThreshold(residual, cap);
  let mask: Uint8Array = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) mask[i] = residual[i] > threshold ? 1 : 0;
  const radius = Math.max(1, Math.round(w * (opts.morphRadius ?? 1 / 128)));
  mask = largestComponent(openClose(mask, w, h, radius), w, h);
  return { mask, residual, threshold, homography: H, inlierRatio };
}
