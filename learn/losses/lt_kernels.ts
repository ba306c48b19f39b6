/**
 * The float64 CPU kernels of the trajectory loss Lt: Gram matrices, eigendecompositions and the
 * gradients, in two implementations with the same algorithms and one interface: `native`
 * (`native/lt_shim.cpp` through Deno.dlopen, built by `deno task setup` when g++ is present) and
 * pure `js` (always available). They agree to float64 round-off (tested).
 *
 * Layouts: coordinates `c` float32 [B][2T][N] (all x rows, then all y rows), weights `w`
 * float32 [B][K][N]; Grams [B·K][2T][2T]; eigenvectors as rows; a gradient basis
 * [B·K][2T][mp] with `mp` a multiple of 16, zero-padded, and its coefficients [B·K][mp].
 * @module
 */
import { eighRows, jacobiEighRows } from "./eigh.ts";
import { tryLoadLtShim } from "./lt_native.ts";

/** Which implementation of the kernels to use. */
export type LtKernelsName = "auto" | "native" | "js";

/** The CPU side of Lt. */
export interface LtKernels {
  readonly name: "native" | "js";
  /** out[(b·K + k)·T2² + r·T2 + s] = Σ_n w_bkn² c_b[r][n] c_b[s][n] (float64). */
  grams(
    c: Float32Array,
    w: Float32Array,
    b: number,
    t2: number,
    n: number,
    k: number,
  ): Float64Array;
  /** Eigenpairs of `count` symmetric n×n matrices: values descending, vectors as rows. */
  eigh(a: Float64Array, n: number, count: number): { values: Float64Array; vectors: Float64Array };
  /** As `eigh`, by cyclic Jacobi (small relative errors for graded PSD matrices). */
  jacobi(
    a: Float64Array,
    n: number,
    count: number,
  ): { values: Float64Array; vectors: Float64Array };
  /**
   * H_bk = Σ_n w_bkn² q q ᵀ with q = basis_bkᵀ c_bn (the Gram of the projected trajectories),
   * [B·K][mp][mp] with the leading active×active block filled.
   */
  projGrams(
    c: Float32Array,
    w: Float32Array,
    dims: [number, number, number, number],
    basis: Float64Array,
    mp: number,
    active: Int32Array,
  ): Float64Array;
  /**
   * dw[b][k][n] = scale·w_bkn·Σ_{i < active[b·K+k]} coef_bki·(Σ_r basis_bk[r][i]·c_b[r][n])².
   */
  gradW(
    c: Float32Array,
    w: Float32Array,
    dims: [number, number, number, number],
    basis: Float64Array,
    coef: Float64Array,
    mp: number,
    active: Int32Array,
    scale: number,
  ): Float32Array;
  /** dc[b][r][n] = scale·Σ_k w_bkn² Σ_i basis_bk[r][i]·coef_bki·(basis_bkᵀ c_bn)_i. */
  gradC(
    c: Float32Array,
    w: Float32Array,
    dims: [number, number, number, number],
    basis: Float64Array,
    coef: Float64Array,
    mp: number,
    active: Int32Array,
    scale: number,
  ): Float32Array;
}

/** Pure-JS kernels (the fallback; same algorithms as the native shim). */
export const jsLtKernels: LtKernels = {
  name: "js",
  grams(c, w, b, t2, n, k) {
    const out = new Float64Array(b * k * t2 * t2);
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
        const o = (bi * k + kk) * t2 * t2;
        for (let r = 0; r < t2; r++) {
          for (let s2 = r; s2 < t2; s2++) {
            const v = src[(r * t2 + s2) * 4 + lane];
            out[o + r * t2 + s2] = v;
            out[o + s2 * t2 + r] = v;
          }
        }
      }
    }
    return out;
  },
  eigh(a, n, count) {
    const values = new Float64Array(count * n);
    const vectors = new Float64Array(count * n * n);
    for (let j = 0; j < count; j++) eighRows(a, j * n * n, n, values, j * n, vectors, j * n * n);
    return { values, vectors };
  },
  jacobi(a, n, count) {
    const values = new Float64Array(count * n);
    const vectors = new Float64Array(count * n * n);
    for (let j = 0; j < count; j++) {
      jacobiEighRows(
        a.subarray(j * n * n, (j + 1) * n * n),
        n,
        values.subarray(j * n, (j + 1) * n),
        vectors.subarray(j * n * n, (j + 1) * n * n),
      );
    }
    return { values, vectors };
  },
  projGrams(c, w, [b, t2, n, k], basis, mp, active) {
    const out = new Float64Array(b * k * mp * mp);
    const x = new Float64Array(t2);
    const q = new Float64Array(mp);
    for (let bi = 0; bi < b; bi++) {
      const cb = bi * t2 * n;
      for (let nn = 0; nn < n; nn++) {
        for (let r = 0; r < t2; r++) x[r] = c[cb + r * n + nn];
        for (let kk = 0; kk < k; kk++) {
          const bk = bi * k + kk;
          const m = active[bk];
          if (m === 0) continue;
          project(x, t2, basis, bk * t2 * mp, mp, m, q);
          const w2 = w[bk * n + nn] * w[bk * n + nn];
          const o = bk * mp * mp;
          for (let i = 0; i < m; i++) {
            const qi = w2 * q[i];
            for (let j = i; j < m; j++) out[o + i * mp + j] += qi * q[j];
          }
        }
      }
    }
    for (let bk = 0; bk < b * k; bk++) {
      const o = bk * mp * mp;
      for (let i = 0; i < active[bk]; i++) {
        for (let j = i + 1; j < active[bk]; j++) out[o + j * mp + i] = out[o + i * mp + j];
      }
    }
    return out;
  },
  gradW(c, w, [b, t2, n, k], basis, coef, mp, active, scale) {
    const dw = new Float32Array(b * k * n);
    const x = new Float64Array(t2);
    const q = new Float64Array(mp);
    for (let bi = 0; bi < b; bi++) {
      const cb = bi * t2 * n;
      for (let nn = 0; nn < n; nn++) {
        for (let r = 0; r < t2; r++) x[r] = c[cb + r * n + nn];
        for (let kk = 0; kk < k; kk++) {
          const bk = bi * k + kk;
          const m = active[bk];
          if (m === 0) continue;
          project(x, t2, basis, bk * t2 * mp, mp, m, q);
          let s = 0;
          for (let i = 0; i < m; i++) s += coef[bk * mp + i] * q[i] * q[i];
          dw[bk * n + nn] = scale * w[bk * n + nn] * s;
        }
      }
    }
    return dw;
  },
  gradC(c, w, [b, t2, n, k], basis, coef, mp, active, scale) {
    const dc = new Float32Array(b * t2 * n);
    const x = new Float64Array(t2);
    const q = new Float64Array(mp);
    const y = new Float64Array(t2);
    for (let bi = 0; bi < b; bi++) {
      const cb = bi * t2 * n;
      for (let nn = 0; nn < n; nn++) {
        for (let r = 0; r < t2; r++) x[r] = c[cb + r * n + nn];
        y.fill(0);
        for (let kk = 0; kk < k; kk++) {
          const bk = bi * k + kk;
          const m = active[bk];
          if (m === 0) continue;
          project(x, t2, basis, bk * t2 * mp, mp, m, q);
          for (let i = 0; i < m; i++) q[i] *= coef[bk * mp + i];
          const w2 = w[bk * n + nn] * w[bk * n + nn];
          for (let r = 0; r < t2; r++) {
            const o = bk * t2 * mp + r * mp;
            let s = 0;
            for (let i = 0; i < m; i++) s += basis[o + i] * q[i];
            y[r] += w2 * s;
          }
        }
        for (let r = 0; r < t2; r++) dc[cb + r * n + nn] = scale * y[r];
      }
    }
    return dc;
  },
};

/** q[i] = Σ_r basis[off + r·mp + i]·x[r] for i < m. */
function project(
  x: Float64Array,
  t2: number,
  basis: Float64Array,
  off: number,
  mp: number,
  m: number,
  q: Float64Array,
): void {
  q.fill(0, 0, m);
  for (let r = 0; r < t2; r++) {
    const xr = x[r];
    const o = off + r * mp;
    for (let i = 0; i < m; i++) q[i] += basis[o + i] * xr;
  }
}

/** Threads of the native kernels: `LRTL_LT_THREADS` (default 1; results do not depend on it). */
function nativeThreads(): number {
  try {
    const v = Number(Deno.env.get("LRTL_LT_THREADS") ?? "1");
    return Number.isInteger(v) && v >= 1 ? v : 1;
  } catch {
    return 1;
  }
}

let nativeKernels: LtKernels | { error: string } | null = null;

/** The native kernels, or why they are unavailable. */
export function tryNativeLtKernels(): LtKernels | { error: string } {
  if (nativeKernels) return nativeKernels;
  const r = tryLoadLtShim();
  if ("error" in r) return (nativeKernels = { error: r.error });
  const s = r.shim;
  const threads = nativeThreads();
  nativeKernels = {
    name: "native",
    grams(c, w, b, t2, n, k) {
      const out = new Float64Array(b * k * t2 * t2);
      s.lt_grams(c, w, b, t2, n, k, threads, out);
      return out;
    },
    eigh(a, n, count) {
      const values = new Float64Array(count * n);
      const vectors = new Float64Array(count * n * n);
      s.lt_eigh(a, n, count, threads, values, vectors);
      return { values, vectors };
    },
    jacobi(a, n, count) {
      const values = new Float64Array(count * n);
      const vectors = new Float64Array(count * n * n);
      s.lt_jacobi(a, n, count, threads, values, vectors);
      return { values, vectors };
    },
    projGrams(c, w, [b, t2, n, k], basis, mp, active) {
      const out = new Float64Array(b * k * mp * mp);
      s.lt_proj_grams(c, w, b, t2, n, k, basis, mp, active, threads, out);
      return out;
    },
    gradW(c, w, [b, t2, n, k], basis, coef, mp, active, scale) {
      const dw = new Float32Array(b * k * n);
      s.lt_grad_w(c, w, b, t2, n, k, basis, coef, mp, active, scale, threads, dw);
      return dw;
    },
    gradC(c, w, [b, t2, n, k], basis, coef, mp, active, scale) {
      const dc = new Float32Array(b * t2 * n);
      s.lt_grad_c(c, w, b, t2, n, k, basis, coef, mp, active, scale, threads, dc);
      return dc;
    },
  };
  return nativeKernels;
}

/**
 * The kernels to use: `native` (throws when the shim is unavailable), `js`, or `auto` (native
 * when built, else js). `LRTL_LT_KERNELS=js|native` overrides `auto`.
 */
export function ltKernels(name: LtKernelsName = "auto"): LtKernels {
  let want = name;
  if (want === "auto") {
    try {
      const env = Deno.env.get("LRTL_LT_KERNELS");
      if (env === "js" || env === "native") want = env;
    } catch { /* no env permission: auto */ }
  }
  if (want === "js") return jsLtKernels;
  const nk = tryNativeLtKernels();
  if ("error" in nk) {
    if (want === "native") throw new Error(nk.error);
    return jsLtKernels;
  }
  return nk;
}
