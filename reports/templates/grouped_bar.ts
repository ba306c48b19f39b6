/**
 * Template: grouped bars (x = dataset, one colour per table row), one panel per metric, with
 * error bars over seeds and the paper's numbers as black ticks. Named datasets: "rows"
 * ({@link ChartRow}) and "paper" ({@link PaperRow}).
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { categoryRange, chartConfig } from "./theme.ts";
import { referenceShape } from "./rows.ts";

/** Options of {@link groupedBarSpec}. */
export interface GroupedBarOptions {
  /** Panels: metric key and axis title. */
  metrics: { metric: string; title: string }[];
  /** Table rows in display order (colour domain). */
  rows: string[];
  /** Dataset display names in order. */
  datasets: string[];
  /** Whether a "paper" dataset is supplied. */
  withPaper: boolean;
  /** Reference kind labels present in it, and all known labels (the shape scale). */
  referenceKinds?: { present: string[]; all: string[] };
}

/** The Vega-Lite spec of a grouped bar chart. */
export function groupedBarSpec(o: GroupedBarOptions): TopLevelSpec {
  // Width of one dataset group: ~22 px per bar, at least 70 px.
  const group = Math.max(70, 22 * o.rows.length);
  const width = group * o.datasets.length;
  const x = {
    field: "dataset",
    type: "nominal" as const,
    title: null,
    scale: { domain: o.datasets, paddingInner: 0.25 },
    axis: { labelAngle: 0, labelLimit: 220 },
  };
  const xOffset = {
    field: "row",
    type: "nominal" as const,
    scale: { domain: o.rows, paddingInner: 0.12 },
  };
  // Rules and points sit at the centre of their bar, not at its left edge.
  const xOffsetMid = { ...xOffset, bandPosition: 0.5 };
  const color = {
    field: "row",
    type: "nominal" as const,
    title: null,
    scale: { domain: o.rows, range: categoryRange(o.rows.length) },
    legend: {
      orient: "bottom" as const,
      columns: o.rows.length <= 4 ? o.rows.length : 3,
      symbolLimit: 0,
    },
  };
  const panel = (metric: string, title: string) => {
    const filter = { filter: { field: "metric", equal: metric } };
    const layers: unknown[] = [
      {
        data: { name: "rows" },
        transform: [filter],
        mark: { type: "bar" },
        encoding: {
          x,
          xOffset,
          color,
          y: { field: "mean", type: "quantitative", title },
          tooltip: [{ field: "row" }, { field: "dataset" }, { field: "text", title }, {
            field: "n",
            title: "seeds",
          }],
        },
      },
      {
        data: { name: "rows" },
        transform: [filter, { filter: "datum.lo != null" }],
        mark: { type: "rule", color: "#222", strokeWidth: 1.2 },
        encoding: {
          x,
          xOffset: xOffsetMid,
          y: { field: "lo", type: "quantitative" },
          y2: { field: "hi" },
        },
      },
    ];
    if (o.withPaper) {
      layers.push({
        data: { name: "paper" },
        transform: [filter],
        mark: {
          type: "point",
          filled: true,
          color: "#111",
          size: 70,
          opacity: 1,
        },
        encoding: {
          x,
          xOffset: xOffsetMid,
          y: { field: "value", type: "quantitative" },
          shape: referenceShape(o.referenceKinds?.present ?? [], o.referenceKinds?.all ?? []),
          tooltip: [{ field: "row" }, { field: "dataset" }, { field: "kind" }, {
            field: "value",
            title: "reference",
          }],
        },
      });
    }
    return { width, height: 220, layer: layers };
  };
  const panels = o.metrics.map((m) => panel(m.metric, m.title));
  const spec = panels.length === 1
    ? { ...panels[0], config: chartConfig() }
    : { hconcat: panels, spacing: 28, config: chartConfig() };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...spec,
  } as TopLevelSpec;
}
