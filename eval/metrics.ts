/**
 * Segmentation metrics: Jaccard (IoU) with each benchmark's aggregation, and the adjusted Rand
 * index (ARI) / foreground ARI for multi-object ground truth.
 * @module
 */

/**
 * Intersection over union of two binary masks (non-zero = foreground). Two empty masks score 1
 * (the DAVIS convention).
 */
export function jaccard(pred: ArrayLike<number>, gt: ArrayLike<number>): number {
  if (pred.length !== gt.length) {
    throw new RangeError(`jaccard: prediction has ${pred.length} pixels, GT ${gt.length}`);
  }
  let inter = 0;
  let union = 0;
  for (let i = 0; i < gt.length; i++) {
    const p = pred[i] !== 0;
    const g = gt[i] !== 0;
    if (p && g) inter++;
    if (p || g) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Per-frame scores of one sequence: `frames[i]` is the frame index of `scores[i]`. */
export interface SequenceScores {
  name: string;
  frames: number[];
  scores: number[];
}

/**
 * DAVIS-2016 J: per sequence, the mean over frames excluding frames 0 and 1 (`00000`,
 * `00001`), then the mean over sequences.
 */
export function davisJ(sequences: SequenceScores[]): { mean: number; perSequence: number[] } {
  const perSequence = sequences.map((s) => {
    const kept = s.scores.filter((_, i) => s.frames[i] >= 2);
    if (kept.length === 0) throw new RangeError(`davisJ: sequence "${s.name}" has no frame ≥ 2`);
    return kept.reduce((a, b) => a + b, 0) / kept.length;
  });
  if (perSequence.length === 0) throw new RangeError("davisJ: no sequences");
  return { mean: perSequence.reduce((a, b) => a + b, 0) / perSequence.length, perSequence };
}

/**
 * SegTrackv2 / FBMS J: the mean over all scored frames of all sequences pooled (for FBMS pass
 * only the annotated frames).
 */
export function pooledJ(sequences: SequenceScores[]): number {
  let sum = 0;
  let n = 0;
  for (const s of sequences) {
    for (const v of s.scores) {
      sum += v;
      n++;
    }
  }
  if (n === 0) throw new RangeError("pooledJ: no scored frames");
  return sum / n;
}

const choose2 = (n: number) => (n * (n - 1)) / 2;

/**
 * Adjusted Rand index between two labelings of the same items (Hubert & Arabie). Identical
 * partitions score 1, independent ones ≈ 0. When both put everything in one cluster, 1.
 * `include[i] = 0` drops item i (used by FG-ARI).
 */
export function adjustedRandIndex(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  include?: ArrayLike<number>,
): number {
  if (a.length !== b.length) throw new RangeError(`ARI: ${a.length} vs ${b.length} labels`);
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (include && !include[i]) continue;
    const key = `${a[i]},${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
    n++;
  }
  if (n < 2) return 1;
  let index = 0;
  for (const v of table.values()) index += choose2(v);
  let sumA = 0;
  for (const v of rows.values()) sumA += choose2(v);
  let sumB = 0;
  for (const v of cols.values()) sumB += choose2(v);
  const expected = (sumA * sumB) / choose2(n);
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

/**
 * ARI over foreground items only (true label ≠ `background`, default 0), the usual FG-ARI of
 * multi-object segmentation (and of trajectory clustering). `pred` are predicted labels, `gt`
 * the true ones. With fewer than two foreground items there is nothing to disagree on: 1.
 */
export function foregroundARI(
  pred: ArrayLike<number>,
  gt: ArrayLike<number>,
  background = 0,
): number {
  const include = new Uint8Array(gt.length);
  for (let i = 0; i < gt.length; i++) include[i] = gt[i] !== background ? 1 : 0;
  return adjustedRandIndex(pred, gt, include);
}

/** Argmax labels of an interleaved `[h·w, K]` soft-mask array. */
export function argmaxLabels(masks: ArrayLike<number>, k: number): Uint8Array {
  const n = masks.length / k;
  if (!Number.isInteger(n)) {
    throw new RangeError(`argmaxLabels: ${masks.length} not a multiple of ${k}`);
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (masks[i * k + c] > masks[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}
