/**
 * How result tables are presented: the `TableSpec` type (each table's own spec is declared with
 * its experiment, experiments/tables.ts, and handed to the renderer), metric and dataset names,
 * number formatting. A `table_name` without a spec is still shown, with
 * {@link defaultTableSpec}.
 *
 * @module
 */

/** How a table is charted. */
export type ChartKind =
  /** Bars per dataset, one colour per row (method); one panel per metric. */
  | "grouped_bar"
  /** Bars of the metric against the setting (`x` or the row label), error bars over seeds. */
  | "sweep_bar"
  /** One line chart per row label (each an axis of the study), x numeric. */
  | "line_panels"
  /** Table only. */
  | "none";

/** How one table is presented. */
export interface TableSpec {
  /** Section heading. */
  title: string;
  /** One or two sentences: what the table measures (shown under the heading). */
  description: string;
  chart: ChartKind;
  /** For sweeps: the setting on the chart's x axis: the numeric `x` column or the row label. */
  xField?: "x" | "row_label";
  /** Axis title of the setting (e.g. "rank r"). */
  xTitle?: string;
  /** Per-row-label axis titles for `line_panels` (e.g. `{ noise: "mask noise η" }`). */
  panelTitles?: Record<string, string>;
  /** Metrics charted (default: all metrics of the table). */
  chartMetrics?: string[];
  /** Metrics shown in the HTML table (default: all); the rest stay in the database. */
  tableMetrics?: string[];
  /** Bold the best mean per column (default true). */
  highlightBest?: boolean;
  /** Show the results table in the HTML page (default true; the Markdown always has it). */
  showTable?: boolean;
  /** Rows listed here come first, in this order; the others follow in the order stored. */
  rowOrder?: string[];
  /**
   * Also chart this metric per sequence (mean over seeds), for the listed rows (default all),
   * so that a failing sequence is visible.
   */
  perSequence?: { metric: string; rows?: string[] };
}

/** How one metric is named, formatted and compared. */
export interface MetricSpec {
  title: string;
  /** Digits after the decimal point; `null` means 3 significant digits. */
  digits: number | null;
  /** Which direction is better; `null` for values that are not a score (no bold). */
  better: "higher" | "lower" | null;
  /** Suffix printed after the number (e.g. "%"). */
  unit?: string;
}

/** Known metrics; unknown ones get {@link defaultMetricSpec}. */
export const METRICS: Record<string, MetricSpec> = {
  J: { title: "J (×100)", digits: 1, better: "higher" },
  J_oracle: { title: "J, oracle merge (×100)", digits: 1, better: "higher" },
  J_motion_merge: { title: "J, motion merge (×100)", digits: 1, better: "higher" },
  J_colour_merge: { title: "J, colour merge (×100)", digits: 1, better: "higher" },
  ari: { title: "ARI (×100)", digits: 1, better: "higher" },
  fg_ari: { title: "FG-ARI (×100)", digits: 1, better: "higher" },
  misclassification: { title: "misclassification", digits: 1, better: "lower", unit: "%" },
  lt: { title: "Lt", digits: null, better: null },
  epe: { title: "EPE (px)", digits: 2, better: "lower" },
  within_1px: { title: "EPE < 1 px", digits: 1, better: "higher", unit: "%" },
  within_3px: { title: "EPE < 3 px", digits: 1, better: "higher", unit: "%" },
  within_5px: { title: "EPE < 5 px", digits: 1, better: "higher", unit: "%" },
  delta_1: { title: "δ<1", digits: 1, better: "higher" },
  delta_2: { title: "δ<2", digits: 1, better: "higher" },
  delta_4: { title: "δ<4", digits: 1, better: "higher" },
  delta_8: { title: "δ<8", digits: 1, better: "higher" },
  delta_16: { title: "δ<16", digits: 1, better: "higher" },
  delta_avg: { title: "δ avg", digits: 1, better: "higher" },
  occlusion_accuracy: { title: "occlusion acc.", digits: 1, better: "higher" },
  average_jaccard: { title: "average Jaccard", digits: 1, better: "higher" },
  sequences: { title: "sequences", digits: 0, better: null },
  frames: { title: "frames", digits: 0, better: null },
  annotated_frames: { title: "annotated frames", digits: 0, better: null },
  scored_frames: { title: "scored frames", digits: 0, better: null },
};

/** Dataset display names; unknown ones are shown as stored. */
export const DATASETS: Record<string, string> = {
  synthetic: "Synthetic",
  hopkins155: "Hopkins155",
  davis2016: "DAVIS-2016",
  segtrackv2: "SegTrackv2",
  fbms59: "FBMS-59",
  sintel: "Sintel",
};

/** The presentation of a table no experiment declares. */
export function defaultTableSpec(tableName: string): TableSpec {
  return {
    title: tableName.replaceAll("_", " "),
    description: `Table "${tableName}" (no experiment declares it, experiments/tables.ts).`,
    chart: "grouped_bar",
  };
}

/** The spec of a metric, with a plain default for unknown names. */
export function metricSpec(metric: string): MetricSpec {
  return METRICS[metric] ?? { title: metric, digits: null, better: null };
}

/** A dataset's display name. */
export function datasetTitle(dataset: string): string {
  return DATASETS[dataset] ?? dataset;
}

/** Formats a value for a metric: fixed digits or 3 significant digits, with the unit. */
export function formatValue(metric: string, value: number, withUnit = true): string {
  if (!Number.isFinite(value)) return "—";
  const spec = metricSpec(metric);
  let s: string;
  if (spec.digits === null) {
    const a = Math.abs(value);
    s = a !== 0 && (a >= 1e5 || a < 1e-3) ? value.toExponential(2) : value.toPrecision(3);
  } else {
    s = value.toFixed(spec.digits);
  }
  return withUnit ? s + (spec.unit ?? "") : s;
}

/** Formats `mean ± std` (just the mean when `std` is null), unit once at the end. */
export function formatMeanStd(metric: string, mean: number, std: number | null): string {
  if (std === null || !Number.isFinite(mean)) return formatValue(metric, mean);
  const unit = metricSpec(metric).unit ?? "";
  return `${formatValue(metric, mean, false)} ± ${formatValue(metric, std, false)}${unit}`;
}
