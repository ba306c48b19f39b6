/**
 * Template: per-sequence scores as horizontal bars (one bar per table row and sequence), one
 * panel per dataset, so a failing sequence is visible. Named dataset: "sequences"
 * ({@link SequencePoint}).
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { categoryRange, chartConfig } from "./theme.ts";

/** Options of {@link perSequenceSpec}. */
export interface PerSequenceOptions {
  /** Table rows (methods) in display order (colour domain). */
  rows: string[];
  /** x-axis title (the metric). */
  title: string;
  /** Panels per line. */
  columns: number;
}

/** The Vega-Lite spec of the per-sequence bars. */
export function perSequenceSpec(o: PerSequenceOptions): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { name: "sequences" },
    facet: { field: "dataset", type: "nominal", title: null, header: { labelFontSize: 12 } },
    columns: o.columns,
    spacing: { row: 20, column: 36 },
    spec: {
      width: 260,
      height: { step: Math.max(10, 5 * o.rows.length + 4) },
      mark: { type: "bar" },
      encoding: {
        y: { field: "sequence", type: "nominal", title: null, sort: null },
        yOffset: { field: "row", type: "nominal", scale: { domain: o.rows } },
        x: { field: "mean", type: "quantitative", title: o.title },
        color: {
          field: "row",
          type: "nominal",
          title: null,
          scale: { domain: o.rows, range: categoryRange(o.rows.length) },
          legend: {
            orient: "bottom",
            columns: Math.min(3, o.rows.length),
            symbolLimit: 0,
            labelLimit: 320,
          },
        },
        tooltip: [{ field: "row" }, { field: "sequence" }, { field: "text", title: o.title }],
      },
    },
    resolve: { scale: { y: "independent" } },
    config: chartConfig(),
  } as TopLevelSpec;
}
