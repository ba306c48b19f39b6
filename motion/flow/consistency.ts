/**
 * Forward–backward consistency of optical flow (Sundaram, Brox & Keutzer, ECCV 2010): where
 * the flow t→t' and the flow back t'→t do not cancel, the pixel is occluded at t' or the flow is
 * wrong there. The flow-chain tracker stops tracks with this test; the training can drop such
 * pixels from Lf (`loss.flowConsistency`).
 * @module
 */
import { sampleFlow } from "../tracks/_propagate.ts";
import type { FlowField } from "../types.ts";

/** Thresholds of {@link isConsistent} (Sundaram et al.: alpha 0.01, beta 0.5 px²). */
export interface ConsistencyThresholds {
  alpha?: number;
  beta?: number;
}

/**
 * Whether a step w and the back-flow ŵ at its end cancel: |w + ŵ|² < alpha·(|w|² + |ŵ|²) + beta,
 * in squared pixels of the flow's own grid.
 */
export function isConsistent(
  wu: number,
  wv: number,
  bu: number,
  bv: number,
  alpha = 0.01,
  beta = 0.5,
): boolean {
  const su = wu + bu, sv = wv + bv;
  return su * su + sv * sv < alpha * (wu * wu + wv * wv + bu * bu + bv * bv) + beta;
}

/**
 * Per pixel of `flow` (t→t'), 1 where it is consistent with `back` (t'→t, sampled bilinearly at
 * x + flow(x), clamped to the frame) and 0 where it is not. Both fields are on one grid, in its
 * pixels.
 */
export function consistencyMask(
  flow: FlowField,
  back: FlowField,
  { alpha = 0.01, beta = 0.5 }: ConsistencyThresholds = {},
): Float32Array {
  const { width, height } = flow;
  if (back.width !== width || back.height !== height) {
    throw new RangeError(
      `consistencyMask: flow is ${width}×${height}, its back-flow ${back.width}×${back.height}`,
    );
  }
  const out = new Float32Array(width * height);
  const b = new Float32Array(2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const wu = flow.uv[2 * p], wv = flow.uv[2 * p + 1];
      sampleFlow(back.uv, width, height, x + wu, y + wv, b, 0);
      out[p] = isConsistent(wu, wv, b[0], b[1], alpha, beta) ? 1 : 0;
    }
  }
  return out;
}
