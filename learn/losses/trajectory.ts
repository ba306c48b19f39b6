/**
 * The low-rank trajectory loss Lt (PAPER.md "Trajectory loss"), exact through the 2T×2T Gram
 * matrix and a float64 eigendecomposition, with an analytic gradient.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { eigh } from "./eigh.ts";

/** Formulations of the trajectory loss (the paper's alternative-formulation table). */
export type TrajectoryLossVariant = "tail" | "nuclear" | "squared-tail" | "normalised-tail";

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
   * One refinement pass (default true): rotate P by the first eigenvectors, take the Gram of
   * the rotated matrix and decompose again. Makes the small (tail) singular values accurate to
   * float32 round-off of P instead of √ε·σ₁ of a float32 Gram; costs two more matmuls.
   */
  refine?: boolean;
}

/** Relative floor for σ in the 1/σ of the gradient (σ → 0 guard). */
const SIGMA_FLOOR = 1e-7;

/** Per-(b,k) result of the spectral part: loss value and gradient operator M (∂L/∂P = M P). */
interface Spectral {
  loss: number;
  m: Float64Array;
}

/** Loss value and M (2T×2T, row-major) from the eigenpairs of G = P Pᵀ. */
function spectral(
  values: Float64Array,
  vectors: Float64Array,
  n: number,
  rank: number,
  variant: TrajectoryLossVariant,
): Spectral {
  const sigma = new Float64Array(n);
  for (let i = 0; i < n; i++) sigma[i] = Math.sqrt(Math.max(values[i], 0));
  const floor = Math.max(sigma[0] * SIGMA_FLOOR, 1e-30);
  let tail = 0, total = 0, sqTail = 0;
  for (let i = 0; i < n; i++) {
    total += sigma[i];
    if (i >= rank) {
      tail += sigma[i];
      sqTail += sigma[i] * sigma[i];
    }
  }
  // coefficient c_i so that M = Σ_i c_i u_i u_iᵀ
  const c = new Float64Array(n);
  let loss: number;
  switch (variant) {
    case "tail":
      loss = tail;
      for (let i = rank; i < n; i++) c[i] = 1 / Math.max(sigma[i], floor);
      break;
    case "nuclear":
      loss = total;
      for (let i = 0; i < n; i++) c[i] = 1 / Math.max(sigma[i], floor);
      break;
    case "squared-tail":
      loss = sqTail;
      for (let i = rank; i < n; i++) c[i] = 2;
      break;
    case "normalised-tail": {
      if (total <= 0) {
        loss = 0;
        break;
      }
      loss = tail / total;
      for (let i = 0; i < n; i++) {
        const inv = 1 / Math.max(sigma[i], floor);
        c[i] = (i >= rank ? inv / total : 0) - (tail * inv) / (total * total);
      }
      break;
    }
    default:
      throw new TypeError(`learn/losses/trajectory.ts: unknown variant "${variant as string}"`);
  }
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (c[i] === 0) continue;
    for (let a = 0; a < n; a++) {
      const ua = c[i] * vectors[a * n + i];
      if (ua === 0) continue;
      for (let b = 0; b < n; b++) m[a * n + b] += ua * vectors[b * n + i];
    }
  }
  return { loss, m };
}

/** P_k = C·diag(w_k) for one component: [B, 2T, N] (one k at a time bounds memory). */
function scaled(coords: tf.Tensor3D, weights: tf.Tensor3D, kk: number): tf.Tensor3D {
  const [b, , n] = coords.shape;
  return tf.mul(coords, tf.slice(weights, [0, kk, 0], [b, 1, n]));
}

/** G_k = P_k P_kᵀ for all (b, k) as one [B*K, 2T, 2T] tensor, b-major (caller disposes). */
function grams(coords: tf.Tensor3D, weights: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, t2] = coords.shape;
    const k = weights.shape[1];
    const gs: tf.Tensor[] = [];
    for (let kk = 0; kk < k; kk++) {
      const p = scaled(coords, weights, kk);
      gs.push(tf.matMul(p, p, false, true));
    }
    return tf.reshape(tf.stack(gs, 1), [b * k, t2, t2]) as tf.Tensor3D;
  });
}

/** Rotated Grams (Uᵀ P)(Uᵀ P)ᵀ for refinement; `u` is [B*K, 2T, 2T] (columns = eigenvectors). */
function rotatedGrams(coords: tf.Tensor3D, weights: tf.Tensor3D, u: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, t2] = coords.shape;
    const k = weights.shape[1];
    const u4 = tf.reshape(u, [b, k, t2, t2]);
    const gs: tf.Tensor[] = [];
    for (let kk = 0; kk < k; kk++) {
      const uk = tf.reshape(tf.slice(u4, [0, kk, 0, 0], [b, 1, t2, t2]), [b, t2, t2]);
      const z = tf.matMul(uk as tf.Tensor3D, scaled(coords, weights, kk), true, false);
      gs.push(tf.matMul(z, z, false, true));
    }
    return tf.reshape(tf.stack(gs, 1), [b * k, t2, t2]) as tf.Tensor3D;
  });
}

/**
 * Eigenpairs of every P_k P_kᵀ (float64), optionally refined; returns per-(b,k) spectral data.
 */
function decompose(
  coords: tf.Tensor3D,
  weights: tf.Tensor3D,
  opts: TrajectoryLossOptions,
): Spectral[] {
  const t2 = coords.shape[1];
  const bk = coords.shape[0] * weights.shape[1];
  const variant = opts.variant ?? "tail";
  const g = grams(coords, weights);
  const gv = g.dataSync();
  g.dispose();
  const eig = [];
  for (let i = 0; i < bk; i++) eig.push(eigh(gv.subarray(i * t2 * t2, (i + 1) * t2 * t2), t2));
  if (opts.refine ?? true) {
    const uAll = new Float32Array(bk * t2 * t2);
    for (let i = 0; i < bk; i++) uAll.set(eig[i].vectors, i * t2 * t2);
    const u = tf.tensor3d(uAll, [bk, t2, t2]);
    const g2 = rotatedGrams(coords, weights, u);
    u.dispose();
    const g2v = g2.dataSync();
    g2.dispose();
    for (let i = 0; i < bk; i++) {
      // U' = U W where W diagonalises Uᵀ G U; U is the float32-rounded U used on the device.
      const w = eigh(g2v.subarray(i * t2 * t2, (i + 1) * t2 * t2), t2);
      const uf = uAll.subarray(i * t2 * t2, (i + 1) * t2 * t2);
      const uw = new Float64Array(t2 * t2);
      for (let r = 0; r < t2; r++) {
        for (let j = 0; j < t2; j++) {
          const ur = uf[r * t2 + j];
          if (ur === 0) continue;
          for (let c = 0; c < t2; c++) uw[r * t2 + c] += ur * w.vectors[j * t2 + c];
        }
      }
      eig[i] = { n: t2, values: w.values, vectors: uw };
    }
  }
  return eig.map((e) => spectral(e.values, e.vectors, t2, opts.rank, variant));
}

/**
 * Lt: mean over batch and components of the truncated nuclear norm of
 * P_k = [X; Y]·diag(w_k) (or one of the alternative formulations).
 *
 * @param coords [B, 2T, N] absolute pixel coordinates: T rows of x, then T rows of y.
 * @param weights [B, K, N] soft mask values at the tracks (in (0, 1)).
 * @returns a scalar; differentiable w.r.t. `weights` (and `coords`) through an analytic
 *   gradient ∂L/∂P = M P with M = Σ_i c_i u_i u_iᵀ from the eigenpairs of P Pᵀ.
 *
 * Reads the Gram matrices back to the CPU (a synchronous `dataSync`) to decompose them in
 * float64; call it inside `tf.grads`/`optimizer.minimize` like any loss.
 */
export function trajectoryLoss(
  coords: tf.Tensor3D,
  weights: tf.Tensor3D,
  opts: TrajectoryLossOptions,
): tf.Scalar {
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
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [cc, ww, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    const spec = decompose(cc, ww, opts);
    let total = 0;
    for (const s of spec) total += s.loss;
    save([cc, ww]);
    const mAll = new Float32Array(b * k * t2 * t2);
    spec.forEach((s, i) => mAll.set(s.m, i * t2 * t2));
    return {
      value: tf.scalar(total / (b * k)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [cs, ws] = saved as [tf.Tensor3D, tf.Tensor3D];
        return tf.tidy(() => {
          const scale = tf.div(dy, b * k);
          const m = tf.reshape(tf.tensor(mAll), [b, k, t2, t2]);
          const dws: tf.Tensor[] = [];
          let dc: tf.Tensor = tf.zerosLike(cs);
          for (let kk = 0; kk < k; kk++) {
            const mk = tf.reshape(tf.slice(m, [0, kk, 0, 0], [b, 1, t2, t2]), [b, t2, t2]);
            const wk = tf.slice(ws, [0, kk, 0], [b, 1, n]); // [B,1,N]
            const q = tf.matMul(mk, cs); // M_k C: [B,2T,N]
            dws.push(tf.mul(wk, tf.sum(tf.mul(q, cs), 1, true))); // [B,1,N]
            dc = tf.add(dc, tf.mul(q, tf.square(wk)));
          }
          return [tf.mul(dc, scale), tf.mul(tf.concat(dws, 1), scale)];
        });
      },
    };
  });
  return f(coords, weights) as tf.Scalar;
}
