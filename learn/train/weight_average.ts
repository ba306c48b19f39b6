/**
 * An exponential moving average of a network's weights (`train.ema`, not in the paper): after
 * step t (1-based), `avg ← d_t · avg + (1 − d_t) · w` with `d_t = min(decay, t / (t + 9))`, so the
 * first steps are not pulled towards the initial weights. Batch-norm running statistics are
 * averaged like every other weight. Plain float32 arrays: the state is exactly what a checkpoint
 * stores, so a resumed run continues the same sequence of averages.
 * @module
 */
import type { NamedArray } from "../net/types.ts";

/** The decay used after step `t` (1-based) for a nominal `decay`. */
export function averageDecay(decay: number, t: number): number {
  return Math.min(decay, t / (t + 9));
}

/** The running average of weights given as {@link NamedArray}s (same names and shapes each time). */
export class WeightAverage {
  #avg: NamedArray[] | null;

  /** `decay` in (0, 1); `state` resumes an average saved with {@link WeightAverage.state}. */
  constructor(readonly decay: number, state: NamedArray[] | null = null) {
    if (!(decay > 0 && decay < 1)) {
      throw new RangeError(`WeightAverage: decay must be in (0, 1), got ${decay}`);
    }
    this.#avg = state && state.map((a) => ({ ...a, shape: a.shape.slice(), data: a.data.slice() }));
  }

  /** Fold in the weights after step `t` (1-based). */
  update(weights: NamedArray[], t: number): void {
    if (!this.#avg) {
      this.#avg = weights.map((w) => ({ ...w, shape: w.shape.slice(), data: w.data.slice() }));
      return;
    }
    if (weights.length !== this.#avg.length) {
      throw new RangeError(
        `WeightAverage.update: ${weights.length} arrays, the average has ${this.#avg.length}`,
      );
    }
    const d = averageDecay(this.decay, t);
    for (let i = 0; i < weights.length; i++) {
      const a = this.#avg[i], w = weights[i];
      if (a.name !== w.name || a.data.length !== w.data.length) {
        throw new RangeError(
          `WeightAverage.update: array ${i} is "${w.name}", expected "${a.name}"`,
        );
      }
      const av = a.data, wv = w.data;
      for (let j = 0; j < av.length; j++) av[j] = d * av[j] + (1 - d) * wv[j];
    }
  }

  /** The averaged weights (a copy), or `null` before the first update. */
  state(): NamedArray[] | null {
    return this.#avg &&
      this.#avg.map((a) => ({ ...a, shape: a.shape.slice(), data: a.data.slice() }));
  }
}
