/**
 * Reports: turn one pipeline run (rows of the DuckDB store) into a self-contained HTML page, a
 * Markdown summary and chart figures (SVG + PNG), and check the page in headless Chromium.
 *
 * @example
 * ```ts
 * import { renderReport } from "./reports/mod.ts";
 * const { htmlPath } = await renderReport({ dbPath: ".lrtl/store.duckdb", outDir: "reports/out" });
 * ```
 * @module
 */
export { renderReport, type RenderReportOptions, type RenderReportResult } from "./render.ts";
export type { PaperNumber, ResultTable } from "./table_model.ts";
export {
  type ChartKind,
  DATASETS,
  defaultTableSpec,
  METRICS,
  type MetricSpec,
  type TableSpec,
} from "./tables.ts";
export { renderSvg, svgToPng } from "./chart.ts";
export { chartFontFiles, DEFAULT_FONT_DIR } from "./font.ts";
export {
  type BrowserCheck,
  checkPageInBrowser,
  type CheckPageOptions,
  findChromium,
} from "./browser_check.ts";
