/**
 * Sparse Subspace Clustering (Elhamifar and Vidal, TPAMI 2013), noisy/affine ADMM variant:
 *
 *     min ‖C‖₁ + μ_z/2 ‖X − XC‖²_F   s.t. diag(C) = 0 (and 1ᵀC = 1ᵀ when `affine`)
 *
 * with μ_z = α / λ_min, λ_min = min_j max_{i≠j} |x_iᵀ x_j| (the reference's parameterisation,
 * α = 800 for Hopkins155), then the reference post-processing: keep in each column the largest
 * coefficients holding a fraction ρ (0.7) of its ℓ₁ mass, normalise columns by their largest
 * magnitude, W = |C| + |C|ᵀ, normalised spectral clustering.
 *
 * The N×N ADMM solve uses the Woodbury identity: (μ_z XᵀX + μ I + μ 11ᵀ)⁻¹ is applied through a
 * (D+1)×(D+1) inverse, so one iteration costs O(N²D) instead of O(N³).
 * @module
 */

import { spectralClustering } from "./spectral.ts";
import { symEig } from "./_sym_eig.ts";

/** Options of {@link ssc}. */
export interface SscOptions {
  /** α: μ_z = α / λ_min and the ADMM penalty μ = α (default 800, the Hopkins155 setting). */
  alpha?: number;
  /** Add the affine constraint 1ᵀC = 1ᵀ (default true, as for Hopkins155). */
  affine?: boolean;
  /** Fraction of each column's ℓ₁ mass kept before building the affinity (default 0.7). */
  rho?: number;
  /** ADMM stopping threshold on max |Z − C| and max |1 − 1ᵀZ| (default 2e-4). */
  tol?: number;
  /** ADMM iterations at most (default 200). */
  maxIter?: number;
  /** Seed of the spectral k-means (default 0). */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Inverse of a symmetric positive-definite matrix via its eigen-decomposition. */
function spdInverse(a: Float64Array, n: number): Float64Array {
  const { values, vectors } = symEig(a, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const inv = 1 / values[k];
    for (let i = 0; i < n; i++) {
      const vi = vectors[i * n + k] * inv;
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += vi * vectors[j * n + k];
    }
  }
  return out;
}

/**
 * The SSC coefficient matrix C (N×N, row-major: column j expresses point j).
 * @param x D×N data matrix, row-major (points are columns)
 */
export function sscCoefficients(
  x: Float64Array,
  d: number,
  n: number,
  opts: SscOptions = {},
): Float64Array {
  if (x.length !== d * n) throw new RangeError(`ssc: expected ${d * n} values, got ${x.length}`);
  const alpha = opts.alpha ?? 800;
  const affine = opts.affine ?? true;
  const tol = opts.tol ?? 2e-4;
  const maxIter = opts.maxIter ?? 200;
  // Gram matrix G = XᵀX and λ_min.
  const g = new Float64Array(n * n);
  for (let r = 0; r < d; r++) {
    const row = r * n;
    for (let i = 0; i < n; i++) {
      const xi = x[row + i];
      if (xi === 0) continue;
      const gi = i * n;
      for (let j = 0; j < n; j++) g[gi + j] += xi * x[row + j];
    }
  }
  let lambdaMin = Infinity;
  for (let j = 0; j < n; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) if (i !== j) m = Math.max(m, Math.abs(g[i * n + j]));
    lambdaMin = Math.min(lambdaMin, m);
  }
  if (!(lambdaMin > 0)) {
    throw new RangeError("ssc: a point is orthogonal to all others (λ_min = 0)");
  }
  const mu1 = alpha / lambdaMin;
  const mu2 = alpha;
  // U = [√μ1 Xᵀ, √μ2 1] (N×m), A = (μ2 I + U Uᵀ)⁻¹ = (I − U K Uᵀ)/μ2, K = (μ2 I + UᵀU)⁻¹.
  const m = affine ? d + 1 : d;
  const u = new Float64Array(n * m);
  const s1 = Math.sqrt(mu1);
  const s2 = Math.sqrt(mu2);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < d; r++) u[i * m + r] = s1 * x[r * n + i];
    if (affine) u[i * m + d] = s2;
  }
  const s = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < m; a++) {
      const ua = u[i * m + a];
      for (let b = 0; b < m; b++) s[a * m + b] += ua * u[i * m + b];
    }
  }
  for (let a = 0; a < m; a++) s[a * m + a] += mu2;
  const k = spdInverse(s, m);

  const c1 = new Float64Array(n * n);
  const lam2 = new Float64Array(n * n);
  const lam3 = new Float64Array(n);
  const rhs = new Float64Array(n * n);
  const z = new Float64Array(n * n);
  const t = new Float64Array(m * n);
  const kt = new Float64Array(m * n);
  const colSum = new Float64Array(n);
  const thr = 1 / mu2;
  for (let iter = 0; iter < maxIter; iter++) {
    // rhs = μ1 G + μ2 C1 − Λ2 (+ 1 (μ2 1ᵀ − λ3ᵀ))
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const idx = i * n + j;
        rhs[idx] = mu1 * g[idx] + mu2 * c1[idx] - lam2[idx] + (affine ? mu2 - lam3[j] : 0);
      }
    }
    // Z = A rhs = (rhs − U K Uᵀ rhs) / μ2
    t.fill(0);
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let a = 0; a < m; a++) {
        const ua = u[i * m + a];
        const ta = a * n;
        for (let j = 0; j < n; j++) t[ta + j] += ua * rhs[ri + j];
      }
    }
    kt.fill(0);
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        const kab = k[a * m + b];
        const ta = a * n;
        const tb = b * n;
        for (let j = 0; j < n; j++) kt[ta + j] += kab * t[tb + j];
      }
    }
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j < n; j++) z[ri + j] = rhs[ri + j];
      for (let a = 0; a < m; a++) {
        const ua = u[i * m + a];
        const ta = a * n;
        for (let j = 0; j < n; j++) z[ri + j] -= ua * kt[ta + j];
      }
      for (let j = 0; j < n; j++) z[ri + j] /= mu2;
      z[ri + i] = 0;
    }
    // C2 = shrink(Z + Λ2/μ2, 1/μ2), diag 0; dual updates; errors.
    let err1 = 0;
    colSum.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const idx = i * n + j;
        const v = z[idx] + lam2[idx] / mu2;
        const c = i === j ? 0 : (v > thr ? v - thr : v < -thr ? v + thr : 0);
        c1[idx] = c;
        lam2[idx] += mu2 * (z[idx] - c);
        err1 = Math.max(err1, Math.abs(z[idx] - c));
        colSum[j] += z[idx];
      }
    }
    let err2 = 0;
    if (affine) {
      for (let j = 0; j < n; j++) {
        lam3[j] += mu2 * (colSum[j] - 1);
        err2 = Math.max(err2, Math.abs(1 - colSum[j]));
      }
    }
    opts.onProgress?.(iter + 1, maxIter);
    if (err1 <= tol && err2 <= tol) break;
  }
  return c1;
}

/**
 * Keep, in each column, the largest-magnitude coefficients until they hold a fraction `rho` of
 * the column's ℓ₁ norm (the reference `thrC`), then W = |C̃| + |C̃|ᵀ with columns of |C̃|
 * normalised by their maximum (the reference `BuildAdjacency`).
 */
export function sscAffinity(c: Float64Array, n: number, rho = 0.7): Float64Array {
  const kept = new Float64Array(n * n);
  const idx = Array.from({ length: n }, (_, i) => i);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      col[i] = Math.abs(c[i * n + j]);
      total += col[i];
    }
    if (total === 0) continue;
    let sum = 0;
    if (rho < 1) {
      idx.sort((a, b) => col[b] - col[a]);
      for (let t = 0; t < n && sum <= rho * total; t++) {
        const i = idx[t];
        kept[i * n + j] = col[i];
        sum += col[i];
      }
    } else {
      for (let i = 0; i < n; i++) kept[i * n + j] = col[i];
    }
    let mx = 0;
    for (let i = 0; i < n; i++) mx = Math.max(mx, kept[i * n + j]);
    for (let i = 0; i < n; i++) kept[i * n + j] /= mx + 2.2e-16;
  }
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) w[i * n + j] = kept[i * n + j] + kept[j * n + i];
  }
  return w;
}

/**
 * Sparse Subspace Clustering of the N columns of a D×N matrix into `groups` groups.
 * @returns a label 0…groups−1 per column
 */
export function ssc(
  x: Float64Array,
  d: number,
  n: number,
  groups: number,
  opts: SscOptions = {},
): Int32Array {
  const c = sscCoefficients(x, d, n, opts);
  const w = sscAffinity(c, n, opts.rho ?? 0.7);
  return spectralClustering(w, n, groups, { seed: opts.seed ?? 0 });
}
