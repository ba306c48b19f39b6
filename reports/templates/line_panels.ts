/**
 * Template: one line chart per axis of a study (the table's row labels), x numeric, with error
 * bars over seeds and one colour per dataset. Named dataset: "rows" ({@link ChartRow}).
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { chartConfig, datasetRange } from "./theme.ts";

/** Options of {@link linePanelsSpec}. */
export interface LinePanelsOptions {
  /** Panels: the row label filtered on and the x-axis title. */
  panels: { row: string; xTitle: string }[];
  /** y-axis title (the metric). */
  yTitle: string;
  /** The metric key plotted. */
  metric: string;
  datasets: string[];
}

/** The Vega-Lite spec of the line panels. */
export function linePanelsSpec(o: LinePanelsOptions): TopLevelSpec {
  const color = {
    field: "dataset",
    type: "nominal" as const,
    title: null,
    scale: { domain: o.datasets, range: datasetRange(o.datasets) },
    legend: o.datasets.length > 1 ? { orient: "bottom" as const } : null,
  };
  const panel = (row: string, xTitle: string) => {
    const transform = [{ filter: { field: "row", equal: row } }, {
      filter: { field: "metric", equal: o.metric },
    }];
    const x = {
      field: "x",
      type: "quantitative" as const,
      title: xTitle,
      scale: { nice: false },
      axis: { labelFlush: false, tickCount: 5 },
    };
    return {
      width: 230,
      height: 170,
      title: row,
      layer: [
        {
          data: { name: "rows" },
          transform: [...transform, { filter: "datum.lo != null" }],
          mark: { type: "rule", strokeWidth: 1.2 },
          encoding: { x, color, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
        },
        {
          data: { name: "rows" },
          transform,
          mark: { type: "line", point: { size: 36 }, strokeWidth: 2 },
          encoding: {
            x,
            color,
            y: { field: "mean", type: "quantitative", title: o.yTitle, scale: { zero: false } },
            tooltip: [{ field: "x", title: xTitle }, { field: "dataset" }, {
              field: "text",
              title: o.yTitle,
            }],
          },
        },
      ],
    };
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    hconcat: o.panels.map((p) => panel(p.row, p.xTitle)),
    spacing: 30,
    resolve: { scale: { y: "independent" } },
    config: chartConfig(),
  } as TopLevelSpec;
}
