/**
 * Clustering metrics: misclassification rate under the best label matching, adjusted Rand
 * index (ARI) and foreground ARI (FG-ARI).
 * @module
 */

function checkPair(truth: ArrayLike<number>, pred: ArrayLike<number>, what: string): void {
  if (truth.length !== pred.length) {
    throw new RangeError(`${what}: ${truth.length} true labels but ${pred.length} predicted`);
  }
  if (truth.length === 0) throw new RangeError(`${what}: no labels`);
}

/** Dense relabelling: distinct values → 0…k−1 (in order of first appearance). */
function densify(labels: ArrayLike<number>): { ids: Int32Array; count: number } {
  const map = new Map<number, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let id = map.get(labels[i]);
    if (id === undefined) {
      id = map.size;
      map.set(labels[i], id);
    }
    ids[i] = id;
  }
  return { ids, count: map.size };
}

/** Contingency table `table[t * cols + p]` of dense true and predicted labels. */
function contingency(truth: ArrayLike<number>, pred: ArrayLike<number>) {
  const t = densify(truth);
  const p = densify(pred);
  const table = new Float64Array(t.count * p.count);
  for (let i = 0; i < t.ids.length; i++) table[t.ids[i] * p.count + p.ids[i]]++;
  return { table, rows: t.count, cols: p.count };
}

/**
 * Minimum-cost assignment (Hungarian algorithm, O(n²m)) of an n×m cost matrix with n ≤ m.
 * Returns, for each row, its column.
 */
export function hungarian(cost: Float64Array, n: number, m: number): Int32Array {
  if (n > m) throw new RangeError(`hungarian: needs rows ≤ columns, got ${n}×${m}`);
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: row (1-based) assigned to column j
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(INF);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const assignment = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j] > 0) assignment[p[j] - 1] = j - 1;
  return assignment;
}

/**
 * Fraction of points misclassified under the best one-to-one matching of predicted to true
 * groups (Hungarian algorithm; groups left unmatched count as errors). 0 is perfect.
 */
export function misclassificationRate(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkPair(truth, pred, "misclassificationRate");
  const { table, rows, cols } = contingency(truth, pred);
  const size = Math.max(rows, cols);
  // Square cost matrix (padded with zeros): maximise matched counts.
  const cost = new Float64Array(size * size);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) cost[r * size + c] = -table[r * cols + c];
  }
  const assign = hungarian(cost, size, size);
  let matched = 0;
  for (let r = 0; r < rows; r++) {
    const c = assign[r];
    if (c >= 0 && c < cols) matched += table[r * cols + c];
  }
  return 1 - matched / truth.length;
}

// One ARI / FG-ARI for the whole project (segmentation and trajectory clustering alike).
export { adjustedRandIndex, foregroundARI } from "../eval/metrics.ts";
