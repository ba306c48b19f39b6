/**
 * The trajectory loss as it was before the float64 gradient (commit b111ec8): float64 Gram and
 * eigendecomposition (ml-matrix), but the gradient operator M in float32 and (M·C)⊙C formed by
 * the tfjs backend. Kept only so that bench/learn_bench.ts can report old vs new speed in one
 * run; do not use it for training.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

type TrajectoryLossVariant = "tail" | "nuclear" | "squared-tail" | "normalised-tail";

/** Options of {@link trajectoryLossLegacy}. */
export interface LegacyOptions {
  rank: number;
  variant?: TrajectoryLossVariant;
}

function eighLegacy(
  a: ArrayLike<number>,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  if (a.length !== n * n) {
    throw new RangeError(`learn/losses/eigh.ts: expected ${n * n} values, got ${a.length}`);
  }
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    for (let j = 0; j < n; j++) row[j] = 0.5 * (a[i * n + j] + a[j * n + i]);
    rows.push(row);
  }
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const lam = evd.realEigenvalues;
  const vec = evd.eigenvectorMatrix;
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => lam[q] - lam[p]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const src = order[i];
    values[i] = lam[src];
    for (let r = 0; r < n; r++) vectors[r * n + i] = vec.get(r, src);
  }
  return { values, vectors };
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

/**
 * G_k = P_k P_kᵀ for every (b, k), accumulated in float64 on the CPU from the coordinates and
 * weights: Σ_n w_kn² x_n x_nᵀ over the upper triangle, then mirrored. This is exact to float64
 * round-off (no float32 Gram, so no refinement pass is needed) and, for these skinny matrices
 * (2T ≪ N), several times faster than the backend's matMul (measured in bench/learn_bench.ts).
 * Returns b-major [B·K] row-major 2T×2T matrices.
 */
function gramsFloat64(
  c: Float32Array,
  w: Float32Array,
  b: number,
  t2: number,
  n: number,
  k: number,
): Float64Array[] {
  const out: Float64Array[] = [];
  const x = new Float64Array(t2);
  // Components in groups of four, each group's Grams interleaved ([r][s][4]) so one x_r·x_s
  // product updates four adjacent values with scalar weights (≈2.5× faster than one at a time).
  const groups = Math.ceil(k / 4);
  for (let bi = 0; bi < b; bi++) {
    const g = Array.from({ length: groups }, () => new Float64Array(t2 * t2 * 4));
    const cb = bi * t2 * n;
    const wq = (kk: number, nn: number) => (kk < k ? w[(bi * k + kk) * n + nn] ** 2 : 0);
    for (let nn = 0; nn < n; nn++) {
      for (let r = 0; r < t2; r++) x[r] = c[cb + r * n + nn];
      for (let gi = 0; gi < groups; gi++) {
        const a0 = wq(4 * gi, nn),
          a1 = wq(4 * gi + 1, nn),
          a2 = wq(4 * gi + 2, nn),
          a3 = wq(4 * gi + 3, nn);
        const gg = g[gi];
        for (let r = 0; r < t2; r++) {
          const xr = x[r];
          let o = (r * t2 + r) * 4;
          for (let s2 = r; s2 < t2; s2++, o += 4) {
            const prod = xr * x[s2];
            gg[o] += a0 * prod;
            gg[o + 1] += a1 * prod;
            gg[o + 2] += a2 * prod;
            gg[o + 3] += a3 * prod;
          }
        }
      }
    }
    for (let kk = 0; kk < k; kk++) {
      const src = g[kk >> 2];
      const lane = kk & 3;
      const gk = new Float64Array(t2 * t2);
      for (let r = 0; r < t2; r++) {
        for (let s2 = r; s2 < t2; s2++) {
          const v = src[(r * t2 + s2) * 4 + lane];
          gk[r * t2 + s2] = v;
          gk[s2 * t2 + r] = v;
        }
      }
      out.push(gk);
    }
  }
  return out;
}

/** Eigenpairs of every P_k P_kᵀ (float64); returns per-(b,k) spectral data. */
function decompose(
  coords: tf.Tensor3D,
  weights: tf.Tensor3D,
  opts: LegacyOptions,
): Spectral[] {
  const [b, t2, n] = coords.shape;
  const k = weights.shape[1];
  const variant = opts.variant ?? "tail";
  const grams = gramsFloat64(
    coords.dataSync() as Float32Array,
    weights.dataSync() as Float32Array,
    b,
    t2,
    n,
    k,
  );
  return grams.map((g) => {
    const e = eighLegacy(g, t2);
    return spectral(e.values, e.vectors, t2, opts.rank, variant);
  });
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
export function trajectoryLossLegacy(
  coords: tf.Tensor3D,
  weights: tf.Tensor3D,
  opts: LegacyOptions,
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
