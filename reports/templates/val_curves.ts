/**
 * Template: validation curves (e.g. J on the scored frames every N training steps), one line
 * per training run, linear y. Named dataset: "curves" ({@link CurvePoint}).
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { categoryRange, chartConfig } from "./theme.ts";

/** Options of {@link valCurvesSpec}. */
export interface ValCurvesOptions {
  /** Training runs (colour domain). */
  runs: string[];
  /** y-axis title. */
  title: string;
}

/** The Vega-Lite spec of the validation curves. */
export function valCurvesSpec(o: ValCurvesOptions): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { name: "curves" },
    width: 420,
    height: 200,
    mark: { type: "line", point: true, strokeWidth: 1.5 },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "value", type: "quantitative", title: o.title },
      color: {
        field: "run",
        type: "nominal",
        title: null,
        scale: { domain: o.runs, range: categoryRange(o.runs.length) },
        legend: { orient: "bottom", columns: 1, labelLimit: 400 },
      },
      tooltip: [{ field: "run" }, { field: "step" }, { field: "value", title: o.title }],
    },
    config: chartConfig(),
  } as TopLevelSpec;
}
