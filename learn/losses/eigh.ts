/**
 * Symmetric eigendecomposition in float64 for the small Gram matrices of the trajectory loss:
 * Householder tridiagonalisation + implicit QL (EISPACK/JAMA tred2 + tql2, with the eigenvector
 * matrix stored transposed as in ml-matrix 6.15). `native/lt_shim.cpp` runs the same algorithm
 * with the same operation order.
 * @module
 */

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
 * is assumed: it is symmetrised first). Robust for repeated and zero eigenvalues.
 */
export function eigh(a: ArrayLike<number>, n: number): Eigh {
  if (a.length !== n * n) {
    throw new RangeError(`learn/losses/eigh.ts: expected ${n * n} values, got ${a.length}`);
  }
  const values = new Float64Array(n);
  const rows = new Float64Array(n * n);
  eighRows(a, 0, n, values, 0, rows, 0);
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let r = 0; r < n; r++) vectors[r * n + i] = rows[i * n + r];
  return { n, values, vectors };
}

/**
 * Eigenpairs of the symmetric n×n matrix at `a[aOff …]` (symmetrised as (A + Aᵀ)/2): eigenvalues
 * descending into `values[vOff …]`, eigenvector i as row i of `vectors[uOff …]` (n×n).
 */
export function eighRows(
  a: ArrayLike<number>,
  aOff: number,
  n: number,
  values: Float64Array,
  vOff: number,
  vectors: Float64Array,
  uOff: number,
): void {
  const v = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let s = 0; s < n; s++) v[s * n + r] = 0.5 * (a[aOff + r * n + s] + a[aOff + s * n + r]);
  }
  const d = new Float64Array(n), e = new Float64Array(n);
  tred2tql2(n, v, d, e);
  for (let i = 0; i < n; i++) {
    values[vOff + i] = d[n - 1 - i];
    vectors.set(v.subarray((n - 1 - i) * n, (n - i) * n), uOff + i * n);
  }
}

function hypotenuse(a: number, b: number): number {
  if (Math.abs(a) > Math.abs(b)) {
    const r = b / a;
    return Math.abs(a) * Math.sqrt(1 + r * r);
  }
  if (b !== 0) {
    const r = a / b;
    return Math.abs(b) * Math.sqrt(1 + r * r);
  }
  return 0;
}

/** tred2 + tql2 on v (transposed storage: on exit row j holds the eigenvector of d[j], ascending). */
function tred2tql2(n: number, v: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale = scale + Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h = h - f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[i * n + j] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[j * n + k] * d[k];
          e[k] += v[j * n + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[j * n + k] = v[j * n + k] - (f * e[k] + g * d[k]);
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[(i + 1) * n + k] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[(i + 1) * n + k] * v[j * n + k];
        for (let k = 0; k <= i; k++) v[j * n + k] = v[j * n + k] - g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1];
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
  // tql2
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        iter = iter + 1;
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypotenuse(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f = f + h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypotenuse(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const o1 = (i + 1) * n, o0 = i * n;
          for (let k = 0; k < n; k++) {
            h = v[o1 + k];
            v[o1 + k] = s * v[o0 + k] + c * h;
            v[o0 + k] = c * v[o0 + k] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1 && iter < 1000);
    }
    d[l] = d[l] + f;
    e[l] = 0;
  }
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      for (let j = 0; j < n; j++) {
        p = v[i * n + j];
        v[i * n + j] = v[k * n + j];
        v[k * n + j] = p;
      }
    }
  }
}

/**
 * Eigenpairs of a symmetric positive semi-definite n×n matrix `a` (row-major, read only) by
 * cyclic Jacobi rotations, with the relative stopping rule |a_pq| ≤ 1e-15·√(a_pp·a_qq): every
 * eigenvalue, however small, comes out with a small *relative* error when `a` is a graded but
 * well-conditioned-after-scaling matrix (Demmel & Veselić 1992) — e.g. the Gram matrix of
 * trajectories already rotated to a nearly diagonal basis. Values descending into `values`,
 * eigenvector i as row i of `vectors` (n×n). `native/lt_shim.cpp` has the same algorithm.
 */
export function jacobiEighRows(
  a: ArrayLike<number>,
  n: number,
  values: Float64Array,
  vectors: Float64Array,
): void {
  const h = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let s = 0; s < n; s++) h[r * n + s] = 0.5 * (a[r * n + s] + a[s * n + r]);
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(h[i * n + i]));
  const tiny = 1e-300 + 1e-40 * maxDiag;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = h[p * n + q];
        const app = h[p * n + p], aqq = h[q * n + q];
        if (Math.abs(apq) <= 1e-15 * Math.sqrt(Math.abs(app * aqq)) || Math.abs(apq) <= tiny) {
          continue;
        }
        rotated = true;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let r = 0; r < n; r++) {
          const g = h[r * n + p], e = h[r * n + q];
          h[r * n + p] = c * g - s * e;
          h[r * n + q] = s * g + c * e;
        }
        for (let r = 0; r < n; r++) {
          const g = h[p * n + r], e = h[q * n + r];
          h[p * n + r] = c * g - s * e;
          h[q * n + r] = s * g + c * e;
        }
        h[p * n + p] = app - t * apq;
        h[q * n + q] = aqq + t * apq;
        h[p * n + q] = 0;
        h[q * n + p] = 0;
        for (let r = 0; r < n; r++) {
          const g = v[r * n + p], e = v[r * n + q];
          v[r * n + p] = c * g - s * e;
          v[r * n + q] = s * g + c * e;
        }
      }
    }
    if (!rotated) break;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) =>
    h[y * n + y] - h[x * n + x] || x - y
  );
  for (let i = 0; i < n; i++) {
    const src = order[i];
    values[i] = h[src * n + src];
    for (let r = 0; r < n; r++) vectors[i * n + r] = v[r * n + src];
  }
}
