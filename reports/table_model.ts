/**
 * Builds the presentation model of one results table: columns (ours and "paper (reported)"),
 * rows, formatted cells and the best value per column. HTML and Markdown render the same model.
 *
 * @module
 */
import type { Summary } from "./stats.ts";
import {
  DATASETS,
  datasetTitle,
  formatMeanStd,
  formatValue,
  METRICS,
  metricSpec,
  type TableSpec,
} from "./tables.ts";

/**
 * Where a reference number comes from; each kind gets its own, labelled column. Only `paper`
 * numbers are printed in the paper being reproduced.
 */
export const REFERENCE_KINDS = {
  paper: "paper (reported)",
  published: "published (other papers)",
  measured: "reference implementation, measured",
} as const;
export type ReferenceKind = keyof typeof REFERENCE_KINDS;

/** A reference number (declared with its table, experiments/tables.ts). */
export interface PaperNumber {
  table: string;
  row: string;
  dataset: string;
  metric: string;
  value: number;
  /** Where it comes from, e.g. "Table 2". */
  source: string;
  /** Printed in the paper (default), published elsewhere, or measured with reference code. */
  kind?: ReferenceKind;
}

/** The kind of a reference number (`paper` when not given). */
export const referenceKind = (p: PaperNumber): ReferenceKind => p.kind ?? "paper";

/** One column of a results table. */
export interface TableColumn {
  dataset: string;
  metric: string;
  kind: "ours" | ReferenceKind;
  /** Upper header line (the dataset). */
  group: string;
  /** Lower header line (the metric, "ours" or the reference kind's label). */
  header: string;
}

/** One cell; null in a row's `cells` means no value. */
export interface TableCell {
  text: string;
  mean: number;
  std: number | null;
  /** Seeds (values) behind the mean. */
  n: number;
  best: boolean;
  /** For paper cells: where the number comes from. */
  source?: string;
}

/** One row of a results table. */
export interface TableRow {
  label: string;
  rowLabel: string;
  x: number | null;
  /** True when the row has only paper numbers. */
  paperOnly: boolean;
  cells: (TableCell | null)[];
}

/** The model of one results table. */
export interface ResultTable {
  tableName: string;
  spec: TableSpec;
  columns: TableColumn[];
  rows: TableRow[];
  /** Seeds seen in the table's rows. */
  seeds: number[];
  /** Number of per-sequence rows (not shown in the table). */
  perSequenceRows: number;
}

function orderBy<T>(items: T[], known: string[], key: (t: T) => string): T[] {
  const rank = (t: T) => {
    const i = known.indexOf(key(t));
    return i < 0 ? known.length : i;
  };
  return items.map((t, i) => ({ t, i })).sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i)
    .map((e) => e.t);
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** The row label shown for a (row_label, x) pair. */
export function rowDisplayLabel(rowLabel: string, x: number | null, xTitle?: string): string {
  if (x === null) return rowLabel;
  const xs = String(x);
  if (rowLabel.includes(xs)) return rowLabel;
  return rowLabel === "" ? xs : `${rowLabel}, ${xTitle ?? "x"} = ${xs}`;
}

/**
 * Builds the table model of `tableName` from its summaries and the paper's numbers.
 * @param summaries the summaries of this table only
 * @param paper the paper numbers of this table only
 * @param perSequenceRows how many per-sequence rows the table had (reported, not shown)
 */
export function buildResultTable(
  tableName: string,
  spec: TableSpec,
  summaries: readonly Summary[],
  paper: readonly PaperNumber[],
  perSequenceRows = 0,
): ResultTable {
  const datasets = orderBy(
    unique([...summaries.map((s) => s.dataset), ...paper.map((p) => p.dataset)]),
    Object.keys(DATASETS),
    (d) => d,
  );
  const metrics = orderBy(
    unique(summaries.map((s) => s.metric)).filter((m) =>
      !spec.tableMetrics || spec.tableMetrics.includes(m)
    ),
    Object.keys(METRICS),
    (m) => m,
  );
  const multiMetric = metrics.length > 1;
  const hasPaper = paper.length > 0;
  const columns: TableColumn[] = [];
  for (const dataset of datasets) {
    for (const metric of metrics) {
      const mt = metricSpec(metric).title;
      const ours = summaries.some((s) => s.dataset === dataset && s.metric === metric);
      const kinds = (Object.keys(REFERENCE_KINDS) as ReferenceKind[]).filter((k) =>
        paper.some((p) => p.dataset === dataset && p.metric === metric && referenceKind(p) === k)
      );
      if (!ours && !kinds.length) continue;
      const group = datasetTitle(dataset);
      columns.push({
        dataset,
        metric,
        kind: "ours",
        group,
        header: multiMetric || !hasPaper ? mt : "ours",
      });
      for (const kind of kinds) {
        const label = REFERENCE_KINDS[kind];
        columns.push({
          dataset,
          metric,
          kind,
          group,
          header: multiMetric ? `${mt} ${label}` : label,
        });
      }
    }
  }

  // Rows: (row_label, x) pairs of ours, then paper-only row labels.
  const keyOf = (label: string, x: number | null) => JSON.stringify([label, x]);
  const rowKeys = new Map<string, { rowLabel: string; x: number | null }>();
  for (const s of summaries) {
    const k = keyOf(s.rowLabel, s.x);
    if (!rowKeys.has(k)) rowKeys.set(k, { rowLabel: s.rowLabel, x: s.x });
  }
  let ordered = orderBy([...rowKeys.values()], spec.rowOrder ?? [], (r) => r.rowLabel);
  if (spec.xField === "x") {
    ordered = ordered.map((r, i) => ({ r, i })).sort((a, b) =>
      (a.r.x ?? -Infinity) - (b.r.x ?? -Infinity) || a.i - b.i
    ).map((e) => e.r);
  }
  for (const p of paper) {
    if (![...rowKeys.values()].some((r) => r.rowLabel === p.row)) {
      const k = keyOf(p.row, null);
      if (!rowKeys.has(k)) {
        rowKeys.set(k, { rowLabel: p.row, x: null });
        ordered.push({ rowLabel: p.row, x: null });
      }
    }
  }

  const cellIndex = new Map<string, Summary>();
  for (const s of summaries) {
    cellIndex.set(JSON.stringify([s.rowLabel, s.x, s.dataset, s.metric]), s);
  }
  const rows: TableRow[] = ordered.map(({ rowLabel, x }) => {
    const cells = columns.map((c): TableCell | null => {
      if (c.kind !== "ours") {
        // Reference numbers have no x: they attach to the row label (first row of that label).
        const p = paper.find((q) =>
          q.row === rowLabel && q.dataset === c.dataset && q.metric === c.metric &&
          referenceKind(q) === c.kind
        );
        return p
          ? {
            text: formatValue(c.metric, p.value),
            mean: p.value,
            std: null,
            n: 1,
            best: false,
            source: p.source,
          }
          : null;
      }
      const s = cellIndex.get(JSON.stringify([rowLabel, x, c.dataset, c.metric]));
      if (!s) return null;
      return {
        text: formatMeanStd(c.metric, s.mean, s.std),
        mean: s.mean,
        std: s.std,
        n: s.n,
        best: false,
      };
    });
    const paperOnly = !summaries.some((s) => s.rowLabel === rowLabel);
    return { label: rowDisplayLabel(rowLabel, x, spec.xTitle), rowLabel, x, paperOnly, cells };
  });

  // A paper number attaches to one row only: drop it from later rows with the same label.
  const seenPaper = new Set<string>();
  for (const row of rows) {
    row.cells.forEach((cell, j) => {
      if (cell === null || columns[j].kind === "ours") return;
      const k = JSON.stringify([row.rowLabel, j]);
      if (seenPaper.has(k)) row.cells[j] = null;
      else seenPaper.add(k);
    });
  }

  if (spec.highlightBest !== false) {
    columns.forEach((c, j) => {
      const better = metricSpec(c.metric).better;
      if (c.kind !== "ours" || better === null) return;
      const vals = rows.map((r) => r.cells[j]?.mean ?? Number.NaN).filter(Number.isFinite);
      if (vals.length < 2) return;
      const best = better === "higher" ? Math.max(...vals) : Math.min(...vals);
      for (const r of rows) {
        const cell = r.cells[j];
        if (cell && Math.abs(cell.mean - best) <= 1e-12 * Math.max(1, Math.abs(best))) {
          cell.best = true;
        }
      }
    });
  }

  const seeds = unique(summaries.flatMap((s) => s.seeds)).sort((a, b) => a - b);
  return { tableName, spec, columns, rows, seeds, perSequenceRows };
}
