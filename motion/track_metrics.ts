/**
 * TAP-Vid point-tracking metrics (Doersch et al., NeurIPS 2022 Datasets & Benchmarks), following
 * the reference `compute_tapvid_metrics` of google-deepmind/tapnet:
 *
 * - Scored entries: every (track, frame) except the track's query frame.
 * - Occlusion accuracy: share of scored entries where predicted visibility equals GT visibility.
 * - `<δ^x`: among scored entries visible in GT, share with position error < δ, δ ∈ {1,2,4,8,16}
 *   (predicted visibility is ignored); δ_avg is their mean.
 * - Jaccard at δ: TP / (TP + FP + FN) with TP = GT-visible, predicted visible and within δ;
 *   FP = predicted visible but GT-occluded or farther than δ; FN = GT-visible but predicted
 *   occluded or farther than δ. Average Jaccard (AJ) is the mean over the five δ.
 *
 * Distances are measured after scaling positions to a 256×256 frame (TAP-Vid's convention:
 * x·256/width, y·256/height) unless `scaleTo256: false`, then in the tracks' own pixels.
 * All entries of one call are pooled (TAP-Vid pools per video, then averages over videos: call
 * once per sequence and average the results for that protocol).
 * @module
 */

import type { Tracks } from "./types.ts";

/** TAP-Vid metrics of one sequence (shares in 0…1). */
export interface TrackMetrics {
  /** Position accuracy at δ = 1, 2, 4, 8, 16. */
  within: [number, number, number, number, number];
  deltaAvg: number;
  occlusionAccuracy: number;
  /** Jaccard at δ = 1, 2, 4, 8, 16. */
  jaccard: [number, number, number, number, number];
  averageJaccard: number;
  /** Number of scored (track, frame) entries and GT-visible ones among them. */
  scored: number;
  gtVisible: number;
}

/** Options of {@link trackMetrics}. */
export interface TrackMetricsOptions {
  /** Scale to 256×256 before measuring distances (TAP-Vid convention, default true). */
  scaleTo256?: boolean;
}

const THRESHOLDS = [1, 2, 4, 8, 16] as const;

/**
 * Score predicted tracks against ground truth with the same query points in the same order
 * (pass GT's queries to the tracker via `TrackOptions.queries`).
 */
export function trackMetrics(
  pred: Tracks,
  gt: Tracks,
  opts: TrackMetricsOptions = {},
): TrackMetrics {
  if (pred.numTracks !== gt.numTracks || pred.numFrames !== gt.numFrames) {
    throw new RangeError(
      `trackMetrics: prediction has ${pred.numTracks} tracks × ${pred.numFrames} frames, ` +
        `ground truth ${gt.numTracks} × ${gt.numFrames}`,
    );
  }
  for (let i = 0; i < gt.numTracks; i++) {
    if (pred.queryFrame[i] !== gt.queryFrame[i]) {
      throw new RangeError(
        `trackMetrics: track ${i} is queried at frame ${pred.queryFrame[i]} in the prediction, ` +
          `${gt.queryFrame[i]} in the ground truth (query points must match)`,
      );
    }
  }
  const scale = opts.scaleTo256 ?? true;
  const sx = scale ? 256 / gt.width : 1;
  const sy = scale ? 256 / gt.height : 1;
  const T = gt.numFrames;
  let scored = 0;
  let gtVis = 0;
  let occCorrect = 0;
  const within = [0, 0, 0, 0, 0];
  const tp = [0, 0, 0, 0, 0];
  const fp = [0, 0, 0, 0, 0];
  let predVisGtOcc = 0;
  for (let n = 0; n < gt.numTracks; n++) {
    for (let t = 0; t < T; t++) {
      if (t === gt.queryFrame[n]) continue;
      const k = n * T + t;
      const gv = gt.visible[k] ? 1 : 0;
      const pv = pred.visible[k] ? 1 : 0;
      scored++;
      if (gv === pv) occCorrect++;
      if (!gv) {
        if (pv) predVisGtOcc++;
        continue;
      }
      gtVis++;
      const dx = (pred.xy[2 * k] - gt.xy[2 * k]) * sx;
      const dy = (pred.xy[2 * k + 1] - gt.xy[2 * k + 1]) * sy;
      const d = Math.sqrt(dx * dx + dy * dy); // NaN never counts as within
      for (let j = 0; j < 5; j++) {
        const ok = d < THRESHOLDS[j];
        if (ok) within[j]++;
        if (pv && ok) tp[j]++;
        else if (pv) fp[j]++;
      }
    }
  }
  const div = (a: number, b: number) => (b > 0 ? a / b : NaN);
  const w = within.map((c) => div(c, gtVis)) as TrackMetrics["within"];
  // Jaccard = TP / (GT positives + FP), FP counting GT-occluded predicted-visible entries too.
  const jac = tp.map((c, j) => div(c, gtVis + fp[j] + predVisGtOcc)) as TrackMetrics["jaccard"];
  return {
    within: w,
    deltaAvg: w.reduce((a, b) => a + b, 0) / 5,
    occlusionAccuracy: div(occCorrect, scored),
    jaccard: jac,
    averageJaccard: jac.reduce((a, b) => a + b, 0) / 5,
    scored,
    gtVisible: gtVis,
  };
}
