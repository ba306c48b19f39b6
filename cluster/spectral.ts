/**
 * k-means (k-means++ seeding, restarts) and normalised spectral clustering on Float64Arrays.
 * @module
 */

import { Rng } from "../core/random.ts";
import { symEig } from "./_sym_eig.ts";

/** Options of {@link kmeans}. */
export interface KMeansOptions {
  /** Seed of the k-means++ draws (default 0). */
  seed?: number;
  /** Independent k-means++ starts; the lowest within-cluster sum of squares wins (default 10). */
  restarts?: number;
  /** Lloyd iterations per start (default 300). */
  maxIter?: number;
}

/** Result of {@link kmeans}. */
export interface KMeansResult {
  labels: Int32Array;
  /** k×d centres, row-major. */
  centers: Float64Array;
  /** Within-cluster sum of squared distances. */
  inertia: number;
}

function sqDist(a: Float64Array, ia: number, b: Float64Array, ib: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ia + j] - b[ib + j];
    s += t * t;
  }
  return s;
}

function kmeansOnce(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  rand: () => number,
  maxIter: number,
): KMeansResult {
  const centers = new Float64Array(k * d);
  // k-means++ seeding.
  const first = Math.min(n - 1, Math.floor(rand() * n));
  centers.set(x.subarray(first * d, first * d + d), 0);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = sqDist(x, i * d, centers, 0, d);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += dist[i];
    let pick = n - 1;
    if (total > 0) {
      let r = rand() * total;
      for (let i = 0; i < n; i++) {
        r -= dist[i];
        if (r <= 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = Math.min(n - 1, Math.floor(rand() * n));
    }
    centers.set(x.subarray(pick * d, pick * d + d), c * d);
    for (let i = 0; i < n; i++) dist[i] = Math.min(dist[i], sqDist(x, i * d, centers, c * d, d));
  }
  const labels = new Int32Array(n).fill(-1);
  const counts = new Float64Array(k);
  let inertia = 0;
  for (let iter = 0; iter < maxIter; iter++) {
    let changed = false;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const dd = sqDist(x, i * d, centers, c * d, d);
        if (dd < bestD) {
          bestD = dd;
          best = c;
        }
      }
      dist[i] = bestD;
      inertia += bestD;
      if (labels[i] !== best) {
        labels[i] = best;
        changed = true;
      }
    }
    if (!changed && iter > 0) break;
    centers.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c]++;
      for (let j = 0; j < d; j++) centers[c * d + j] += x[i * d + j];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // Empty cluster: move its centre to the point farthest from its own centre.
        let far = 0;
        for (let i = 1; i < n; i++) if (dist[i] > dist[far]) far = i;
        centers.set(x.subarray(far * d, far * d + d), c * d);
        dist[far] = 0;
        changed = true;
      } else {
        for (let j = 0; j < d; j++) centers[c * d + j] /= counts[c];
      }
    }
  }
  return { labels, centers, inertia };
}

/**
 * k-means of n points of dimension d (`x[i * d + j]`), deterministic given the seed.
 * @throws RangeError when k is not in 1…n or sizes disagree
 */
export function kmeans(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  opts: KMeansOptions = {},
): KMeansResult {
  if (x.length !== n * d) throw new RangeError(`kmeans: expected ${n * d} values, got ${x.length}`);
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`kmeans: k must be an integer in 1…${n}, got ${k}`);
  }
  const rng = Rng.fromState(opts.seed ?? 0);
  const rand = () => rng.next();
  let best: KMeansResult | null = null;
  for (let r = 0; r < (opts.restarts ?? 10); r++) {
    const res = kmeansOnce(x, n, d, k, rand, opts.maxIter ?? 300);
    if (best === null || res.inertia < best.inertia) best = res;
  }
  return best!;
}

/** Transpose a row-major rows×cols matrix. */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  }
  return out;
}

/** Options of {@link spectralClustering}. */
export interface SpectralOptions extends KMeansOptions {}

/**
 * Normalised spectral clustering (Ng, Jordan, Weiss): L = I − D^{-1/2} A D^{-1/2}, the k
 * eigenvectors of its k smallest eigenvalues as rows, rows normalised to unit length, k-means.
 *
 * @param affinity symmetric non-negative n×n matrix, row-major
 */
export function spectralClustering(
  affinity: Float64Array,
  n: number,
  k: number,
  opts: SpectralOptions = {},
): Int32Array {
  if (affinity.length !== n * n) {
    throw new RangeError(`spectralClustering: expected ${n * n} values, got ${affinity.length}`);
  }
  const emb = spectralEmbedding(affinity, n, k);
  return kmeans(emb, n, k, k, { restarts: 20, maxIter: 1000, ...opts }).labels;
}

/** The n×k row-normalised spectral embedding used by {@link spectralClustering}. */
export function spectralEmbedding(affinity: Float64Array, n: number, k: number): Float64Array {
  const dinv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += affinity[i * n + j];
    dinv[i] = 1 / Math.sqrt(s + 2.2e-16);
  }
  // Largest eigenvectors of D^{-1/2} A D^{-1/2} = smallest of the normalised Laplacian.
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * n + j] = dinv[i] * affinity[i * n + j] * dinv[j];
  }
  const { vectors } = symEig(m, n);
  const emb = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let c = 0; c < k; c++) {
      const v = vectors[i * n + (n - 1 - c)];
      emb[i * k + c] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) + 2.2e-16;
    for (let c = 0; c < k; c++) emb[i * k + c] /= norm;
  }
  return emb;
}
