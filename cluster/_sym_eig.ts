/**
 * Symmetric eigendecomposition for `cluster/`, ascending: the project's one eigensolver
 * (learn/losses/eigh.ts, EISPACK/JAMA tred2 + tql2 as in ml-matrix) in the order the clustering
 * code reads. Internal to `cluster/`.
 * @module
 */
import { eigh } from "../learn/losses/eigh.ts";

/** Eigenvalues ascending and eigenvectors as columns of a row-major n×n matrix. */
export interface SymEig {
  values: Float64Array;
  /** `vectors[i * n + j]` is component i of eigenvector j. */
  vectors: Float64Array;
}

/**
 * Eigen-decompose a symmetric n×n matrix given row-major (the input is not modified).
 * Eigenvalues come out ascending.
 */
export function symEig(a: Float64Array, n: number): SymEig {
  if (a.length !== n * n) throw new RangeError(`symEig: expected ${n * n} values, got ${a.length}`);
  const d = eigh(a, n); // descending
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    values[j] = d.values[n - 1 - j];
    for (let i = 0; i < n; i++) vectors[i * n + j] = d.vectors[i * n + (n - 1 - j)];
  }
  return { values, vectors };
}
