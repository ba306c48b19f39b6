/**
 * Template: small multiples of training-loss curves, one panel per training run, log-scale y,
 * one colour per loss term. Named dataset: "curves" ({@link CurvePoint}, values > 0 only).
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { categoryRange, chartConfig } from "./theme.ts";

/** Options of {@link lossCurvesSpec}. */
export interface LossCurvesOptions {
  /** Loss-term names in order (colour domain). */
  terms: string[];
  /** Panels per line. */
  columns: number;
}

/** The Vega-Lite spec of the loss-curve small multiples. */
export function lossCurvesSpec(o: LossCurvesOptions): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { name: "curves" },
    facet: { field: "run", type: "nominal", title: null, header: { labelLimit: 300 } },
    columns: o.columns,
    spacing: { row: 24, column: 28 },
    spec: {
      width: 250,
      height: 150,
      mark: { type: "line", strokeWidth: 1.5, clip: true },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: {
          field: "value",
          type: "quantitative",
          title: "loss",
          scale: { type: "log", nice: false },
        },
        color: {
          field: "name",
          type: "nominal",
          title: "term",
          scale: { domain: o.terms, range: categoryRange(o.terms.length) },
          legend: { orient: "bottom" },
        },
      },
    },
    resolve: { scale: { y: "independent" } },
    config: chartConfig(),
  } as TopLevelSpec;
}
