/**
 * Optical-flow accuracy: average end-point error (EPE) and the share of pixels within 1, 3 and
 * 5 px, over the pixels a valid mask allows (Middlebury / Sintel convention).
 * @module
 */

import type { FlowField } from "./types.ts";

/** Flow accuracy over `count` valid pixels. */
export interface FlowErrorStats {
  /** Mean end-point error ‖est − gt‖₂ in pixels. */
  epe: number;
  /** Share (0…1) of valid pixels with EPE < 1 px. */
  within1: number;
  /** Share with EPE < 3 px. */
  within3: number;
  /** Share with EPE < 5 px. */
  within5: number;
  /** Number of valid pixels scored. */
  count: number;
}

/** Options of {@link flowError}. */
export interface FlowErrorOptions {
  /** Per-pixel mask: nonzero = score this pixel. Default: every pixel with finite GT. */
  valid?: Uint8Array;
}

/**
 * End-point error of `est` against `gt` (same size). Pixels whose ground truth is not finite
 * (or beyond 1e9, the Middlebury "unknown" marker) are skipped; a non-finite estimate counts
 * as an infinite error (so it fails every threshold and makes `epe` Infinity).
 */
export function flowError(
  est: FlowField,
  gt: FlowField,
  opts: FlowErrorOptions = {},
): FlowErrorStats {
  if (est.width !== gt.width || est.height !== gt.height) {
    throw new RangeError(
      `flowError: estimate is ${est.width}×${est.height}, ground truth ${gt.width}×${gt.height}`,
    );
  }
  const n = gt.width * gt.height;
  const valid = opts.valid;
  if (valid && valid.length !== n) {
    throw new RangeError(`flowError: valid mask has ${valid.length} pixels, expected ${n}`);
  }
  let sum = 0;
  let c1 = 0;
  let c3 = 0;
  let c5 = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (valid && !valid[i]) continue;
    const gu = gt.uv[2 * i];
    const gv = gt.uv[2 * i + 1];
    if (!(Math.abs(gu) < 1e9 && Math.abs(gv) < 1e9)) continue;
    const du = est.uv[2 * i] - gu;
    const dv = est.uv[2 * i + 1] - gv;
    let e = Math.sqrt(du * du + dv * dv);
    if (!Number.isFinite(e)) e = Infinity;
    sum += e;
    count++;
    if (e < 1) c1++;
    if (e < 3) c3++;
    if (e < 5) c5++;
  }
  const d = Math.max(count, 1);
  return {
    epe: count ? sum / count : NaN,
    within1: c1 / d,
    within3: c3 / d,
    within5: c5 / d,
    count,
  };
}

/** A mask that excludes a `border`-pixel frame around the image (1 inside, 0 on the border). */
export function interiorMask(width: number, height: number, border: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = border; y < height - border; y++) {
    m.fill(1, y * width + border, (y + 1) * width - border);
  }
  return m;
}
