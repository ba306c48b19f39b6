/**
 * Template: a metric against a setting, as bars with error bars over seeds; one colour per
 * dataset (side by side when several). Named datasets: "rows" ({@link ChartRow}, `row` = the
 * setting's label) and "paper" ({@link PaperRow}).
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { chartConfig, datasetRange } from "./theme.ts";
import { referenceShape } from "./rows.ts";

/** Options of {@link sweepBarSpec}. */
export interface SweepBarOptions {
  /** Settings (x axis) in display order. */
  settings: string[];
  /** Axis title of the setting. */
  xTitle: string;
  /** Dataset display names in order. */
  datasets: string[];
  /** Panels: metric key and axis title. */
  metrics: { metric: string; title: string }[];
  withPaper: boolean;
  /** Reference kind labels present in the "paper" dataset, and all known labels. */
  referenceKinds?: { present: string[]; all: string[] };
}

/** The Vega-Lite spec of a sweep bar chart. */
export function sweepBarSpec(o: SweepBarOptions): TopLevelSpec {
  const several = o.datasets.length > 1;
  const longest = Math.max(...o.settings.map((s) => s.length));
  const step = several
    ? Math.max(40, 20 * o.datasets.length + 10)
    : Math.max(44, Math.min(7 * longest + 12, 130));
  const width = Math.max(160, step * o.settings.length);
  const x = {
    field: "row",
    type: "ordinal" as const,
    title: o.xTitle,
    sort: o.settings,
    scale: { domain: o.settings, paddingInner: 0.2 },
    axis: { labelAngle: longest * 6.5 > step ? -30 : 0, labelLimit: 320 },
  };
  const xOffsetMid = several
    ? {
      xOffset: {
        field: "dataset",
        type: "nominal" as const,
        scale: { domain: o.datasets, paddingInner: 0.12 },
        bandPosition: 0.5,
      },
    }
    : {};
  const xOffset = several
    ? {
      xOffset: {
        field: "dataset",
        type: "nominal" as const,
        scale: { domain: o.datasets, paddingInner: 0.12 },
      },
    }
    : {};
  const color = {
    field: "dataset",
    type: "nominal" as const,
    title: null,
    scale: { domain: o.datasets, range: datasetRange(o.datasets) },
    legend: several ? { orient: "bottom" as const } : null,
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
          ...xOffset,
          color,
          y: { field: "mean", type: "quantitative", title },
          tooltip: [{ field: "row", title: o.xTitle }, { field: "dataset" }, {
            field: "text",
            title,
          }, { field: "n", title: "seeds" }],
        },
      },
      {
        data: { name: "rows" },
        transform: [filter, { filter: "datum.lo != null" }],
        mark: { type: "rule", color: "#222", strokeWidth: 1.2 },
        encoding: {
          x,
          ...xOffsetMid,
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
          ...xOffsetMid,
          y: { field: "value", type: "quantitative" },
          shape: referenceShape(o.referenceKinds?.present ?? [], o.referenceKinds?.all ?? []),
          tooltip: [{ field: "kind" }, { field: "value", title: "reference" }],
        },
      });
    }
    return { width, height: 200, layer: layers };
  };
  const panels = o.metrics.map((m) => panel(m.metric, m.title));
  const spec = panels.length === 1
    ? { ...panels[0], config: chartConfig() }
    : { hconcat: panels, spacing: 28, config: chartConfig() };
  return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", ...spec } as TopLevelSpec;
}
