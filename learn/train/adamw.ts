/**
 * AdamW (decoupled weight decay, bias-corrected moments) with global-norm gradient clipping and
 * a serialisable state, written with plain tf ops.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { NamedArray } from "../net/types.ts";

/** Hyper-parameters of {@link AdamW}. */
export interface AdamWConfig {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (PyTorch semantics: `p ← p − lr·wd·p`). */
  weightDecay?: number;
}

/** Serialised optimiser state: the step count and both moments per variable. */
export interface AdamWState {
  step: number;
  moments: NamedArray[];
}

/**
 * AdamW over a fixed list of variables. `apply(grads, lr)` performs one update with the given
 * learning rate (the caller owns the schedule).
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  #vars: tf.Variable[];
  #m: tf.Variable[];
  #v: tf.Variable[];
  #step = 0;

  /** Create an optimiser for `variables` (zero moments, step 0). */
  constructor(variables: tf.Variable[], cfg: AdamWConfig = {}) {
    this.beta1 = cfg.beta1 ?? 0.9;
    this.beta2 = cfg.beta2 ?? 0.999;
    this.epsilon = cfg.epsilon ?? 1e-8;
    this.weightDecay = cfg.weightDecay ?? 0.01;
    this.#vars = variables;
    const zeros = (v: tf.Variable) => {
      const z = tf.zerosLike(v);
      const out = tf.variable(z, false);
      z.dispose(); // the variable keeps its own reference to the data
      return out;
    };
    this.#m = variables.map(zeros);
    this.#v = variables.map(zeros);
  }

  /** Number of updates applied so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * Apply one update. `grads` are in the order of the variables (missing ones are skipped).
   * Disposes nothing the caller passed in.
   */
  apply(grads: (tf.Tensor | undefined)[], lr: number): void {
    if (grads.length !== this.#vars.length) {
      throw new RangeError(`AdamW.apply: ${grads.length} gradients for ${this.#vars.length} vars`);
    }
    this.#step++;
    const t = this.#step;
    const bc1 = 1 - this.beta1 ** t;
    const bc2 = 1 - this.beta2 ** t;
    const stepSize = lr / bc1;
    tf.tidy(() => {
      for (let i = 0; i < this.#vars.length; i++) {
        const g = grads[i];
        if (!g) continue;
        const p = this.#vars[i];
        const m = tf.add(tf.mul(this.#m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.#v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.#m[i].assign(m);
        this.#v[i].assign(v);
        const denom = tf.add(tf.sqrt(tf.div(v, bc2)), this.epsilon);
        const decayed = tf.mul(p, 1 - lr * this.weightDecay);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)));
      }
    });
  }

  /** The state as plain arrays (for checkpoints). */
  getState(): AdamWState {
    const moments: NamedArray[] = [];
    this.#vars.forEach((_, i) => {
      for (const [kind, mv] of [["m", this.#m[i]], ["v", this.#v[i]]] as const) {
        moments.push({
          name: `${i}/${kind}`,
          shape: mv.shape.slice(),
          data: Float32Array.from(mv.dataSync() as Float32Array),
        });
      }
    });
    return { step: this.#step, moments };
  }

  /** Restore a state produced by `getState` for the same variable list. */
  setState(state: AdamWState): void {
    if (state.moments.length !== 2 * this.#vars.length) {
      throw new RangeError(
        `AdamW.setState: ${state.moments.length} moment arrays for ${this.#vars.length} vars`,
      );
    }
    state.moments.forEach((a, j) => {
      const target = j % 2 === 0 ? this.#m[j >> 1] : this.#v[j >> 1];
      if (a.data.length !== target.size) {
        throw new RangeError(`AdamW.setState: moment "${a.name}" has the wrong size`);
      }
      tf.tidy(() => target.assign(tf.tensor(a.data, target.shape, "float32")));
    });
    this.#step = state.step;
  }

  /** Release the moment variables. */
  dispose(): void {
    for (const x of [...this.#m, ...this.#v]) x.dispose();
  }
}

/**
 * Scale gradients so their global L2 norm is at most `maxNorm` (PyTorch `clip_grad_norm_`:
 * factor `min(1, maxNorm / (norm + 1e-6))`). Returns new tensors (caller disposes) and the
 * pre-clipping norm as a scalar tensor (caller disposes).
 */
export function clipByGlobalNorm(
  grads: tf.Tensor[],
  maxNorm: number,
): { clipped: tf.Tensor[]; norm: tf.Scalar } {
  return tf.tidy(() => {
    const sq = grads.map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(sq.length ? tf.addN(sq) : tf.scalar(0)) as tf.Scalar;
    const factor = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    return { clipped: grads.map((g) => tf.mul(g, factor)), norm };
  });
}

/**
 * Learning rate at iteration `it` (0-based): linear warm-up from `lr/warmup` to `lr` over
 * `warmup` iterations, then polynomial decay `lr·(1 − p)^power` to 0 at `total`.
 */
export function learningRate(
  it: number,
  cfg: { lr: number; warmup: number; total: number; power?: number },
): number {
  const power = cfg.power ?? 0.9;
  if (it < cfg.warmup) return cfg.lr * (it + 1) / cfg.warmup;
  const span = Math.max(1, cfg.total - cfg.warmup);
  const p = Math.min(1, (it - cfg.warmup) / span);
  return cfg.lr * (1 - p) ** power;
}
