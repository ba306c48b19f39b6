/**
 * Forward and backward flow for a whole sequence at given frame gaps.
 * @module
 */

import type { RgbImage } from "../../video/types.ts";
import type { FlowField } from "../types.ts";
import type { FlowEstimator } from "./estimator.ts";

/** Flows of one sequence for one gap g. */
export interface SequenceFlowGap {
  gap: number;
  /** `forward[t]`: flow t → t+g, for t = 0 … numFrames − g − 1. */
  forward: FlowField[];
  /** `backward[t]`: flow t → t−g, indexed by the source frame t; entries t < g are null. */
  backward: (FlowField | null)[];
}

/** Options of {@link computeSequenceFlow}. */
export interface SequenceFlowOptions {
  /** Frame gaps (default [1]). */
  gaps?: number[];
  /** Compute backward flow too (default true). */
  backward?: boolean;
  /** Called after each estimated pair. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Estimate forward (t → t+g) and, by default, backward (t → t−g) flow for every frame and gap.
 * Pairs are passed to the estimator as `{from, to}` so the `gt` oracle works here too.
 *
 * @example
 * ```ts
 * const est = await createFlowEstimator("dis");
 * const [g1] = await computeSequenceFlow(est, frames, { gaps: [1] });
 * est.dispose();
 * ```
 */
export async function computeSequenceFlow(
  estimator: FlowEstimator,
  frames: RgbImage[],
  opts: SequenceFlowOptions = {},
): Promise<SequenceFlowGap[]> {
  const gaps = opts.gaps ?? [1];
  const doBackward = opts.backward ?? true;
  for (const g of gaps) {
    if (!Number.isInteger(g) || g < 1) {
      throw new RangeError(`computeSequenceFlow: gaps must be positive integers, got ${g}`);
    }
  }
  const n = frames.length;
  let total = 0;
  for (const g of gaps) total += Math.max(0, n - g) * (doBackward ? 2 : 1);
  let done = 0;
  const out: SequenceFlowGap[] = [];
  for (const gap of gaps) {
    const forward: FlowField[] = [];
    const backward: (FlowField | null)[] = new Array(n).fill(null);
    for (let t = 0; t + gap < n; t++) {
      forward.push(await estimator.estimate(frames[t], frames[t + gap], { from: t, to: t + gap }));
      opts.onProgress?.(++done, total);
      if (doBackward) {
        backward[t + gap] = await estimator.estimate(frames[t + gap], frames[t], {
          from: t + gap,
          to: t,
        });
        opts.onProgress?.(++done, total);
      }
    }
    out.push({ gap, forward, backward });
  }
  return out;
}
