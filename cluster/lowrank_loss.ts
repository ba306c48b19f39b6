/**
 * The paper's low-rank trajectory loss for one component, in float64 (reference oracle):
 *
 *     L(w) = Σ_{i > r} σ_i(P · diag(w))
 *
 * with P the rows×cols trajectory matrix (2T rows: all x, then all y; one column per
 * trajectory) and w the soft-mask value of each trajectory. Computed through the rows×rows Gram
 * matrix G = P diag(w²) Pᵀ = U Λ Uᵀ, σ_i = √λ_i; with P' = P diag(w) and
 * B = Σ_{i>r} u_i u_iᵀ / σ_i the gradients are ∂L/∂P' = B P', ∂L/∂w_n = w_n · p_nᵀ B p_n and
 * ∂L/∂P = B P' diag(w). Singular values below `eps · σ₁` are left out of B (their subgradient
 * is bounded but the 1/σ route cannot compute it).
 * @module
 */

import { symEig } from "./_sym_eig.ts";

/** Options of {@link lowRankLoss}. */
export interface LowRankLossOptions {
  /** Compute ∂L/∂w (default true). */
  gradW?: boolean;
  /** Compute ∂L/∂P, rows×cols row-major (default false). */
  gradP?: boolean;
  /** Relative guard on σ for the gradient (default 1e-7). */
  eps?: number;
}

/** Result of {@link lowRankLoss}. */
export interface LowRankLossResult {
  value: number;
  /** All singular values of P diag(w), descending (length rows). */
  singularValues: Float64Array;
  gradW?: Float64Array;
  gradP?: Float64Array;
}

/**
 * Truncated nuclear norm Σ_{i>rank} σ_i(P diag(weights)) and its gradients.
 *
 * @param p rows×cols matrix, row-major (`p[r * cols + c]`)
 * @param weights one weight per column
 * @param rank number of leading singular values left out (r)
 */
export function lowRankLoss(
  p: Float64Array,
  rows: number,
  cols: number,
  weights: Float64Array,
  rank: number,
  opts: LowRankLossOptions = {},
): LowRankLossResult {
  if (p.length !== rows * cols) {
    throw new RangeError(`lowRankLoss: P has ${p.length} values, expected ${rows}×${cols}`);
  }
  if (weights.length !== cols) {
    throw new RangeError(`lowRankLoss: ${weights.length} weights for ${cols} columns`);
  }
  if (!Number.isInteger(rank) || rank < 0) {
    throw new RangeError(`lowRankLoss: rank must be a non-negative integer, got ${rank}`);
  }
  const w2 = new Float64Array(cols);
  for (let c = 0; c < cols; c++) w2[c] = weights[c] * weights[c];
  const g = new Float64Array(rows * rows);
  const tmp = new Float64Array(cols);
  for (let a = 0; a < rows; a++) {
    const ra = a * cols;
    for (let c = 0; c < cols; c++) tmp[c] = p[ra + c] * w2[c];
    for (let b = a; b < rows; b++) {
      const rb = b * cols;
      let s = 0;
      for (let c = 0; c < cols; c++) s += tmp[c] * p[rb + c];
      g[a * rows + b] = g[b * rows + a] = s;
    }
  }
  const { values, vectors } = symEig(g, rows);
  const sv = new Float64Array(rows);
  for (let i = 0; i < rows; i++) sv[i] = Math.sqrt(Math.max(values[rows - 1 - i], 0));
  let value = 0;
  for (let i = rank; i < rows; i++) value += sv[i];
  const result: LowRankLossResult = { value, singularValues: sv };
  const wantW = opts.gradW ?? true;
  const wantP = opts.gradP ?? false;
  if (!wantW && !wantP) return result;
  // B = Σ_{i>r} u_i u_iᵀ / σ_i; ascending index k = rows − 1 − i.
  const eps = opts.eps ?? 1e-7;
  const floor = eps * sv[0];
  const b = new Float64Array(rows * rows);
  for (let i = rank; i < rows; i++) {
    if (!(sv[i] > floor)) continue;
    const k = rows - 1 - i;
    const inv = 1 / sv[i];
    for (let a = 0; a < rows; a++) {
      const ua = vectors[a * rows + k] * inv;
      if (ua === 0) continue;
      for (let c = 0; c < rows; c++) b[a * rows + c] += ua * vectors[c * rows + k];
    }
  }
  // BP' (rows×cols), P' = P diag(w).
  const bp = new Float64Array(rows * cols);
  for (let a = 0; a < rows; a++) {
    const ra = a * cols;
    for (let c2 = 0; c2 < rows; c2++) {
      const bac = b[a * rows + c2];
      if (bac === 0) continue;
      const rc = c2 * cols;
      for (let c = 0; c < cols; c++) bp[ra + c] += bac * p[rc + c];
    }
  }
  // bp currently holds B P; scale columns by w to get B P'.
  if (wantW) {
    const gw = new Float64Array(cols);
    for (let a = 0; a < rows; a++) {
      const ra = a * cols;
      for (let c = 0; c < cols; c++) gw[c] += p[ra + c] * bp[ra + c];
    }
    for (let c = 0; c < cols; c++) gw[c] *= weights[c];
    result.gradW = gw;
  }
  if (wantP) {
    for (let a = 0; a < rows; a++) {
      const ra = a * cols;
      for (let c = 0; c < cols; c++) bp[ra + c] *= w2[c];
    }
    result.gradP = bp;
  }
  return result;
}
