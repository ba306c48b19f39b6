/**
 * Chooses the template of a results table (from its registry entry) and builds its datasets.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import type { ResultTable } from "./table_model.ts";
import { type PaperNumber, REFERENCE_KINDS, referenceKind } from "./table_model.ts";
import type { Summary } from "./stats.ts";
import { datasetTitle, formatMeanStd, metricSpec } from "./tables.ts";
import type { ChartRow, CurvePoint, PaperRow } from "./templates/rows.ts";
import { groupedBarSpec } from "./templates/grouped_bar.ts";
import { sweepBarSpec } from "./templates/sweep_bar.ts";
import { linePanelsSpec } from "./templates/line_panels.ts";
import { lossCurvesSpec } from "./templates/loss_curves.ts";
import { perSequenceSpec } from "./templates/per_sequence.ts";
import { valCurvesSpec } from "./templates/val_curves.ts";
import type { CurveRecord, MetricRecord } from "../pipeline/results_schema.ts";

/** A template plus the named datasets that fill it. */
export interface ChartJob {
  spec: TopLevelSpec;
  datasets: Record<string, readonly unknown[]>;
}

/** Axis title of a metric: its title plus the unit, e.g. "misclassification (%)". */
export function axisTitle(metric: string): string {
  const m = metricSpec(metric);
  return m.unit ? `${m.title} (${m.unit})` : m.title;
}

function chartRows(summaries: readonly Summary[], label: (s: Summary) => string): ChartRow[] {
  return summaries.filter((s) => Number.isFinite(s.mean)).map((s) => ({
    row: label(s),
    dataset: datasetTitle(s.dataset),
    metric: s.metric,
    x: s.x,
    mean: s.mean,
    lo: s.std === null ? null : s.mean - s.std,
    hi: s.std === null ? null : s.mean + s.std,
    n: s.n,
    text: formatMeanStd(s.metric, s.mean, s.std),
  }));
}

/**
 * The chart of one results table, or null when its registry entry asks for none or nothing is
 * finite to plot.
 */
export function tableChart(
  table: ResultTable,
  summaries: readonly Summary[],
  paper: readonly PaperNumber[],
): ChartJob | null {
  const spec = table.spec;
  if (spec.chart === "none") return null;
  const labelOf = new Map(table.rows.map((r) => [JSON.stringify([r.rowLabel, r.x]), r.label]));
  const label = (s: Summary) => labelOf.get(JSON.stringify([s.rowLabel, s.x])) ?? s.rowLabel;
  const metricsInTable = [...new Set(table.columns.map((c) => c.metric))];
  const charted = spec.chartMetrics
    ? metricsInTable.filter((m) => spec.chartMetrics!.includes(m))
    : metricsInTable;
  const metrics = (charted.length > 0 ? charted : metricsInTable).map((m) => ({
    metric: m,
    title: axisTitle(m),
  }));
  const rows = chartRows(summaries, label).filter((r) =>
    metrics.some((m) => m.metric === r.metric)
  );
  if (rows.length === 0) return null;
  const datasets = [...new Set(table.columns.map((c) => datasetTitle(c.dataset)))];
  const ourRows = table.rows.filter((r) => !r.paperOnly);
  const paperRows: PaperRow[] = paper
    .filter((p) => ourRows.some((r) => r.rowLabel === p.row))
    .filter((p) => metrics.some((m) => m.metric === p.metric))
    .map((p) => ({
      row: ourRows.find((r) => r.rowLabel === p.row)!.label,
      dataset: datasetTitle(p.dataset),
      metric: p.metric,
      value: p.value,
      kind: REFERENCE_KINDS[referenceKind(p)],
    }));
  const withPaper = paperRows.length > 0;
  const referenceKinds = {
    present: [...new Set(paperRows.map((p) => p.kind))],
    all: Object.values(REFERENCE_KINDS) as string[],
  };
  const data: Record<string, readonly unknown[]> = withPaper
    ? { rows, paper: paperRows }
    : { rows };

  switch (spec.chart) {
    case "grouped_bar":
      return {
        spec: groupedBarSpec({
          metrics,
          rows: ourRows.map((r) => r.label),
          datasets,
          withPaper,
          referenceKinds,
        }),
        datasets: data,
      };
    case "sweep_bar":
      return {
        spec: sweepBarSpec({
          settings: ourRows.map((r) => r.label),
          xTitle: spec.xTitle ?? "setting",
          datasets,
          metrics,
          withPaper,
          referenceKinds,
        }),
        datasets: data,
      };
    case "line_panels": {
      // Panels are the row labels; `row` in the data must be the raw label to filter on.
      const raw = chartRows(summaries, (s) => s.rowLabel).filter((r) =>
        r.metric === metrics[0].metric
      );
      const known = Object.keys(spec.panelTitles ?? {});
      const seen = [...new Set(ourRows.map((r) => r.rowLabel))];
      const panelRows = [
        ...known.filter((k) => seen.includes(k)),
        ...seen.filter((k) => !known.includes(k)),
      ];
      return {
        spec: linePanelsSpec({
          panels: panelRows.map((row) => ({ row, xTitle: spec.panelTitles?.[row] ?? row })),
          yTitle: metrics[0].title,
          metric: metrics[0].metric,
          datasets,
        }),
        datasets: { rows: raw },
      };
    }
  }
}

/**
 * The per-sequence chart of a table whose registry entry asks for one (`perSequence`): mean
 * over seeds of the metric per (row, dataset, sequence); null without such rows.
 */
export function perSequenceChart(
  table: ResultTable,
  records: readonly MetricRecord[],
): ChartJob | null {
  const want = table.spec.perSequence;
  if (!want) return null;
  const rowsWanted = want.rows ?? [...new Set(table.rows.map((r) => r.rowLabel))];
  const groups = new Map<string, { row: string; dataset: string; sequence: string; v: number[] }>();
  for (const r of records) {
    if (r.tableName !== table.tableName || r.metric !== want.metric || r.sequence === "") continue;
    if (!rowsWanted.includes(r.rowLabel) || !Number.isFinite(r.value)) continue;
    const key = JSON.stringify([r.rowLabel, r.dataset, r.sequence]);
    let g = groups.get(key);
    if (!g) {
      groups.set(key, g = { row: r.rowLabel, dataset: r.dataset, sequence: r.sequence, v: [] });
    }
    g.v.push(r.value);
  }
  if (groups.size === 0) return null;
  const points = [...groups.values()].map((g) => {
    const mean = g.v.reduce((a, b) => a + b, 0) / g.v.length;
    return {
      row: g.row,
      dataset: datasetTitle(g.dataset),
      sequence: g.sequence,
      mean,
      n: g.v.length,
      text: formatMeanStd(want.metric, mean, null),
    };
  });
  points.sort((a, b) =>
    a.dataset.localeCompare(b.dataset) ||
    a.sequence.localeCompare(b.sequence, "en", { numeric: true })
  );
  const rows = rowsWanted.filter((r) => points.some((p) => p.row === r));
  const datasets = new Set(points.map((p) => p.dataset));
  return {
    spec: perSequenceSpec({
      rows,
      title: axisTitle(want.metric),
      columns: Math.min(3, datasets.size),
    }),
    datasets: { sequences: points },
  };
}

/**
 * Curves whose name starts with this prefix are validation scores that use the labels (e.g.
 * `val_J`, J on the scored frames during training): charted apart, on a linear scale.
 */
export const LABELLED_CURVE_PREFIX = "val_";

/** The chart of the validation (labelled) curves, or null without any. */
export function valCurvesChart(curves: readonly CurveRecord[]): {
  job: ChartJob;
  runs: string[];
} | null {
  const pts = curves.filter((c) =>
    c.name.startsWith(LABELLED_CURVE_PREFIX) && Number.isFinite(c.value)
  );
  if (!pts.length) return null;
  const names = [...new Set(pts.map((p) => p.name))];
  const points: CurvePoint[] = pts.map((p) => ({
    run: names.length > 1 ? `${p.stageId} ${p.name}` : p.stageId,
    name: p.name,
    step: p.step,
    value: p.value,
  })).sort((a, b) => a.run.localeCompare(b.run) || a.step - b.step);
  const runs = [...new Set(points.map((p) => p.run))];
  const title = names.length === 1 && names[0] === "val_J"
    ? "J (×100), scored frames — uses labels"
    : "validation score — uses labels";
  return { job: { spec: valCurvesSpec({ runs, title }), datasets: { curves: points } }, runs };
}

/** At most this many points per curve reach the chart (bucket means beyond it). */
export const MAX_CURVE_POINTS = 300;

/**
 * Downsamples one curve (sorted by step) to at most `max` points by averaging buckets of
 * consecutive steps; the first and last points are kept as they are.
 */
export function downsampleCurve(
  points: readonly { step: number; value: number }[],
  max = MAX_CURVE_POINTS,
): { step: number; value: number }[] {
  if (points.length <= max) return points.map((p) => ({ ...p }));
  const inner = points.slice(1, -1);
  const buckets = max - 2;
  const out = [{ ...points[0] }];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * inner.length) / buckets);
    const hi = Math.floor(((b + 1) * inner.length) / buckets);
    if (hi <= lo) continue;
    let s = 0, v = 0;
    for (let i = lo; i < hi; i++) {
      s += inner[i].step;
      v += inner[i].value;
    }
    out.push({ step: s / (hi - lo), value: v / (hi - lo) });
  }
  out.push({ ...points[points.length - 1] });
  return out;
}

/** The loss-curve chart of the run's training stages, or null without curves. */
export function curvesChart(curves: readonly CurveRecord[]): {
  job: ChartJob;
  runs: string[];
  dropped: number;
} | null {
  const groups = new Map<string, { run: string; name: string; pts: CurveRecord[] }>();
  let dropped = 0;
  for (const c of curves) {
    if (c.name.startsWith(LABELLED_CURVE_PREFIX)) continue; // charted by valCurvesChart
    if (!(c.value > 0) || !Number.isFinite(c.value)) {
      dropped++;
      continue;
    }
    const key = JSON.stringify([c.stageId, c.name]);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { run: c.stageId, name: c.name, pts: [] });
    g.pts.push(c);
  }
  if (groups.size === 0) return null;
  const points: CurvePoint[] = [];
  for (const g of groups.values()) {
    g.pts.sort((a, b) => a.step - b.step);
    for (const p of downsampleCurve(g.pts)) {
      points.push({ run: g.run, name: g.name, step: p.step, value: p.value });
    }
  }
  const runs = [...new Set(points.map((p) => p.run))];
  const terms = [...new Set(points.map((p) => p.name))].sort((a, b) =>
    a === "total" ? -1 : b === "total" ? 1 : a.localeCompare(b)
  );
  return {
    job: {
      spec: lossCurvesSpec({ terms, columns: Math.min(3, runs.length) }),
      datasets: { curves: points },
    },
    runs,
    dropped,
  };
}
