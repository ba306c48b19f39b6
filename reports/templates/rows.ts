/**
 * The shapes of the named datasets the chart templates read.
 *
 * @module
 */

/** One bar / point: a summary cell of a results table. Dataset "rows". */
export interface ChartRow {
  /** The table row (method or setting), as displayed. */
  row: string;
  /** The dataset's display name. */
  dataset: string;
  /** The metric key (templates filter panels on it). */
  metric: string;
  /** Numeric setting, null when none. */
  x: number | null;
  mean: number;
  /** mean − std and mean + std; null without a std (fewer than two seeds). */
  lo: number | null;
  hi: number | null;
  /** Number of seeds behind the mean. */
  n: number;
  /** The formatted value (tooltip / label). */
  text: string;
}

/** One number reported by the paper. Dataset "paper". */
export interface PaperRow {
  row: string;
  dataset: string;
  metric: string;
  value: number;
}

/** One point of a loss curve. Dataset "curves". */
export interface CurvePoint {
  /** The training run (stage id) the curve belongs to. */
  run: string;
  /** The loss term. */
  name: string;
  step: number;
  value: number;
}
