/**
 * Shared look of all report charts: font, sizes, colours.
 *
 * @module
 */
import type { Config } from "vega-lite";

/** The font family charts ask for (loaded explicitly for PNGs, see `font.ts`). */
export const CHART_FONT = "DejaVu Sans";

/** Categorical colours (Tableau 10), used in order of a table's rows. */
export const CATEGORY_COLOURS = [
  "#4c78a8",
  "#f58518",
  "#54a24b",
  "#e45756",
  "#72b7b2",
  "#b279a2",
  "#eeca3b",
  "#9d755d",
  "#ff9da6",
  "#bab0ac",
];

/** Fixed colours per dataset so a dataset looks the same in every chart. */
export const DATASET_COLOURS: Record<string, string> = {
  "Synthetic": "#72b7b2",
  "Hopkins155": "#b279a2",
  "DAVIS-2016": "#4c78a8",
  "SegTrackv2": "#f58518",
  "FBMS-59": "#54a24b",
  "Sintel": "#e45756",
};

/** Colour range for a list of dataset display names: fixed colours first, others after. */
export function datasetRange(datasets: readonly string[]): string[] {
  let spare = 0;
  const others = CATEGORY_COLOURS.filter((c) => !Object.values(DATASET_COLOURS).includes(c));
  return datasets.map((d) => DATASET_COLOURS[d] ?? others[spare++ % Math.max(1, others.length)]);
}

/** Colour range for `n` categories (cycles past ten). */
export function categoryRange(n: number): string[] {
  return Array.from({ length: n }, (_, i) => CATEGORY_COLOURS[i % CATEGORY_COLOURS.length]);
}

/** The Vega-Lite config every template uses. */
export function chartConfig(): Config {
  return {
    font: CHART_FONT,
    background: "white",
    padding: 12,
    view: { stroke: null },
    axis: {
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: "normal",
      titlePadding: 8,
      gridColor: "#e6e6e6",
      domainColor: "#888",
      tickColor: "#888",
      labelColor: "#333",
      titleColor: "#222",
    },
    legend: {
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: "normal",
      labelLimit: 260,
      symbolType: "square",
    },
    header: { labelFontSize: 12, titleFontSize: 12 },
    title: { fontSize: 13, fontWeight: "bold", anchor: "start", offset: 10 },
  };
}
