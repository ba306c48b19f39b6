/**
 * Symmetric eigendecomposition in float64 for the small Gram matrices of the trajectory loss.
 * @module
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** Eigenpairs of a symmetric matrix, eigenvalues in descending order. */
export interface Eigh {
  n: number;
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Eigenvectors as columns, row-major n×n: `vectors[row * n + i]` is u_i[row]. */
  vectors: Float64Array;
}

/**
 * Eigendecomposition of the symmetric n×n matrix `a` (row-major; only symmetry up to round-off
 * is assumed: it is symmetrised first). Uses ml-matrix's Householder tridiagonalisation + QL
 * (tred2/tql2) in float64, robust for repeated and zero eigenvalues.
 */
export function eigh(a: ArrayLike<number>, n: number): Eigh {
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
  return { n, values, vectors };
}
