/**
 * Each benchmark's J protocol over per-frame foreground predictions: DAVIS-2016 (and the
 * synthetic set) average per sequence excluding frames 00000/00001, then over sequences;
 * SegTrackv2 and FBMS-59 pool all scored (annotated) frames.
 * @module
 */
import { davisJ, pooledJ, type SequenceScores } from "../eval/mod.ts";
import type { MetricRow } from "../pipeline/mod.ts";

/** The dataset-level J (×100) of per-sequence frame scores (0…1), by the dataset's protocol. */
export function datasetJ(dataset: string, seqs: SequenceScores[]): number {
  const scored = seqs.filter((s) => s.scores.length);
  if (!scored.length) return NaN;
  if (dataset === "davis2016" || dataset === "synthetic") {
    return 100 * davisJ(scored.filter((s) => s.frames.some((f) => f >= 2))).mean;
  }
  return 100 * pooledJ(scored);
}

/** Metric rows for one method: per-sequence J and the dataset J (`row` labels the method). */
export function jRows(
  dataset: string,
  seqs: SequenceScores[],
  row?: string,
  metric = "J",
): MetricRow[] {
  const rows: MetricRow[] = seqs.filter((s) => s.scores.length).map((s) => ({
    row,
    metric,
    sequence: s.name,
    value: 100 * s.scores.reduce((a, b) => a + b, 0) / s.scores.length,
  }));
  const j = datasetJ(dataset, seqs);
  if (Number.isFinite(j)) rows.push({ row, metric, value: j });
  return rows;
}
