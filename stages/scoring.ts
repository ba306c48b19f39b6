/**
 * Each benchmark's J protocol over per-frame foreground predictions: DAVIS-2016 (and the
 * synthetic set) average per sequence excluding frames 00000/00001, then over sequences;
 * SegTrackv2 and FBMS-59 pool all scored (annotated) frames.
 * @module
 */
import { davisJ, pooledJ, type SequenceScores } from "../eval/metrics.ts";
import type { MetricRow } from "../pipeline/mod.ts";

/** Datasets scored per sequence without frames 00000/00001 (the DAVIS-2016 protocol). */
const PER_SEQUENCE = new Set(["davis2016", "synthetic"]);

/** The frame scores of a sequence that enter its dataset's J (DAVIS: frames ≥ 2 only). */
export function protocolScores(dataset: string, s: SequenceScores): number[] {
  return PER_SEQUENCE.has(dataset) ? s.scores.filter((_, i) => s.frames[i] >= 2) : s.scores;
}

/** The dataset-level J (×100) of per-sequence frame scores (0…1), by the dataset's protocol. */
export function datasetJ(dataset: string, seqs: SequenceScores[]): number {
  const scored = seqs.filter((s) => s.scores.length);
  if (!scored.length) return NaN;
  if (PER_SEQUENCE.has(dataset)) {
    const kept = scored.filter((s) => s.frames.some((f) => f >= 2));
    return kept.length ? 100 * davisJ(kept).mean : NaN;
  }
  return 100 * pooledJ(scored);
}

/**
 * Metric rows for one method: per-sequence J (the mean over the frames the protocol scores, so
 * that the DAVIS dataset J is the mean of the per-sequence rows) and the dataset J (`row`
 * labels the method).
 */
export function jRows(
  dataset: string,
  seqs: SequenceScores[],
  row?: string,
  metric = "J",
): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const s of seqs) {
    const kept = protocolScores(dataset, s);
    if (!kept.length) continue;
    rows.push({
      row,
      metric,
      sequence: s.name,
      value: 100 * kept.reduce((a, b) => a + b, 0) / kept.length,
    });
  }
  const j = datasetJ(dataset, seqs);
  if (Number.isFinite(j)) rows.push({ row, metric, value: j });
  return rows;
}

/** Metric names of {@link coverageRows}: what the J of a dataset was computed on. */
export const COVERAGE_METRICS = {
  sequences: "sequences",
  frames: "frames",
  annotated: "annotated_frames",
  scored: "scored_frames",
} as const;

/**
 * How much of a dataset a J covers: sequences, frames, annotated frames and the frames the
 * protocol scores (DAVIS drops 00000/00001; FBMS scores its sparse annotations only).
 * @param totalFrames frames per sequence, in the order of `seqs`
 */
export function coverageRows(
  dataset: string,
  seqs: SequenceScores[],
  totalFrames: number[],
  row?: string,
): MetricRow[] {
  const m = COVERAGE_METRICS;
  return [
    { row, metric: m.sequences, value: seqs.length },
    { row, metric: m.frames, value: totalFrames.reduce((a, b) => a + b, 0) },
    { row, metric: m.annotated, value: seqs.reduce((a, s) => a + s.frames.length, 0) },
    {
      row,
      metric: m.scored,
      value: seqs.reduce((a, s) => a + protocolScores(dataset, s).length, 0),
    },
  ];
}
