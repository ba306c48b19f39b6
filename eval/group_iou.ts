/**
 * Fast, exact IoU of merged mask groups at the ground truth's resolution.
 *
 * The reference protocol ({@link foregroundFromGroups}, {@link oracleBipartition} in
 * `merge.ts`) upsamples each group's probability bilinearly to the GT size, thresholds it at
 * 0.5 and counts pixels: one full-size resize per group, 2^K − 1 of them for the oracle. Here
 * the output grid is split into the rectangles that interpolate between the same four source
 * pixels; bilinear interpolation is a convex combination, so where all four corners lie clearly
 * on one side of 0.5 the whole rectangle does too, and its GT pixels are counted from an
 * integral image in O(1). Only rectangles that straddle 0.5 are interpolated pixel by pixel,
 * with exactly the arithmetic of `resizeBilinear`, so the counts (and IoUs) are identical.
 * @module
 */
import type { LabelImage } from "../video/types.ts";
import type { MaskStack } from "./merge.ts";

/** IoUs of one grouping: group 1 as foreground (`fg`) and its complement (`bg`). */
export interface GroupIou {
  fg: number;
  bg: number;
}

/** Output columns (or rows) that share the same pair of source samples. */
interface Runs {
  /** Source index of the first sample, per run. */
  src0: Int32Array;
  /** Source index of the second sample (clamped at the edge), per run. */
  src1: Int32Array;
  /** First output index of the run; `start[n]` = output size. */
  start: Int32Array;
  /** Interpolation weight of the second sample per output index. */
  weight: Float64Array;
}

/** The sample positions of `resizeBilinear` along one axis (half-pixel centres, clamped). */
function axisRuns(inSize: number, outSize: number, roundWeight: boolean): Runs {
  const s = inSize / outSize;
  const src0: number[] = [];
  const src1: number[] = [];
  const start: number[] = [];
  const weight = new Float64Array(outSize);
  let prev = -1;
  for (let o = 0; o < outSize; o++) {
    const f = Math.min(Math.max((o + 0.5) * s - 0.5, 0), inSize - 1);
    const i0 = Math.floor(f);
    // resizeBilinear keeps the x weights in a Float32Array and the y weight in a double.
    weight[o] = roundWeight ? Math.fround(f - i0) : f - i0;
    if (i0 !== prev) {
      src0.push(i0);
      src1.push(Math.min(i0 + 1, inSize - 1));
      start.push(o);
      prev = i0;
    }
  }
  start.push(outSize);
  return {
    src0: Int32Array.from(src0),
    src1: Int32Array.from(src1),
    start: Int32Array.from(start),
    weight,
  };
}

const MARGIN = 1e-6;

/**
 * IoU against `gt` (non-zero = foreground) of each grouping's thresholded probability and of
 * its complement, exactly as {@link foregroundFromGroups} scores them (so the foreground IoU
 * of the standard protocol is `max(fg, bg)` and the oracle's is the best `fg` over all
 * non-empty subsets), but without materialising any full-size image.
 *
 * @example
 * ```ts
 * const [g] = groupIous(stack, [new Uint8Array([1, 0, 0, 0])], gt);
 * const iou = Math.max(g.fg, g.bg);
 * ```
 */
export function groupIous(
  masks: MaskStack,
  groupings: readonly ArrayLike<number>[],
  gt: LabelImage,
): GroupIou[] {
  const { width: w, height: h, k, data } = masks;
  if (data.length !== w * h * k) {
    throw new RangeError(`groupIous: ${data.length} mask values for [${h},${w},${k}]`);
  }
  const { width: W, height: H } = gt;
  if (gt.data.length !== W * H) {
    throw new RangeError(`groupIous: GT has ${gt.data.length} pixels for ${W}×${H}`);
  }
  for (const g of groupings) {
    if (g.length !== k) throw new RangeError(`groupIous: grouping of ${g.length} for K = ${k}`);
  }
  const identity = w === W && h === H;
  const xs = axisRuns(w, W, true);
  const ys = axisRuns(h, H, false);
  const nq = xs.src0.length, nr = ys.src0.length;
  // GT foreground counts once per frame, shared by every grouping: per output row and x run
  // (`rowGt`), and per cell of an x run and a y run (`cellGt`, the rectangles that interpolate
  // between the same four source pixels).
  const rowGt = new Int32Array(identity ? 0 : H * nq);
  const cellGt = new Int32Array(identity ? 0 : nr * nq);
  let gtTotal = 0;
  if (identity) {
    for (let i = 0; i < W * H; i++) if (gt.data[i] !== 0) gtTotal++;
  } else {
    for (let r = 0; r < nr; r++) {
      for (let oy = ys.start[r]; oy < ys.start[r + 1]; oy++) {
        const row = oy * W;
        for (let q = 0; q < nq; q++) {
          let c = 0;
          for (let ox = xs.start[q]; ox < xs.start[q + 1]; ox++) if (gt.data[row + ox] !== 0) c++;
          rowGt[oy * nq + q] = c;
          cellGt[r * nq + q] += c;
          gtTotal += c;
        }
      }
    }
  }
  const out: GroupIou[] = [];
  const p = new Float32Array(w * h);
  for (const groups of groupings) {
    // The group's probability at the mask resolution, as `groupProbability` sums it.
    for (let i = 0; i < w * h; i++) {
      let s = 0;
      for (let c = 0; c < k; c++) if (groups[c]) s += data[i * k + c];
      p[i] = s;
    }
    let cntA = 0, interA = 0, cntB = 0, interB = 0;
    if (identity) {
      for (let i = 0; i < w * h; i++) {
        const v = p[i];
        const g = gt.data[i] !== 0 ? 1 : 0;
        if (v > 0.5) {
          cntA++;
          interA += g;
        }
        if (1 - v > 0.5) {
          cntB++;
          interB += g;
        }
      }
    } else {
      const hiCut = 0.5 + MARGIN, loCut = 0.5 - MARGIN;
      for (let r = 0; r < nr; r++) {
        const ya = ys.src0[r] * w, yb = ys.src1[r] * w;
        const oy0 = ys.start[r], oy1 = ys.start[r + 1];
        for (let q = 0; q < nq; q++) {
          const xa = xs.src0[q], xb = xs.src1[q];
          const A = p[ya + xa], B = p[ya + xb], D = p[yb + xa], E = p[yb + xb];
          if (A > hiCut && B > hiCut && D > hiCut && E > hiCut) {
            cntA += (oy1 - oy0) * (xs.start[q + 1] - xs.start[q]);
            interA += cellGt[r * nq + q];
          } else if (A < loCut && B < loCut && D < loCut && E < loCut) {
            cntB += (oy1 - oy0) * (xs.start[q + 1] - xs.start[q]);
            interB += cellGt[r * nq + q];
          } else {
            // Straddles 0.5 (or holds a non-finite value). Along one output row v is affine in
            // the x weight, so its extremes are at the row's ends: decide whole rows from them
            // where they agree clearly, else resizeBilinear's arithmetic pixel by pixel.
            const ox0 = xs.start[q], ox1 = xs.start[q + 1];
            const wl = xs.weight[ox0], wr = xs.weight[ox1 - 1];
            for (let oy = oy0; oy < oy1; oy++) {
              const wy = ys.weight[oy];
              const vl = (A * (1 - wl) + B * wl) * (1 - wy) + (D * (1 - wl) + E * wl) * wy;
              const vr = (A * (1 - wr) + B * wr) * (1 - wy) + (D * (1 - wr) + E * wr) * wy;
              if (vl > hiCut && vr > hiCut) {
                cntA += ox1 - ox0;
                interA += rowGt[oy * nq + q];
                continue;
              }
              if (vl < loCut && vr < loCut) {
                cntB += ox1 - ox0;
                interB += rowGt[oy * nq + q];
                continue;
              }
              for (let ox = ox0; ox < ox1; ox++) {
                const wx = xs.weight[ox];
                const top = A * (1 - wx) + B * wx;
                const bot = D * (1 - wx) + E * wx;
                const v = Math.fround(top * (1 - wy) + bot * wy);
                const g = gt.data[oy * W + ox] !== 0 ? 1 : 0;
                if (v > 0.5) {
                  cntA++;
                  interA += g;
                }
                if (1 - v > 0.5) {
                  cntB++;
                  interB += g;
                }
              }
            }
          }
        }
      }
    }
    const iou = (inter: number, cnt: number) => {
      const union = cnt + gtTotal - inter;
      return union === 0 ? 1 : inter / union;
    };
    out.push({ fg: iou(interA, cntA), bg: iou(interB, cntB) });
  }
  return out;
}

/** Every non-empty subset of K components as a grouping, in `oracleBipartition`'s order. */
export function allSubsets(k: number): Uint8Array[] {
  if (!Number.isInteger(k) || k < 1 || k > 16) {
    throw new RangeError(`allSubsets: K = ${k} must be an integer in 1…16`);
  }
  return Array.from({ length: (1 << k) - 1 }, (_, j) => {
    const g = new Uint8Array(k);
    for (let c = 0; c < k; c++) g[c] = ((j + 1) >> c) & 1;
    return g;
  });
}

/**
 * The three scores of one frame the evaluation reports, in one pass: the standard protocol's
 * IoU for each given grouping (better of the group and its complement) and the ORACLE best
 * union of components (an upper bound that uses the labels, labelled as such).
 */
export function frameScores(
  masks: MaskStack,
  groupings: readonly ArrayLike<number>[],
  gt: LabelImage,
): { merged: number[]; oracle: number } {
  const subsets = allSubsets(masks.k);
  const ious = groupIous(masks, [...groupings, ...subsets], gt);
  const merged = ious.slice(0, groupings.length).map((r) => (r.fg >= r.bg ? r.fg : r.bg));
  let oracle = -Infinity;
  for (const r of ious.slice(groupings.length)) if (r.fg > oracle) oracle = r.fg;
  return { merged, oracle };
}
