/**
 * Mean ± standard deviation over seeds of the aggregate metric rows of one table.
 *
 * @module
 */
import type { MetricRecord } from "../pipeline/results_schema.ts";

/** One cell of a results table: a (row, x, dataset, metric) aggregated over seeds. */
export interface Summary {
  tableName: string;
  rowLabel: string;
  x: number | null;
  dataset: string;
  metric: string;
  /** Mean over the finite values. NaN when there is none. */
  mean: number;
  /** Sample standard deviation (n − 1); null when fewer than two values. */
  std: number | null;
  /** Number of finite values (seeds) that went into the mean. */
  n: number;
  /** Number of rows whose value was NaN or infinite (left out of the mean). */
  nonFinite: number;
  /** The distinct seeds seen (null seeds left out). */
  seeds: number[];
}

/** The key of one summary cell. */
export function summaryKey(rowLabel: string, x: number | null, dataset: string, metric: string) {
  return JSON.stringify([rowLabel, x, dataset, metric]);
}

/**
 * Groups the aggregate rows (`sequence === ""`) by table, row, x, dataset and metric, and takes
 * mean and sample std over seeds. Per-sequence rows are ignored. Output order follows the first
 * appearance of each group in `records`.
 */
export function summarize(records: readonly MetricRecord[]): Summary[] {
  const groups = new Map<string, { s: Summary; values: number[] }>();
  for (const r of records) {
    if (r.sequence !== "") continue;
    const key = JSON.stringify([r.tableName, r.rowLabel, r.x, r.dataset, r.metric]);
    let g = groups.get(key);
    if (!g) {
      g = {
        s: {
          tableName: r.tableName,
          rowLabel: r.rowLabel,
          x: r.x,
          dataset: r.dataset,
          metric: r.metric,
          mean: Number.NaN,
          std: null,
          n: 0,
          nonFinite: 0,
          seeds: [],
        },
        values: [],
      };
      groups.set(key, g);
    }
    if (Number.isFinite(r.value)) g.values.push(r.value);
    else g.s.nonFinite++;
    if (r.seed !== null && !g.s.seeds.includes(r.seed)) g.s.seeds.push(r.seed);
  }
  const out: Summary[] = [];
  for (const { s, values } of groups.values()) {
    const n = values.length;
    s.n = n;
    if (n > 0) {
      const mean = values.reduce((a, b) => a + b, 0) / n;
      s.mean = mean;
      if (n > 1) {
        const ss = values.reduce((a, b) => a + (b - mean) * (b - mean), 0);
        s.std = Math.sqrt(ss / (n - 1));
      }
    }
    s.seeds.sort((a, b) => a - b);
    out.push(s);
  }
  return out;
}
