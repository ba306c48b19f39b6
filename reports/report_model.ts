/**
 * The in-memory model of a whole report, rendered to HTML and Markdown.
 *
 * @module
 */
import type { Provenance } from "./provenance.ts";
import type { ResultTable } from "./table_model.ts";

/** A chart written to `figures/`. */
export interface RenderedChart {
  /** SVG text (embedded in the HTML page). */
  svg: string;
  /** Paths relative to the output folder. */
  svgFile: string;
  pngFile: string;
  /** Text alternative. */
  alt: string;
}

/** One results table with its chart and note. */
export interface TableSection {
  tableName: string;
  table: ResultTable;
  /** Where and why ours differs from the paper (supplied by the experiments). */
  note?: string;
  chart: RenderedChart | null;
  /** Caption of the chart (what the marks mean). */
  chartCaption: string;
  /** The per-sequence chart, when the registry asks for one. */
  sequenceChart?: RenderedChart | null;
}

/** A qualitative figure from the `figures` table. */
export interface QualitativeFigure {
  experiment: string;
  name: string;
  caption: string;
  /** Copy in the output folder (relative path), absent when the file was missing. */
  file?: string;
  /** The PNG bytes, absent when the file was missing. */
  png?: Uint8Array;
  /** Why the figure could not be included. */
  missing?: string;
}

/** Everything a report shows. */
export interface ReportModel {
  provenance: Provenance;
  sections: TableSection[];
  /** Registered tables without rows in the run. */
  omitted: { tableName: string; title: string }[];
  curves: { chart: RenderedChart; runs: string[]; dropped: number } | null;
  /** Validation curves that use the labels (J on the scored frames during training). */
  valCurves?: { chart: RenderedChart; runs: string[] } | null;
  figures: QualitativeFigure[];
  /** Problems worth a reader's attention (also returned to the caller). */
  warnings: string[];
  /** When the report was made (ISO 8601). */
  generated: string;
}
