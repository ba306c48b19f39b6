/**
 * LRTL-direct: the low-rank trajectory loss used directly as a clustering objective.
 *
 * Soft assignments m = softmax(θ / τ) (θ: N×K logits) minimise Σ_k Σ_{i>r} σ_i(P diag(m_k))
 * with Adam, from several starts; the start with the lowest final loss wins and labels are the
 * argmax. Starts are random logits (the paper-style baseline) and, optionally, one-hot logits
 * from cheap clusterings ("kmeans" on raw trajectories, "shape": spectral clustering of the
 * shape-interaction matrix |V Vᵀ| of the rank-min(4K, D) SVD of P).
 * @module
 */

import { kmeans, spectralClustering, transpose } from "./spectral.ts";
import { lowRankLoss } from "./lowrank_loss.ts";
import { Rng } from "../core/random.ts";
import { symEig } from "./_sym_eig.ts";

/** Where a start's logits come from. */
export type LrtlInit = "random" | "kmeans" | "shape";

/** Options of {@link lrtlDirect}. */
export interface LrtlDirectOptions {
  /** r: leading singular values left out of the loss (default 4). */
  rank?: number;
  /** Starts (default six random ones, the paper-style baseline). */
  inits?: LrtlInit[];
  /** Adam steps per start (default 200) and learning rate on θ (default 0.1). */
  iterations?: number;
  learningRate?: number;
  /** Softmax temperature, annealed geometrically from `temperature[0]` to `[1]` (default 1→1). */
  temperature?: [number, number];
  /** Scale of one-hot logits for clustering-based starts (default 2) and of random ones (1). */
  initScale?: number;
  randomScale?: number;
  seed?: number;
  /**
   * Optimise on U_qᵀP (the top-q left singular subspace of P, q = `basisRank`) instead of P:
   * exact when rank P ≤ q, otherwise it drops P's smallest directions (mostly noise) from the
   * loss. Much faster for long sequences. Default: no projection (exact).
   */
  basisRank?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Result of {@link lrtlDirect}. */
export interface LrtlDirectResult {
  labels: Int32Array;
  /** Final loss of the chosen start, and of every start (same order as `inits`). */
  loss: number;
  losses: number[];
  chosen: number;
}

/** Σ_k loss of hard or soft assignments `m` (N×K row-major): the objective LRTL-direct minimises. */
export function assignmentLoss(
  p: Float64Array,
  rows: number,
  cols: number,
  m: Float64Array,
  k: number,
  rank: number,
): number {
  let total = 0;
  const w = new Float64Array(cols);
  for (let c = 0; c < k; c++) {
    for (let n = 0; n < cols; n++) w[n] = m[n * k + c];
    total += lowRankLoss(p, rows, cols, w, rank, { gradW: false }).value;
  }
  return total;
}

/** One-hot N×K assignments of labels. */
export function oneHot(labels: Int32Array, k: number): Float64Array {
  const m = new Float64Array(labels.length * k);
  for (let n = 0; n < labels.length; n++) m[n * k + labels[n]] = 1;
  return m;
}

/**
 * Spectral clustering of the shape-interaction matrix |V_q V_qᵀ| (V_q: top q right singular
 * vectors of P, q = min(4K, rows)), Costeira–Kanade style.
 */
export function shapeInteractionClustering(
  p: Float64Array,
  rows: number,
  cols: number,
  k: number,
  seed = 0,
): Int32Array {
  const g = new Float64Array(rows * rows);
  for (let a = 0; a < rows; a++) {
    for (let b = a; b < rows; b++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += p[a * cols + c] * p[b * cols + c];
      g[a * rows + b] = g[b * rows + a] = s;
    }
  }
  const { values, vectors } = symEig(g, rows);
  const q = Math.min(4 * k, rows);
  const v = new Float64Array(cols * q);
  for (let j = 0; j < q; j++) {
    const kk = rows - 1 - j;
    const s = Math.sqrt(Math.max(values[kk], 1e-300));
    for (let c = 0; c < cols; c++) {
      let t = 0;
      for (let a = 0; a < rows; a++) t += p[a * cols + c] * vectors[a * rows + kk];
      v[c * q + j] = t / s;
    }
  }
  const w = new Float64Array(cols * cols);
  for (let i = 0; i < cols; i++) {
    for (let j = i; j < cols; j++) {
      let t = 0;
      for (let a = 0; a < q; a++) t += v[i * q + a] * v[j * q + a];
      w[i * cols + j] = w[j * cols + i] = Math.abs(t);
    }
  }
  return spectralClustering(w, cols, k, { seed });
}

/** Project P (rows×cols) on its top-q left singular vectors: returns Uᵀ_q P (q×cols). */
export function projectOnTopSubspace(
  p: Float64Array,
  rows: number,
  cols: number,
  q: number,
): Float64Array {
  const g = new Float64Array(rows * rows);
  for (let a = 0; a < rows; a++) {
    for (let b = a; b < rows; b++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += p[a * cols + c] * p[b * cols + c];
      g[a * rows + b] = g[b * rows + a] = s;
    }
  }
  const { vectors } = symEig(g, rows);
  const out = new Float64Array(q * cols);
  for (let j = 0; j < q; j++) {
    const kk = rows - 1 - j;
    for (let a = 0; a < rows; a++) {
      const u = vectors[a * rows + kk];
      for (let c = 0; c < cols; c++) out[j * cols + c] += u * p[a * cols + c];
    }
  }
  return out;
}

/**
 * Cluster the columns of P (rows×cols) into k groups by minimising the low-rank trajectory loss.
 */
export function lrtlDirect(
  pIn: Float64Array,
  rowsIn: number,
  cols: number,
  k: number,
  opts: LrtlDirectOptions = {},
): LrtlDirectResult {
  if (pIn.length !== rowsIn * cols) {
    throw new RangeError(`lrtlDirect: P has ${pIn.length} values, expected ${rowsIn}×${cols}`);
  }
  const q = opts.basisRank;
  const project = q !== undefined && q < rowsIn;
  const rows = project ? q : rowsIn;
  const p = project ? projectOnTopSubspace(pIn, rowsIn, cols, q) : pIn;
  if (!Number.isInteger(k) || k < 1 || k > cols) {
    throw new RangeError(`lrtlDirect: k must be an integer in 1…${cols}, got ${k}`);
  }
  const rank = opts.rank ?? 4;
  const inits = opts.inits ?? Array(6).fill("random");
  const iterations = opts.iterations ?? 200;
  const lr = opts.learningRate ?? 0.1;
  const [tau0, tau1] = opts.temperature ?? [1, 1];
  const seed = opts.seed ?? 0;
  const rng = Rng.fromState(seed);
  const total = inits.length * iterations;
  const losses: number[] = [];
  let best: { loss: number; labels: Int32Array; index: number } | null = null;
  const initLabels = new Map<LrtlInit, Int32Array>();
  const labelsFor = (kind: LrtlInit): Int32Array => {
    let l = initLabels.get(kind);
    if (l === undefined) {
      l = kind === "kmeans"
        ? kmeans(transpose(p, rows, cols), cols, rows, k, { seed }).labels
        : shapeInteractionClustering(p, rows, cols, k, seed);
      initLabels.set(kind, l);
    }
    return l;
  };
  const theta = new Float64Array(cols * k);
  const m = new Float64Array(cols * k);
  const grad = new Float64Array(cols * k);
  const m1 = new Float64Array(cols * k);
  const m2 = new Float64Array(cols * k);
  const w = new Float64Array(cols);
  const beta1 = 0.9;
  const beta2 = 0.999;
  for (let s = 0; s < inits.length; s++) {
    const kind = inits[s];
    if (kind === "random") {
      const scale = opts.randomScale ?? 1;
      for (let i = 0; i < theta.length; i++) theta[i] = scale * rng.normal();
    } else {
      const l = labelsFor(kind);
      const scale = opts.initScale ?? 2;
      for (let n = 0; n < cols; n++) {
        for (let c = 0; c < k; c++) {
          theta[n * k + c] = (c === l[n] ? scale : 0) + 0.01 * rng.normal();
        }
      }
    }
    m1.fill(0);
    m2.fill(0);
    for (let it = 0; it < iterations; it++) {
      const tau = tau0 * (tau1 / tau0) ** (iterations > 1 ? it / (iterations - 1) : 0);
      softmaxRows(theta, m, cols, k, tau);
      grad.fill(0);
      for (let c = 0; c < k; c++) {
        for (let n = 0; n < cols; n++) w[n] = m[n * k + c];
        const gw = lowRankLoss(p, rows, cols, w, rank).gradW!;
        for (let n = 0; n < cols; n++) grad[n * k + c] = gw[n];
      }
      // Back through the softmax: ∂/∂θ_j = m_j (g_j − Σ_c m_c g_c) / τ.
      for (let n = 0; n < cols; n++) {
        let dot = 0;
        for (let c = 0; c < k; c++) dot += m[n * k + c] * grad[n * k + c];
        for (let c = 0; c < k; c++) {
          grad[n * k + c] = m[n * k + c] * (grad[n * k + c] - dot) / tau;
        }
      }
      const t = it + 1;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let i = 0; i < theta.length; i++) {
        m1[i] = beta1 * m1[i] + (1 - beta1) * grad[i];
        m2[i] = beta2 * m2[i] + (1 - beta2) * grad[i] * grad[i];
        theta[i] -= lr * (m1[i] / c1) / (Math.sqrt(m2[i] / c2) + 1e-8);
      }
      opts.onProgress?.(s * iterations + it + 1, total);
    }
    softmaxRows(theta, m, cols, k, tau1);
    const loss = assignmentLoss(p, rows, cols, m, k, rank);
    losses.push(loss);
    if (best === null || loss < best.loss) {
      best = { loss, labels: argmaxRows(m, cols, k), index: s };
    }
  }
  return { labels: best!.labels, loss: best!.loss, losses, chosen: best!.index };
}

function softmaxRows(theta: Float64Array, out: Float64Array, n: number, k: number, tau: number) {
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let c = 0; c < k; c++) mx = Math.max(mx, theta[i * k + c] / tau);
    let s = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(theta[i * k + c] / tau - mx);
      out[i * k + c] = e;
      s += e;
    }
    for (let c = 0; c < k; c++) out[i * k + c] /= s;
  }
}

function argmaxRows(m: Float64Array, n: number, k: number): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (m[i * k + c] > m[i * k + best]) best = c;
    labels[i] = best;
  }
  return labels;
}
