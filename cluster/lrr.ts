/**
 * Low-Rank Representation (Liu, Lin, Yu: ICML 2010; Liu et al. TPAMI 2013):
 *
 *     min ‖Z‖_* + λ‖E‖_{2,1}   s.t. X = XZ + E
 *
 * solved by inexact ALM on the reduced problem of the reference `solve_lrr` (X = X Q Z̃ + E with
 * Q an orthonormal basis of X's row space, so every SVD is r×N with r = rank X ≤ D). Post
 * processing as the reference motion-segmentation demo: Z = U S Vᵀ (skinny SVD, σ > 1e-4 σ₁),
 * Û = rows of U S^{1/2} normalised, affinity (Û Ûᵀ)^4 (element-wise), normalised spectral
 * clustering.
 * @module
 */

import { spectralClustering } from "./spectral.ts";
import { symEig } from "./_sym_eig.ts";

/** Options of {@link lrr}. */
export interface LrrOptions {
  /** λ of the ℓ2,1 error term (default 4, the reference Hopkins155 setting). */
  lambda?: number;
  /** ALM: initial μ (1e-6), growth ρ (1.1), cap (1e10), tolerance (1e-8), iterations (1000). */
  mu?: number;
  rho?: number;
  maxMu?: number;
  tol?: number;
  maxIter?: number;
  /** Exponent of the affinity (default 4). */
  power?: number;
  /** Seed of the spectral k-means (default 0). */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Row-space basis of a D×N matrix: Q (N×r, row-major) and A = XQ (D×r). */
function rowSpace(x: Float64Array, d: number, n: number) {
  const g = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[a * n + j] * x[b * n + j];
      g[a * d + b] = g[b * d + a] = s;
    }
  }
  const { values, vectors } = symEig(g, d);
  const top = values[d - 1];
  const keep: number[] = [];
  for (let k = d - 1; k >= 0; k--) if (values[k] > top * 1e-20 && values[k] > 0) keep.push(k);
  const r = keep.length;
  const q = new Float64Array(n * r);
  const a = new Float64Array(d * r);
  keep.forEach((k, c) => {
    const s = Math.sqrt(values[k]);
    for (let i = 0; i < d; i++) a[i * r + c] = vectors[i * d + k] * s;
    for (let j = 0; j < n; j++) {
      let v = 0;
      for (let i = 0; i < d; i++) v += x[i * n + j] * vectors[i * d + k];
      q[j * r + c] = v / s;
    }
  });
  return { q, a, r };
}

/**
 * The LRR coefficient matrix in the reduced basis: returns Q (N×r) and Z̃ (r×N) with Z = Q Z̃.
 */
export function lrrCoefficients(
  x: Float64Array,
  d: number,
  n: number,
  opts: LrrOptions = {},
): { q: Float64Array; z: Float64Array; r: number; iterations: number } {
  if (x.length !== d * n) throw new RangeError(`lrr: expected ${d * n} values, got ${x.length}`);
  const lambda = opts.lambda ?? 4;
  const rho = opts.rho ?? 1.1;
  const maxMu = opts.maxMu ?? 1e10;
  const tol = opts.tol ?? 1e-8;
  const maxIter = opts.maxIter ?? 1000;
  let mu = opts.mu ?? 1e-6;
  const { q, a, r } = rowSpace(x, d, n);
  // A has orthogonal columns: AᵀA = diag(σ²), so (AᵀA + I)⁻¹ is diagonal.
  const ata = new Float64Array(r);
  for (let c = 0; c < r; c++) for (let i = 0; i < d; i++) ata[c] += a[i * r + c] ** 2;
  const z = new Float64Array(r * n);
  const j = new Float64Array(r * n);
  const e = new Float64Array(d * n);
  const y1 = new Float64Array(d * n);
  const y2 = new Float64Array(r * n);
  const temp = new Float64Array(r * n);
  const res = new Float64Array(d * n);
  const gram = new Float64Array(r * r);
  const proj = new Float64Array(r * r);
  let iterations = 0;
  for (let iter = 0; iter < maxIter; iter++) {
    iterations = iter + 1;
    // J = SVT(Z + Y2/μ, 1/μ) = P (Z + Y2/μ) with P = U diag(max(0, 1 − 1/(μσ))) Uᵀ.
    for (let k = 0; k < r * n; k++) temp[k] = z[k] + y2[k] / mu;
    for (let p = 0; p < r; p++) {
      for (let s = p; s < r; s++) {
        let v = 0;
        for (let col = 0; col < n; col++) v += temp[p * n + col] * temp[s * n + col];
        gram[p * r + s] = gram[s * r + p] = v;
      }
    }
    const eig = symEig(gram, r);
    proj.fill(0);
    for (let k = 0; k < r; k++) {
      const sigma = Math.sqrt(Math.max(eig.values[k], 0));
      const f = sigma > 1 / mu ? 1 - 1 / (mu * sigma) : 0;
      if (f === 0) continue;
      for (let p = 0; p < r; p++) {
        const up = eig.vectors[p * r + k] * f;
        for (let s = 0; s < r; s++) proj[p * r + s] += up * eig.vectors[s * r + k];
      }
    }
    j.fill(0);
    for (let p = 0; p < r; p++) {
      for (let s = 0; s < r; s++) {
        const w = proj[p * r + s];
        if (w === 0) continue;
        for (let col = 0; col < n; col++) j[p * n + col] += w * temp[s * n + col];
      }
    }
    // Z = (AᵀA + I)⁻¹ (Aᵀ(X − E) + J + (AᵀY1 − Y2)/μ)
    for (let i = 0; i < d * n; i++) res[i] = x[i] - e[i] + y1[i] / mu;
    for (let p = 0; p < r; p++) {
      const row = p * n;
      for (let col = 0; col < n; col++) z[row + col] = j[row + col] - y2[row + col] / mu;
      for (let i = 0; i < d; i++) {
        const aip = a[i * r + p];
        for (let col = 0; col < n; col++) z[row + col] += aip * res[i * n + col];
      }
      const inv = 1 / (ata[p] + 1);
      for (let col = 0; col < n; col++) z[row + col] *= inv;
    }
    // xmaz = X − AZ; E = column shrinkage of xmaz + Y1/μ by λ/μ.
    for (let i = 0; i < d; i++) {
      for (let col = 0; col < n; col++) {
        let v = x[i * n + col];
        for (let p = 0; p < r; p++) v -= a[i * r + p] * z[p * n + col];
        res[i * n + col] = v;
      }
    }
    const thr = lambda / mu;
    for (let col = 0; col < n; col++) {
      let norm = 0;
      for (let i = 0; i < d; i++) norm += (res[i * n + col] + y1[i * n + col] / mu) ** 2;
      norm = Math.sqrt(norm);
      const f = norm > thr ? (norm - thr) / norm : 0;
      for (let i = 0; i < d; i++) e[i * n + col] = f * (res[i * n + col] + y1[i * n + col] / mu);
    }
    let stop = 0;
    for (let i = 0; i < d * n; i++) {
      const l1 = res[i] - e[i];
      stop = Math.max(stop, Math.abs(l1));
      y1[i] += mu * l1;
    }
    for (let k = 0; k < r * n; k++) {
      const l2 = z[k] - j[k];
      stop = Math.max(stop, Math.abs(l2));
      y2[k] += mu * l2;
    }
    opts.onProgress?.(iterations, maxIter);
    if (stop < tol) break;
    mu = Math.min(maxMu, mu * rho);
  }
  return { q, z, r, iterations };
}

/** LRR affinity (Û Ûᵀ)^power from the skinny SVD of Z = Q Z̃ (see the module doc). */
export function lrrAffinity(
  q: Float64Array,
  z: Float64Array,
  r: number,
  n: number,
  power = 4,
): Float64Array {
  // Z = Q Z̃ and Z̃ = W S Vᵀ, so Z's left singular vectors are Q W with the same S.
  const g = new Float64Array(r * r);
  for (let p = 0; p < r; p++) {
    for (let s = p; s < r; s++) {
      let v = 0;
      for (let col = 0; col < n; col++) v += z[p * n + col] * z[s * n + col];
      g[p * r + s] = g[s * r + p] = v;
    }
  }
  const { values, vectors } = symEig(g, r);
  const s1 = Math.sqrt(Math.max(values[r - 1], 0));
  const ks: number[] = [];
  for (let k = r - 1; k >= 0; k--) if (Math.sqrt(Math.max(values[k], 0)) > 1e-4 * s1) ks.push(k);
  const m = ks.length;
  const u = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let c = 0; c < m; c++) {
      const k = ks[c];
      let v = 0;
      for (let p = 0; p < r; p++) v += q[i * r + p] * vectors[p * r + k];
      v *= Math.sqrt(Math.sqrt(values[k]));
      u[i * m + c] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) + 2.2e-16;
    for (let c = 0; c < m; c++) u[i * m + c] /= norm;
  }
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let v = 0;
      for (let c = 0; c < m; c++) v += u[i * m + c] * u[k * m + c];
      w[i * n + k] = w[k * n + i] = Math.abs(v) ** power;
    }
  }
  return w;
}

/**
 * Low-Rank Representation clustering of the N columns of a D×N matrix into `groups` groups.
 * @returns a label 0…groups−1 per column
 */
export function lrr(
  x: Float64Array,
  d: number,
  n: number,
  groups: number,
  opts: LrrOptions = {},
): Int32Array {
  const { q, z, r } = lrrCoefficients(x, d, n, opts);
  const w = lrrAffinity(q, z, r, n, opts.power ?? 4);
  return spectralClustering(w, n, groups, { seed: opts.seed ?? 0 });
}
