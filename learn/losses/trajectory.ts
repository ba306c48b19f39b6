/**
 * The low-rank trajectory loss Lt (PAPER.md "Trajectory loss"), exact in float64 on the CPU:
 * the 2T×2T Gram matrices P_k P_kᵀ, their eigendecompositions and the analytic gradient
 * (learn/losses/lt_kernels.ts: a native C++ shim when built, else pure JS).
 *
 * Units. Lt grows linearly with the coordinates' scale and, for a fixed distribution of tracks,
 * with √N (G = Σ_n w_n² c_n c_nᵀ is a sum over tracks). The paper computes it in pixels of the
 * 854×480 frame with N = 70 000 tracks; `coordScale` and `trackScale` reproduce those units when
 * the working frame or N are smaller (training converts the coordinates in learn/train/batch.ts
 * and sets `trackScale` in learn/train/train.ts; see README "Loss units").
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { type LtKernels, ltKernels, type LtKernelsName } from "./lt_kernels.ts";
import type { TrajectoryLossVariant } from "./params.ts";

/** Formulations of the trajectory loss (the paper's alternative-formulation table). */
export type { TrajectoryLossVariant };

/** Options of {@link trajectoryLoss}. */
export interface TrajectoryLossOptions {
  /** r: number of leading singular values left free (paper default 5). */
  rank: number;
  /**
   * - `tail` (proposed, default): Σ_{i>r} σ_i(P_k)
   * - `nuclear`: Σ_i σ_i(P_k)
   * - `squared-tail`: Σ_{i>r} σ_i(P_k)²
   * - `normalised-tail`: Σ_{i>r} σ_i / Σ_i σ_i
   */
  variant?: TrajectoryLossVariant;
  /**
   * Units of the coordinates: the x rows are multiplied by `sx` and the y rows by `sy`
   * (`[sx, sy]`, or one number for both) before the loss, exactly (inside the float64 Gram).
   * Default 1: the coordinates as given.
   */
  coordScale?: number | readonly [number, number];
  /**
   * Rescale Lt to `trackScale` times as many tracks (e.g. paper N / N): the value is that of
   * the N tracks each repeated `trackScale` times, i.e. σ_i × √trackScale (`tail`, `nuclear`
   * × √s, `squared-tail` × s, `normalised-tail` unchanged). Default 1.
   */
  trackScale?: number;
  /**
   * Also differentiate w.r.t. the coordinates (default false: they are data, and their gradient
   * costs as much as the weights'). `coords` must then be a tensor.
   */
  coordsGrad?: boolean;
  /** CPU kernels (default `auto`: native when built). */
  kernels?: LtKernelsName;
}

/** Coordinates already on the CPU: float32 [B, 2T, N] (all x rows, then all y rows). */
export interface TrackMatrix {
  data: Float32Array;
  shape: readonly [number, number, number];
}

/**
 * A component whose smallest σ from the Gram matrix is below `REFINE_BELOW · σ₁` is refined:
 * Gram eigenvalues are accurate only to ~2T·ε·λ₁ (σ to ~1e-7·σ₁), and the error of a small
 * direction's projection u_iᵀc grows like ε·(σ₁/σ_i)² (≈ 2e-4 at σ_i = 1e-6·σ₁). Its trajectories are rotated into the
 * eigenbasis in float64 and the Gram matrix of the rotated (nearly orthogonal, graded) rows is
 * decomposed by Jacobi rotations, which resolve small σ to a small relative error. This
 * happens for near-degenerate P (exact synthetic tracks, N < 2T, the repeated frames of a
 * reflect-padded window); noisy tracks (σ_min ≈ 1e-5·σ₁ for 0.3 px noise in 854-px units)
 * pay nothing.
 */
export const REFINE_BELOW = 1e-6;

/**
 * Singular values at or below `SIGMA_FLOOR · σ₁` (after refinement) are treated as exactly 0:
 * they carry neither value nor gradient. They are the null directions of a rank-deficient P,
 * whose gradient is exactly zero; computed, they come out at round-off (< 1e-13·σ₁), where the
 * 1/σ of the gradient would turn round-off into weight.
 */
export const SIGMA_FLOOR = 1e-11;

/** Factor of the loss when every σ is multiplied by √s (the `trackScale` rule). */
export function trackScaleFactor(variant: TrajectoryLossVariant, s: number): number {
  switch (variant) {
    case "tail":
    case "nuclear":
      return Math.sqrt(s);
    case "squared-tail":
      return s;
    case "normalised-tail":
      return 1;
  }
}

/** Per-(b,k) loss and gradient coefficients c_i (∂L/∂w_n = w_n Σ_i c_i (u_iᵀ c_n)²). */
function spectral(
  sigmaIn: Float64Array,
  n: number,
  rank: number,
  variant: TrajectoryLossVariant,
  c: Float64Array,
): number {
  const sigma = Float64Array.from(sigmaIn);
  const floor = Math.max(...sigma) * SIGMA_FLOOR;
  for (let i = 0; i < n; i++) if (!(sigma[i] > floor)) sigma[i] = 0;
  let tail = 0, total = 0, sqTail = 0;
  for (let i = 0; i < n; i++) {
    total += sigma[i];
    if (i >= rank) {
      tail += sigma[i];
      sqTail += sigma[i] * sigma[i];
    }
  }
  c.fill(0);
  switch (variant) {
    case "tail":
      for (let i = rank; i < n; i++) if (sigma[i] > 0) c[i] = 1 / sigma[i];
      return tail;
    case "nuclear":
      for (let i = 0; i < n; i++) if (sigma[i] > 0) c[i] = 1 / sigma[i];
      return total;
    case "squared-tail":
      for (let i = rank; i < n; i++) if (sigma[i] > 0) c[i] = 2;
      return sqTail;
    case "normalised-tail": {
      if (total <= 0) return 0;
      for (let i = 0; i < n; i++) {
        if (!(sigma[i] > 0)) continue;
        const inv = 1 / sigma[i];
        c[i] = (i >= rank ? inv / total : 0) - (tail * inv) / (total * total);
      }
      return tail / total;
    }
    default:
      throw new TypeError(`learn/losses/trajectory.ts: unknown variant "${variant as string}"`);
  }
}

/** The CPU part of Lt for one batch: value and everything its gradient needs. */
export interface TrajectorySpectra {
  /** Mean over batch and components (already multiplied by the trackScale factor). */
  value: number;
  /** Per-(b,k) values (unscaled by trackScale), b-major. */
  perComponent: Float64Array;
  /** Gradient basis [B·K][2T][mp]: columns row-scale ⊙ u_i for directions with c_i ≠ 0. */
  basis: Float64Array;
  /** Their coefficients c_i, [B·K][mp]. */
  coef: Float64Array;
  /** Number of columns used per (b,k). */
  active: Int32Array;
  mp: number;
  /** trackScale factor ÷ (B·K): multiplies the per-(b,k) gradients. */
  gradScale: number;
}

/** Row scale vector of length 2T from `coordScale`. */
function rowScale(t2: number, s: TrajectoryLossOptions["coordScale"]): Float64Array | null {
  if (s === undefined || s === 1) return null;
  const [sx, sy] = typeof s === "number" ? [s, s] : s;
  if (!(sx > 0) || !(sy > 0)) {
    throw new RangeError(`learn/losses/trajectory.ts: coordScale must be > 0, got [${sx}, ${sy}]`);
  }
  const d = new Float64Array(t2);
  for (let r = 0; r < t2; r++) d[r] = r < t2 / 2 ? sx : sy;
  return d;
}

/**
 * Refines, in place, σ and the eigenvectors (rows of `vectors`, per (b,k) 2T×2T) of the
 * components whose smallest σ is below REFINE_BELOW·σ₁ (see there).
 */
function refine(
  c: Float32Array,
  w: Float32Array,
  dims: [number, number, number, number],
  d: Float64Array | null,
  sigma: Float64Array,
  vectors: Float64Array,
  kernels: LtKernels,
): void {
  const [b, t2, , k] = dims;
  const active = new Int32Array(b * k);
  let any = false;
  for (let m = 0; m < b * k; m++) {
    if (sigma[m * t2 + t2 - 1] < REFINE_BELOW * sigma[m * t2]) {
      active[m] = t2;
      any = true;
    }
  }
  if (!any) return;
  const mp = Math.ceil(t2 / 16) * 16;
  const basis = new Float64Array(b * k * t2 * mp);
  for (let m = 0; m < b * k; m++) {
    if (!active[m]) continue;
    for (let j = 0; j < t2; j++) {
      const u = m * t2 * t2 + j * t2;
      for (let r = 0; r < t2; r++) {
        basis[m * t2 * mp + r * mp + j] = (d ? d[r] : 1) * vectors[u + r];
      }
    }
  }
  const h = kernels.projGrams(c, w, dims, basis, mp, active);
  const ids = [...active.keys()].filter((m) => active[m]);
  const blocks = new Float64Array(ids.length * t2 * t2);
  ids.forEach((m, q) => {
    for (let i = 0; i < t2; i++) {
      for (let j = 0; j < t2; j++) blocks[(q * t2 + i) * t2 + j] = h[m * mp * mp + i * mp + j];
    }
  });
  const e = kernels.jacobi(blocks, t2, ids.length);
  ids.forEach((m, q) => {
    const old = vectors.slice(m * t2 * t2, (m + 1) * t2 * t2);
    for (let j = 0; j < t2; j++) {
      sigma[m * t2 + j] = Math.sqrt(Math.max(e.values[q * t2 + j], 0));
      const vj = (q * t2 + j) * t2;
      const dst = m * t2 * t2 + j * t2;
      for (let r = 0; r < t2; r++) {
        let v = 0;
        for (let a = 0; a < t2; a++) v += e.vectors[vj + a] * old[a * t2 + r];
        vectors[dst + r] = v;
      }
    }
  });
}

/**
 * Value of Lt and its gradient data from CPU arrays (the float64 core of
 * {@link trajectoryLoss}; also usable without tfjs).
 */
export function trajectorySpectra(
  c: Float32Array,
  w: Float32Array,
  dims: [number, number, number, number],
  opts: TrajectoryLossOptions,
  kernels: LtKernels = ltKernels(opts.kernels),
): TrajectorySpectra {
  const [b, t2, n, k] = dims;
  const variant = opts.variant ?? "tail";
  const ts = opts.trackScale ?? 1;
  if (!(ts > 0)) {
    throw new RangeError(`learn/losses/trajectory.ts: trackScale must be > 0, got ${ts}`);
  }
  const grams = kernels.grams(c, w, b, t2, n, k);
  const d = rowScale(t2, opts.coordScale);
  if (d) {
    for (let m = 0; m < b * k; m++) {
      const o = m * t2 * t2;
      for (let r = 0; r < t2; r++) {
        for (let s = 0; s < t2; s++) grams[o + r * t2 + s] *= d[r] * d[s];
      }
    }
  }
  const { values, vectors } = kernels.eigh(grams, t2, b * k);
  const sigma = new Float64Array(b * k * t2);
  for (let i = 0; i < sigma.length; i++) sigma[i] = Math.sqrt(Math.max(values[i], 0));
  refine(c, w, dims, d, sigma, vectors, kernels);
  const coefs = new Float64Array(b * k * t2);
  const perComponent = new Float64Array(b * k);
  const active = new Int32Array(b * k);
  let total = 0;
  for (let m = 0; m < b * k; m++) {
    const cm = coefs.subarray(m * t2, (m + 1) * t2);
    perComponent[m] = spectral(sigma.subarray(m * t2, (m + 1) * t2), t2, opts.rank, variant, cm);
    total += perComponent[m];
    for (let i = 0; i < t2; i++) if (cm[i] !== 0) active[m]++;
  }
  let maxActive = 0;
  for (const a of active) maxActive = Math.max(maxActive, a);
  const mp = Math.max(16, Math.ceil(maxActive / 16) * 16);
  const basis = new Float64Array(b * k * t2 * mp);
  const coef = new Float64Array(b * k * mp);
  for (let m = 0; m < b * k; m++) {
    let col = 0;
    for (let i = 0; i < t2; i++) {
      const ci = coefs[m * t2 + i];
      if (ci === 0) continue;
      coef[m * mp + col] = ci;
      const u = m * t2 * t2 + i * t2;
      for (let r = 0; r < t2; r++) {
        basis[m * t2 * mp + r * mp + col] = (d ? d[r] : 1) * vectors[u + r];
      }
      col++;
    }
  }
  const factor = trackScaleFactor(variant, ts);
  return {
    value: (factor * total) / (b * k),
    perComponent,
    basis,
    coef,
    active,
    mp,
    gradScale: factor / (b * k),
  };
}

/**
 * Lt: mean over batch and components of the truncated nuclear norm of
 * P_k = [X; Y]·diag(w_k) (or one of the alternative formulations), in the units set by
 * `coordScale` and `trackScale`.
 *
 * @param coords [B, 2T, N] absolute pixel coordinates: T rows of x, then T rows of y; a tensor
 *   or, to skip a GPU/wasm round trip, the float32 values already on the CPU.
 * @param weights [B, K, N] soft mask values at the tracks (in (0, 1)).
 * @returns a scalar, differentiable w.r.t. `weights` (and `coords` with `coordsGrad`):
 *   ∂L/∂w_kn = w_kn Σ_i c_i (u_iᵀ c_n)² from the eigenpairs of P_k P_kᵀ, in float64.
 *
 * Reads `weights` (and a tensor `coords`) back to the CPU with a synchronous `dataSync`; call
 * it inside `tf.grads`/`optimizer.minimize` like any loss.
 */
export function trajectoryLoss(
  coords: tf.Tensor3D | TrackMatrix,
  weights: tf.Tensor3D,
  opts: TrajectoryLossOptions,
): tf.Scalar {
  const isTensor = coords instanceof tf.Tensor;
  const [b, t2, n] = coords.shape;
  const [bw, k, nw] = weights.shape;
  if (bw !== b || nw !== n) {
    throw new RangeError(
      `learn/losses/trajectory.ts: coords [${coords.shape}] and weights [${weights.shape}] ` +
        "must share batch and N",
    );
  }
  if (t2 % 2 !== 0) {
    throw new RangeError(`learn/losses/trajectory.ts: coords rows must be 2T, got ${t2}`);
  }
  if (!(opts.rank >= 0)) {
    throw new RangeError(`learn/losses/trajectory.ts: rank must be >= 0, got ${opts.rank}`);
  }
  if (!isTensor && coords.data.length !== b * t2 * n) {
    throw new RangeError(
      `learn/losses/trajectory.ts: coords hold ${coords.data.length} values, not ${b}·${t2}·${n}`,
    );
  }
  if (opts.coordsGrad && !isTensor) {
    throw new TypeError("learn/losses/trajectory.ts: coordsGrad needs coords as a tensor");
  }
  const kernels = ltKernels(opts.kernels);
  const dims: [number, number, number, number] = [b, t2, n, k];
  const cpuCoords = () =>
    isTensor ? (coords as tf.Tensor3D).dataSync() as Float32Array : (coords as TrackMatrix).data;
  const forward = (ww: tf.Tensor3D) => {
    const c = cpuCoords();
    const w = ww.dataSync() as Float32Array;
    return { c, w, spec: trajectorySpectra(c, w, dims, opts, kernels) };
  };
  const dwOf = (c: Float32Array, w: Float32Array, s: TrajectorySpectra) =>
    kernels.gradW(c, w, dims, s.basis, s.coef, s.mp, s.active, s.gradScale);
  if (opts.coordsGrad) {
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const ww = args[1] as tf.Tensor3D;
      const { c, w, spec } = forward(ww);
      return {
        value: tf.scalar(spec.value),
        gradFunc: (dy: tf.Tensor) => {
          const dc = kernels.gradC(
            c,
            w,
            dims,
            spec.basis,
            spec.coef,
            spec.mp,
            spec.active,
            spec.gradScale,
          );
          const dw = dwOf(c, w, spec);
          return tf.tidy(() => [
            tf.mul(tf.tensor3d(dc, [b, t2, n]), dy),
            tf.mul(tf.tensor3d(dw, [b, k, n]), dy),
          ]);
        },
      };
    });
    return f(coords as tf.Tensor3D, weights) as tf.Scalar;
  }
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const ww = args[0] as tf.Tensor3D;
    const { c, w, spec } = forward(ww);
    return {
      value: tf.scalar(spec.value),
      gradFunc: (dy: tf.Tensor) => {
        const dw = dwOf(c, w, spec);
        return tf.tidy(() => tf.mul(tf.tensor3d(dw, [b, k, n]), dy));
      },
    };
  });
  return f(weights) as tf.Scalar;
}
