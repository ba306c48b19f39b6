/**
 * Dense long-term trajectories by chaining optical flow (Sundaram, Brox & Keutzer, ECCV 2010).
 * @module
 */

import type { RgbImage } from "../../video/types.ts";
import type { FlowEstimator } from "../flow/estimator.ts";
import { computeSequenceFlow, type SequenceFlowGap } from "../flow/sequence_flow.ts";
import type { FlowField, Tracks } from "../types.ts";
import { isConsistent } from "../flow/consistency.ts";
import { propagate, sampleFlow } from "./_propagate.ts";
import { checkFrames, type PointTracker, resolveQueries, type TrackOptions } from "./tracker.ts";

/** Options of {@link FlowChainTracker}. */
export interface FlowChainOptions {
  /** Estimator used when no precomputed flow is given (not disposed by the tracker). */
  estimator?: FlowEstimator;
  /** Precomputed gap-1 flows of the sequence (forward t→t+1, backward t→t−1), e.g. cached. */
  flows?: SequenceFlowGap;
  /**
   * Forward–backward consistency: a step w with back-flow ŵ (at the new position) passes when
   * |w + ŵ|² < alpha·(|w|² + |ŵ|²) + beta. Sundaram et al.: alpha 0.01, beta 0.5 px².
   */
  alpha?: number;
  beta?: number;
  /**
   * Motion-boundary stop (Sundaram et al.): a step fails where the flow's spatial gradient is
   * large, |∇u|² + |∇v|² > gamma·|w|² + delta (defaults 0.01, 0.002). Set gamma to Infinity to
   * disable. Without it, points next to a moving occluder get dragged along by smooth flow.
   */
  gamma?: number;
  delta?: number;
}

/**
 * Follows each query point by bilinearly sampling the flow at its subpixel position, forward with
 * t→t+1 flow and backward with t→t−1 flow; a step failing the forward–backward consistency
 * check (occlusion) stops the track (visible 0 from there on, position frozen).
 *
 * @example
 * ```ts
 * const tracker = new FlowChainTracker({ estimator: await createFlowEstimator("dis") });
 * const tracks = await tracker.track(frames, { stride: 8 });
 * ```
 */
export class FlowChainTracker implements PointTracker {
  readonly name = "flow-chain";
  #opts: FlowChainOptions;
  constructor(opts: FlowChainOptions) {
    if (!opts.estimator && !opts.flows) {
      throw new TypeError("flow-chain: needs an estimator or precomputed flows");
    }
    if (opts.flows && opts.flows.gap !== 1) {
      throw new RangeError(`flow-chain: precomputed flows must have gap 1, got ${opts.flows.gap}`);
    }
    this.#opts = opts;
  }

  async track(frames: RgbImage[], opts: TrackOptions = {}): Promise<Tracks> {
    checkFrames(this.name, frames);
    const { width, height } = frames[0];
    const T = frames.length;
    const queries = resolveQueries(width, height, T, opts);
    const flowPairs = this.#opts.flows ? 0 : 2 * (T - 1);
    const total = flowPairs + 2 * (T - 1);
    let done = 0;
    let flows = this.#opts.flows;
    if (!flows) {
      [flows] = await computeSequenceFlow(this.#opts.estimator!, frames, {
        gaps: [1],
        backward: true,
        onProgress: (d) => opts.onProgress?.(done = d, total),
      });
    }
    if (flows.forward.length !== T - 1 || flows.backward.length !== T) {
      throw new RangeError(
        `flow-chain: flows cover ${flows.forward.length + 1} frames, the sequence has ${T}`,
      );
    }
    const fwd = flows.forward;
    const bwd = flows.backward;
    const need = (f: FlowField | null | undefined, what: string): FlowField => {
      if (!f) throw new RangeError(`flow-chain: missing ${what}`);
      if (f.width !== width || f.height !== height) {
        throw new RangeError(
          `flow-chain: ${what} is ${f.width}×${f.height}, frames ${width}×${height}`,
        );
      }
      return f;
    };
    const alpha = this.#opts.alpha ?? 0.01;
    const beta = this.#opts.beta ?? 0.5;
    const gamma = this.#opts.gamma ?? 0.01;
    const delta = this.#opts.delta ?? 0.002;
    const w = new Float32Array(2);
    const g = new Float32Array(8);
    const wb = new Float32Array(2);
    const step = (
      from: number,
      to: number,
      pts: Float32Array,
      m: number,
      out: Float32Array,
      ok: Uint8Array,
    ) => {
      const f = need(to > from ? fwd[from] : bwd[from], `flow ${from}→${to}`);
      const b = need(to > from ? bwd[to] : fwd[to], `flow ${to}→${from}`);
      for (let a = 0; a < m; a++) {
        const x = pts[2 * a];
        const y = pts[2 * a + 1];
        sampleFlow(f.uv, width, height, x, y, w, 0);
        const nx = x + w[0];
        const ny = y + w[1];
        out[2 * a] = nx;
        out[2 * a + 1] = ny;
        sampleFlow(b.uv, width, height, nx, ny, wb, 0);
        let pass = isConsistent(w[0], w[1], wb[0], wb[1], alpha, beta);
        if (pass && gamma !== Infinity) {
          // Central differences of the flow at (x, y), one pixel apart.
          sampleFlow(f.uv, width, height, x + 1, y, g, 0);
          sampleFlow(f.uv, width, height, x - 1, y, g, 2);
          sampleFlow(f.uv, width, height, x, y + 1, g, 4);
          sampleFlow(f.uv, width, height, x, y - 1, g, 6);
          const ux = (g[0] - g[2]) / 2;
          const vx = (g[1] - g[3]) / 2;
          const uy = (g[4] - g[6]) / 2;
          const vy = (g[5] - g[7]) / 2;
          const grad = ux * ux + vx * vx + uy * uy + vy * vy;
          pass = grad <= gamma * (w[0] * w[0] + w[1] * w[1]) + delta;
        }
        ok[a] = pass ? 1 : 0;
      }
    };
    return await propagate(width, height, T, queries, step, () => {
      opts.onProgress?.(++done, total);
    });
  }

  dispose(): void {}
}
