/**
 * Merging K soft mask components into two groups (foreground / background candidates):
 * motion-based (affine flow fits + normalised cut), appearance-colour based, and the oracle
 * best bipartition against ground truth (a labelled upper bound, not a method).
 *
 * Masks are interleaved `[h, w, K]` Float32Arrays (as `predictMasks` returns); a grouping is a
 * `Uint8Array(K)` of 0/1.
 * @module
 */
import type { FlowField } from "../motion/types.ts";
import type { LabelImage, RgbImage } from "../video/types.ts";
import { resizeBilinear, resizeImage } from "../learn/train/resize.ts";
import { jaccard } from "./metrics.ts";

/** A soft mask stack of one frame. */
export interface MaskStack {
  width: number;
  height: number;
  k: number;
  /** `[height, width, k]` interleaved. */
  data: Float32Array;
}

/**
 * The best 2-way normalised cut of a symmetric K×K affinity (row-major), by brute force over
 * all 2^(K−1) − 1 bipartitions (fine for K ≤ 12). Returns 0/1 per component.
 */
export function bestNormalisedCut(affinity: ArrayLike<number>, k: number): Uint8Array {
  if (affinity.length !== k * k) throw new RangeError(`bestNormalisedCut: need ${k}×${k} values`);
  if (k < 2) return new Uint8Array(k);
  if (k > 16) throw new RangeError(`bestNormalisedCut: K = ${k} is too large for brute force`);
  const deg = new Float64Array(k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) deg[i] += affinity[i * k + j];
  let best = Infinity;
  let bestMask = 1;
  // component k−1 always in group 0; masks enumerate the other components' membership of group 1
  for (let mask = 1; mask < 1 << (k - 1); mask++) {
    let cut = 0;
    let assoc1 = 0;
    let assoc0 = 0;
    for (let i = 0; i < k; i++) {
      const gi = i < k - 1 ? (mask >> i) & 1 : 0;
      if (gi) assoc1 += deg[i];
      else assoc0 += deg[i];
      for (let j = 0; j < k; j++) {
        const gj = j < k - 1 ? (mask >> j) & 1 : 0;
        if (gi === 1 && gj === 0) cut += affinity[i * k + j];
      }
    }
    const ncut = cut / Math.max(assoc1, 1e-12) + cut / Math.max(assoc0, 1e-12);
    if (ncut < best - 1e-12) {
      best = ncut;
      bestMask = mask;
    }
  }
  const out = new Uint8Array(k);
  for (let i = 0; i < k - 1; i++) out[i] = (bestMask >> i) & 1;
  return out;
}

/** Gaussian affinity `exp(−d / scale)` from pairwise distances, scale = median off-diagonal d. */
function affinityFromDistances(d: Float64Array, k: number): Float64Array {
  const off: number[] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) off.push(d[i * k + j]);
  off.sort((a, b) => a - b);
  const scale = Math.max(off.length ? off[off.length >> 1] : 1, 1e-9);
  const a = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) a[i * k + j] = i === j ? 1 : Math.exp(-d[i * k + j] / scale);
  }
  return a;
}

/** Resize a flow field to `[h, w]`, rescaling its vectors. */
function flowAt(flow: FlowField, h: number, w: number): Float32Array {
  if (flow.width === w && flow.height === h) return flow.uv;
  return resizeImage(flow.uv, flow.height, flow.width, 2, h, w, [
    w / flow.width,
    h / flow.height,
  ]);
}

/** Weighted normal equations of an affine flow fit (features [x/w, y/h, 1]) and the sums. */
export interface NormalEquations {
  /** 3×3 row-major Σ m·f·fᵀ. */
  G: Float64Array;
  /** Σ m·f·u and Σ m·f·v. */
  bu: Float64Array;
  bv: Float64Array;
  /** Σ m, Σ m·u², Σ m·v². */
  mass: number;
  su: number;
  sv: number;
}

/**
 * The normal equations of an affine flow fit under pixel weights. Scalar accumulators in the
 * order of the plain loops (`G[a·3+b] += m·f[a]·f[b]`, pixel by pixel), so the sums are
 * bit-identical to them, without per-pixel allocations. (Exported for its test.)
 */
export function normalEquations(
  weights: Float64Array,
  uv: Float32Array,
  h: number,
  w: number,
): NormalEquations {
  let g00 = 0, g01 = 0, g02 = 0, g10 = 0, g11 = 0, g12 = 0, g20 = 0, g21 = 0, g22 = 0;
  let bu0 = 0, bu1 = 0, bu2 = 0, bv0 = 0, bv1 = 0, bv2 = 0;
  let mass = 0;
  let su = 0;
  let sv = 0;
  for (let y = 0; y < h; y++) {
    const f1 = y / h;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const m = weights[i];
      if (m <= 0) continue;
      const f0 = x / w;
      const u = uv[2 * i];
      const v = uv[2 * i + 1];
      g00 += m * f0 * f0;
      g01 += m * f0 * f1;
      g02 += m * f0; // f[2] = 1: m·f·1 is exactly m·f
      g10 += m * f1 * f0; // not g01: (m·f1)·f0 and (m·f0)·f1 can differ in the last bit
      g11 += m * f1 * f1;
      g12 += m * f1;
      g20 += m * f0;
      g21 += m * f1;
      g22 += m;
      bu0 += m * f0 * u;
      bu1 += m * f1 * u;
      bu2 += m * u;
      bv0 += m * f0 * v;
      bv1 += m * f1 * v;
      bv2 += m * v;
      mass += m;
      su += m * u * u;
      sv += m * v * v;
    }
  }
  const G = Float64Array.of(g00, g01, g02, g10, g11, g12, g20, g21, g22);
  const bu = Float64Array.of(bu0, bu1, bu2);
  const bv = Float64Array.of(bv0, bv1, bv2);
  return { G, bu, bv, mass, su, sv };
}

/**
 * Weighted least-squares residual of an affine flow model u,v = A·[x, y, 1] under pixel
 * weights; returns the weighted sum of squared residuals and the total weight.
 */
function affineResidual(
  weights: Float64Array,
  uv: Float32Array,
  h: number,
  w: number,
): { sse: number; mass: number } {
  const { G, bu, bv, mass, su, sv } = normalEquations(weights, uv, h, w);
  if (mass <= 1e-9) return { sse: 0, mass: 0 };
  for (let a = 0; a < 3; a++) G[a * 4] += 1e-6 * mass; // ridge for degenerate supports
  const solve = (b: Float64Array) => {
    // 3×3 Gaussian elimination
    const M = [...G];
    const r = [...b];
    for (let c = 0; c < 3; c++) {
      let p = c;
      for (let q = c + 1; q < 3; q++) if (Math.abs(M[q * 3 + c]) > Math.abs(M[p * 3 + c])) p = q;
      for (let j = 0; j < 3; j++) [M[c * 3 + j], M[p * 3 + j]] = [M[p * 3 + j], M[c * 3 + j]];
      [r[c], r[p]] = [r[p], r[c]];
      for (let q = c + 1; q < 3; q++) {
        const f = M[q * 3 + c] / M[c * 3 + c];
        for (let j = c; j < 3; j++) M[q * 3 + j] -= f * M[c * 3 + j];
        r[q] -= f * r[c];
      }
    }
    const x = [0, 0, 0];
    for (let c = 2; c >= 0; c--) {
      let s = r[c];
      for (let j = c + 1; j < 3; j++) s -= M[c * 3 + j] * x[j];
      x[c] = s / M[c * 3 + c];
    }
    return x;
  };
  const tu = solve(bu);
  const tv = solve(bv);
  // SSE = Σ m u² − θᵀ b (least-squares identity), clamped for round-off
  const sse = Math.max(0, su - (tu[0] * bu[0] + tu[1] * bu[1] + tu[2] * bu[2])) +
    Math.max(0, sv - (tv[0] * bv[0] + tv[1] * bv[1] + tv[2] * bv[2]));
  return { sse, mass };
}

/**
 * Motion affinity between components: how much worse one affine flow model explains two
 * components jointly than two separate models, per unit of mask mass;
 * `A_ij = exp(−d_ij / median d)`.
 */
export function motionAffinity(masks: MaskStack, flow: FlowField): Float64Array {
  const { width: w, height: h, k } = masks;
  const uv = flowAt(flow, h, w);
  const comp = (sel: number[]) => {
    const wt = new Float64Array(h * w);
    for (let i = 0; i < h * w; i++) for (const c of sel) wt[i] += masks.data[i * k + c];
    return affineResidual(wt, uv, h, w);
  };
  const single = Array.from({ length: k }, (_, c) => comp([c]));
  const d = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const joint = comp([i, j]);
      const inc = Math.max(0, joint.sse - single[i].sse - single[j].sse);
      const v = inc / Math.max(joint.mass, 1e-9);
      d[i * k + j] = v;
      d[j * k + i] = v;
    }
  }
  return affinityFromDistances(d, k);
}

/** Colour affinity: squared distance of the components' mask-weighted mean RGB colours. */
export function colourAffinity(masks: MaskStack, frame: RgbImage): Float64Array {
  const { width: w, height: h, k } = masks;
  const rgb = frame.width === w && frame.height === h
    ? frame.data
    : resizeImage(frame.data, frame.height, frame.width, 3, h, w);
  const sum = new Float64Array(k * 3);
  const mass = new Float64Array(k);
  for (let i = 0; i < h * w; i++) {
    for (let c = 0; c < k; c++) {
      const m = masks.data[i * k + c];
      mass[c] += m;
      for (let ch = 0; ch < 3; ch++) sum[c * 3 + ch] += (m * rgb[i * 3 + ch]) / 255;
    }
  }
  const d = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let ch = 0; ch < 3; ch++) {
        const a = sum[i * 3 + ch] / Math.max(mass[i], 1e-9);
        const b = sum[j * 3 + ch] / Math.max(mass[j], 1e-9);
        s += (a - b) ** 2;
      }
      d[i * k + j] = s;
    }
  }
  return affinityFromDistances(d, k);
}

/** Motion-based merge of one frame: affine-flow affinity, then the best normalised cut. */
export function mergeByMotion(masks: MaskStack, flow: FlowField): Uint8Array {
  return bestNormalisedCut(motionAffinity(masks, flow), masks.k);
}

/** Appearance merge of one frame: mean-colour affinity, then the best normalised cut. */
export function mergeByColour(masks: MaskStack, frame: RgbImage): Uint8Array {
  return bestNormalisedCut(colourAffinity(masks, frame), masks.k);
}

/**
 * Probability of group 1 of a grouping, upsampled bilinearly to `[outH, outW]`.
 */
export function groupProbability(
  masks: MaskStack,
  groups: ArrayLike<number>,
  outH: number,
  outW: number,
): Float32Array {
  const { width: w, height: h, k } = masks;
  const p = new Float32Array(h * w);
  for (let i = 0; i < h * w; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) if (groups[c]) s += masks.data[i * k + c];
    p[i] = s;
  }
  return outH === h && outW === w ? p : resizeBilinear(p, h, w, 1, outH, outW);
}

/** A binary foreground decided against ground truth. */
export interface Foreground {
  /** 1 = foreground, at the GT resolution. */
  mask: Uint8Array;
  /** IoU of `mask` with the GT. */
  iou: number;
}

/**
 * Standard protocol: upsample both merged groups to the GT size, threshold at 0.5, and keep the
 * group with the higher IoU against `gt` (non-zero = foreground).
 */
export function foregroundFromGroups(
  masks: MaskStack,
  groups: ArrayLike<number>,
  gt: LabelImage,
): Foreground {
  const p1 = groupProbability(masks, groups, gt.height, gt.width);
  const a = new Uint8Array(p1.length);
  const b = new Uint8Array(p1.length);
  for (let i = 0; i < p1.length; i++) {
    a[i] = p1[i] > 0.5 ? 1 : 0;
    b[i] = 1 - p1[i] > 0.5 ? 1 : 0;
  }
  const ja = jaccard(a, gt.data);
  const jb = jaccard(b, gt.data);
  return ja >= jb ? { mask: a, iou: ja } : { mask: b, iou: jb };
}

/**
 * ORACLE (an upper bound, label it as such): the union of components whose thresholded mask
 * has the best IoU against the GT, over all non-empty subsets.
 */
export function oracleBipartition(masks: MaskStack, gt: LabelImage): Foreground & {
  groups: Uint8Array;
} {
  const k = masks.k;
  let best: Foreground & { groups: Uint8Array } | null = null;
  for (let s = 1; s < 1 << k; s++) {
    const groups = new Uint8Array(k);
    for (let c = 0; c < k; c++) groups[c] = (s >> c) & 1;
    const p = groupProbability(masks, groups, gt.height, gt.width);
    const m = new Uint8Array(p.length);
    for (let i = 0; i < p.length; i++) m[i] = p[i] > 0.5 ? 1 : 0;
    const iou = jaccard(m, gt.data);
    if (!best || iou > best.iou) best = { mask: m, iou, groups };
  }
  return best!;
}
