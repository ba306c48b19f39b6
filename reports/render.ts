/**
 * `renderReport`: reads one run from the DuckDB store and writes `index.html` (self-contained),
 * `summary.md` and `figures/*.svg|png`.
 *
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { latestRunId, readRunData } from "../pipeline/results_query.ts";
import type { MetricRecord } from "../pipeline/results_schema.ts";
import { summarize, type Summary } from "./stats.ts";
import { defaultTableSpec, type TableSpec } from "./tables.ts";
import { buildResultTable, type PaperNumber } from "./table_model.ts";
import {
  type ChartJob,
  curvesChart,
  perSequenceChart,
  tableChart,
  valCurvesChart,
} from "./table_chart.ts";
import { renderSvg, svgToPng } from "./chart.ts";
import { chartFontFiles } from "./font.ts";
import { buildProvenance } from "./provenance.ts";
import type {
  QualitativeFigure,
  RenderedChart,
  ReportModel,
  TableSection,
} from "./report_model.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";

/** Options of {@link renderReport}. Give `dbPath` or an open `connection`. */
export interface RenderReportOptions {
  /** The pipeline's DuckDB file, opened read-only. */
  dbPath?: string;
  /** An open connection to the store (used as is, not closed). */
  connection?: DuckDBConnection;
  /** The run to report; default the latest finished run. */
  runId?: string;
  /** Output folder; its `figures/` subfolder is replaced. */
  outDir: string;
  /** Per `table_name`: a sentence on where/why ours differs from the paper. */
  notes?: Record<string, string>;
  /** Numbers printed in the paper (shown in their own "paper (reported)" columns). */
  paperNumbers?: readonly PaperNumber[];
  /**
   * How each table is shown, in report order (the experiments' declarations); a table without
   * an entry gets {@link defaultTableSpec}, after the others.
   */
  tables?: Readonly<Record<string, TableSpec>>;
  /** Folder relative `figures.path` values are resolved against (default: the cwd). */
  figureRoot?: string;
  /** Folder holding DejaVuSans.ttf (default the Debian location). */
  fontDir?: string;
  onProgress?: (done: number, total: number) => void;
}

/** What {@link renderReport} wrote. */
export interface RenderReportResult {
  runId: string;
  htmlPath: string;
  mdPath: string;
  /** Every file written under `outDir/figures/`. */
  figures: string[];
  /** Problems shown in the report too (failed stages, missing figure files, …). */
  warnings: string[];
}

function joinPath(dir: string, rel: string): string {
  return `${dir.replace(/\/+$/, "")}/${rel}`;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "") || "figure";
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  if (typeof data === "string") await Deno.writeTextFile(tmp, data);
  else await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

async function readFigurePng(path: string): Promise<{ png?: Uint8Array; missing?: string }> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { missing: `Cannot include figure "${path}": file not found` };
    }
    throw e;
  }
  if (bytes.length < 8 || PNG_MAGIC.some((b, i) => bytes[i] !== b)) {
    return { missing: `Cannot include figure "${path}": file is not a PNG` };
  }
  return { png: bytes };
}

function chartCaption(kind: string, withPaper: boolean, seeds: number): string {
  const parts: string[] = [];
  if (seeds > 1) parts.push("bars: mean over seeds; whiskers: ± one standard deviation");
  else parts.push(kind === "line_panels" ? "points: values of this run" : "bars: this run");
  if (withPaper) parts.push("black marks: reference numbers (shape = kind, see the legend)");
  return parts.join("; ") + ".";
}

/**
 * Renders the report of one run.
 *
 * @example
 * ```ts
 * const r = await renderReport({ dbPath: ".lrtl/store.duckdb", outDir: "reports/out" });
 * console.log(r.htmlPath);
 * ```
 * @throws Error when neither `dbPath` nor `connection` is given, the run does not exist, or the
 * chart font is missing
 */
export async function renderReport(opts: RenderReportOptions): Promise<RenderReportResult> {
  if (!opts.dbPath && !opts.connection) {
    throw new TypeError("renderReport needs dbPath or connection");
  }
  chartFontFiles(opts.fontDir); // fail early, before any work, when the font is missing
  let instance: DuckDBInstance | null = null;
  let conn = opts.connection ?? null;
  try {
    if (!conn) {
      try {
        instance = await DuckDBInstance.create(opts.dbPath, { access_mode: "READ_ONLY" });
      } catch (e) {
        throw new Error(`Cannot open store "${opts.dbPath}": ${(e as Error).message}`);
      }
      conn = await instance.connect();
    }
    const runId = opts.runId ?? await latestRunId(conn);
    const data = await readRunData(conn, runId);
    return await writeReport(runId, data, opts);
  } finally {
    if (instance) {
      conn?.closeSync();
      instance.closeSync();
    }
  }
}

async function writeReport(
  runId: string,
  data: Awaited<ReturnType<typeof readRunData>>,
  opts: RenderReportOptions,
): Promise<RenderReportResult> {
  const outDir = opts.outDir.replace(/\/+$/, "");
  const figDir = joinPath(outDir, "figures");
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.remove(figDir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(figDir, { recursive: true });

  const warnings: string[] = [];
  const written: string[] = [];
  const paper = opts.paperNumbers ?? [];
  const notes = opts.notes ?? {};

  if (data.run.status !== "" && !/^(ok|done|finished|success|succeeded)$/i.test(data.run.status)) {
    warnings.push(`Run "${runId}" has status "${data.run.status}": results may be incomplete.`);
  }
  for (const s of data.stageRuns.filter((s) => s.status === "failed")) {
    warnings.push(`Stage "${s.stageId}" failed: ${s.error || s.reason || "no error recorded"}.`);
  }
  const nonFinite = data.metrics.filter((m) => !Number.isFinite(m.value));
  if (nonFinite.length) {
    const names = [...new Set(nonFinite.map((m) => `${m.tableName}/${m.rowLabel}/${m.metric}`))];
    warnings.push(
      `${nonFinite.length} metric value(s) are NaN or infinite and were left out of the means ` +
        `(${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}).`,
    );
  }

  // Tables: registry order first, then unknown tables in stored order.
  const byTable = new Map<string, { summaries: Summary[]; perSeq: number }>();
  const perSeq = new Map<string, number>();
  for (const m of data.metrics as MetricRecord[]) {
    if (m.sequence !== "") perSeq.set(m.tableName, (perSeq.get(m.tableName) ?? 0) + 1);
  }
  for (const s of summarize(data.metrics)) {
    let g = byTable.get(s.tableName);
    if (!g) byTable.set(s.tableName, g = { summaries: [], perSeq: perSeq.get(s.tableName) ?? 0 });
    g.summaries.push(s);
  }
  const tables = opts.tables ?? {};
  const tableSpec = (name: string) => tables[name] ?? defaultTableSpec(name);
  const order = [
    ...Object.keys(tables).filter((t) => byTable.has(t)),
    ...[...byTable.keys()].filter((t) => !(t in tables)),
  ];
  const omitted = Object.keys(tables).filter((t) => !byTable.has(t))
    .map((t) => ({ tableName: t, title: tables[t].title }));

  const hasCurves = data.curves.length > 0;
  const total = order.length + (hasCurves ? 1 : 0) + data.figures.length + 1;
  let done = 0;
  const tick = () => opts.onProgress?.(++done, total);

  const renderChart = async (job: ChartJob, name: string, alt: string) => {
    const svg = await renderSvg(job.spec, job.datasets);
    const svgFile = `figures/${name}.svg`;
    const pngFile = `figures/${name}.png`;
    await writeAtomic(joinPath(outDir, svgFile), svg);
    await writeAtomic(joinPath(outDir, pngFile), svgToPng(svg, { fontDir: opts.fontDir }));
    written.push(joinPath(outDir, svgFile), joinPath(outDir, pngFile));
    return { svg, svgFile, pngFile, alt } satisfies RenderedChart;
  };

  const sections: TableSection[] = [];
  for (const tableName of order) {
    const g = byTable.get(tableName)!;
    const spec = tableSpec(tableName);
    const tablePaper = paper.filter((p) => p.table === tableName);
    const table = buildResultTable(tableName, spec, g.summaries, tablePaper, g.perSeq);
    const job = tableChart(table, g.summaries, tablePaper);
    const chart = job ? await renderChart(job, safeName(tableName), `Chart: ${spec.title}`) : null;
    const seqJob = perSequenceChart(table, data.metrics);
    const sequenceChart = seqJob
      ? await renderChart(
        seqJob,
        `${safeName(tableName)}_per_sequence`,
        `Per-sequence ${spec.perSequence!.metric}: ${spec.title}`,
      )
      : null;
    sections.push({
      tableName,
      table,
      note: notes[tableName],
      chart,
      chartCaption: job
        ? chartCaption(spec.chart, "paper" in job.datasets, table.seeds.length)
        : "",
      sequenceChart,
    });
    tick();
  }

  let curves: ReportModel["curves"] = null;
  const c = curvesChart(data.curves);
  if (c) {
    curves = {
      chart: await renderChart(c.job, "loss_curves", "Training loss curves per run"),
      runs: c.runs,
      dropped: c.dropped,
    };
  }
  let valCurves: ReportModel["valCurves"] = null;
  const v = valCurvesChart(data.curves);
  if (v) {
    valCurves = {
      chart: await renderChart(v.job, "val_curves", "Validation J during training (uses labels)"),
      runs: v.runs,
    };
  }
  if (hasCurves) tick();

  const figures: QualitativeFigure[] = [];
  const usedNames = new Set<string>();
  for (const f of data.figures) {
    const path = f.path.startsWith("/") ? f.path : joinPath(opts.figureRoot ?? Deno.cwd(), f.path);
    const { png, missing } = await readFigurePng(path);
    const fig: QualitativeFigure = {
      experiment: f.experiment,
      name: f.name,
      caption: f.caption,
      png,
      missing,
    };
    if (png) {
      let base = safeName(`qualitative_${f.experiment}_${f.name}`);
      while (usedNames.has(base)) base += "_";
      usedNames.add(base);
      fig.file = `figures/${base}.png`;
      await writeAtomic(joinPath(outDir, fig.file), png);
      written.push(joinPath(outDir, fig.file));
    } else {
      warnings.push(missing!);
    }
    figures.push(fig);
    tick();
  }

  const model: ReportModel = {
    provenance: buildProvenance(data.run, data.stageRuns, data.metrics),
    sections,
    omitted,
    curves,
    valCurves,
    figures,
    warnings,
    generated: new Date().toISOString(),
  };
  const htmlPath = joinPath(outDir, "index.html");
  const mdPath = joinPath(outDir, "summary.md");
  await writeAtomic(htmlPath, renderHtml(model));
  await writeAtomic(mdPath, renderMarkdown(model));
  tick();
  return { runId, htmlPath, mdPath, figures: written, warnings };
}
