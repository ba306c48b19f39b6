/**
 * Vega-Lite chart templates of the report, each reading named datasets.
 *
 * @module
 */
export { type GroupedBarOptions, groupedBarSpec } from "./grouped_bar.ts";
export { type SweepBarOptions, sweepBarSpec } from "./sweep_bar.ts";
export { type LinePanelsOptions, linePanelsSpec } from "./line_panels.ts";
export { type LossCurvesOptions, lossCurvesSpec } from "./loss_curves.ts";
export { type PerSequenceOptions, perSequenceSpec } from "./per_sequence.ts";
export { type ValCurvesOptions, valCurvesSpec } from "./val_curves.ts";
export type { ChartRow, CurvePoint, PaperRow } from "./rows.ts";
export { CHART_FONT, chartConfig } from "./theme.ts";
