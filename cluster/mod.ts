/**
 * Trajectory clustering: Hopkins155 data, classic subspace-clustering baselines (k-means, SSC,
 * LRR), LRTL-direct (the low-rank trajectory loss as a clustering objective), metrics and the
 * Lt feasibility study.
 *
 * Trajectory matrices are D×N row-major Float64Arrays with one column per trajectory; for
 * trajectories D = 2F with rows x_1…x_F then y_1…y_F.
 *
 * @example
 * ```ts
 * import { clusterTrajectories, listHopkins, loadHopkins, misclassificationRate } from "./mod.ts";
 * const [path] = await listHopkins("../shared/data");
 * const seq = await loadHopkins(path);
 * const labels = clusterTrajectories("ssc", seq.x, 2 * seq.frames, seq.points, seq.numMotions);
 * console.log(misclassificationRate(seq.labels, labels));
 * ```
 * @module
 */

import { kmeans, type KMeansOptions, transpose } from "./spectral.ts";
import { ssc, type SscOptions } from "./ssc.ts";
import { lrr, type LrrOptions } from "./lrr.ts";
import { lrtlDirect, type LrtlDirectOptions } from "./lrtl_direct.ts";

export { listHopkins, loadHopkins } from "./hopkins155.ts";
export type { HopkinsSequence } from "./hopkins155.ts";
export { adjustedRandIndex, foregroundARI, hungarian, misclassificationRate } from "./metrics.ts";
export { kmeans, spectralClustering, spectralEmbedding, transpose } from "./spectral.ts";
export type { KMeansOptions, KMeansResult, SpectralOptions } from "./spectral.ts";
export { ssc, sscAffinity, sscCoefficients } from "./ssc.ts";
export type { SscOptions } from "./ssc.ts";
export { lrr, lrrAffinity, lrrCoefficients } from "./lrr.ts";
export type { LrrOptions } from "./lrr.ts";
export { lowRankLoss } from "./lowrank_loss.ts";
export type { LowRankLossOptions, LowRankLossResult } from "./lowrank_loss.ts";
export {
  assignmentLoss,
  lrtlDirect,
  oneHot,
  projectOnTopSubspace,
  shapeInteractionClustering,
} from "./lrtl_direct.ts";
export type { LrtlDirectOptions, LrtlDirectResult, LrtlInit } from "./lrtl_direct.ts";
export { feasibilityStudy, prepareFeasibility, structuralEdit } from "./feasibility.ts";
export type { FeasibilityData, FeasibilityOptions, FeasibilityRow } from "./feasibility.ts";

/** The clustering methods of {@link clusterTrajectories}. */
export type ClusterMethod = "kmeans" | "ssc" | "lrr" | "lrtl-direct";

/** Options of {@link clusterTrajectories}: a seed, progress, and per-method settings. */
export interface ClusterOptions {
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  kmeans?: KMeansOptions;
  ssc?: SscOptions;
  lrr?: LrrOptions;
  lrtl?: LrtlDirectOptions;
}

/**
 * Cluster the `cols` columns of the rows×cols matrix `w` into `groups` groups.
 * Deterministic given `opts.seed`. k-means runs on the raw columns (20 k-means++ starts).
 * @returns a label 0…groups−1 per column
 */
export function clusterTrajectories(
  method: ClusterMethod,
  w: Float64Array,
  rows: number,
  cols: number,
  groups: number,
  opts: ClusterOptions = {},
): Int32Array {
  if (w.length !== rows * cols) {
    throw new RangeError(`clusterTrajectories: expected ${rows}×${cols} values, got ${w.length}`);
  }
  const seed = opts.seed ?? 0;
  switch (method) {
    case "kmeans":
      return kmeans(transpose(w, rows, cols), cols, rows, groups, {
        restarts: 20,
        seed,
        ...opts.kmeans,
      }).labels;
    case "ssc":
      return ssc(w, rows, cols, groups, { seed, onProgress: opts.onProgress, ...opts.ssc });
    case "lrr":
      return lrr(w, rows, cols, groups, { seed, onProgress: opts.onProgress, ...opts.lrr });
    case "lrtl-direct":
      return lrtlDirect(w, rows, cols, groups, {
        seed,
        onProgress: opts.onProgress,
        ...opts.lrtl,
      }).labels;
    default:
      throw new RangeError(`clusterTrajectories: unknown method "${method as string}"`);
  }
}
