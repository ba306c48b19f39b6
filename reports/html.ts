/**
 * Renders a report model to ONE self-contained HTML page: inline CSS, charts and figures as
 * data: URIs, no scripts, no external resources.
 *
 * @module
 */
import { encodeBase64 } from "./_base64.ts";
import { formatDuration } from "./provenance.ts";
import type { RenderedChart, ReportModel, TableSection } from "./report_model.ts";
import { REFERENCE_KINDS, type ReferenceKind, type ResultTable } from "./table_model.ts";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const CSS = `
:root { --ink: #1f2328; --muted: #59636e; --rule: #d8dee4; --accent: #4c78a8; --bg: #ffffff;
  --soft: #f6f8fa; --warn: #9a6700; --warnbg: #fff8c5; }
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0; color: var(--ink);
  font: 15px/1.55 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 28px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 44px 0 6px; padding-top: 8px; border-top: 1px solid var(--rule); }
h3 { font-size: 16px; margin: 24px 0 8px; }
p { margin: 6px 0 10px; }
.sub { color: var(--muted); margin: 0 0 20px; }
.desc { color: var(--muted); max-width: 860px; }
.note { border-left: 3px solid var(--accent); background: var(--soft); padding: 8px 12px;
  margin: 12px 0; max-width: 860px; }
.note b { color: var(--accent); }
.warn { border-left: 3px solid var(--warn); background: var(--warnbg); padding: 8px 12px;
  margin: 10px 0; }
.omitted { color: var(--muted); font-style: italic; }
nav.toc { columns: 2; column-gap: 32px; margin: 12px 0 8px; font-size: 14px; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
.table-wrap { overflow-x: auto; margin: 12px 0; }
table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--rule); white-space: nowrap; }
thead th { background: var(--soft); font-weight: 600; text-align: center;
  border-bottom: 2px solid var(--rule); }
thead tr.group th { border-bottom: 1px solid var(--rule); }
td.num { text-align: right; }
td.label { text-align: left; font-weight: 500; }
th.label { text-align: left; }
td.paper, th.paper { background: #fbf7ef; color: #6b5a3a; font-style: italic; }
td.ref-measured, th.ref-measured, td.ref-published, th.ref-published { background: #f1f4f8;
  color: #3f4f63; font-style: italic; }
tr.paper-only td.label { color: var(--muted); font-style: italic; }
td.best { font-weight: 700; }
tbody tr:hover td { background: #f3f6fa; }
figure { margin: 14px 0 6px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule);
  border-radius: 4px; background: white; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; max-width: 860px; }
figure.pictures { overflow-x: auto; }
figure.pictures img { max-width: none; }
dl.prov { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 10px 0;
  font-size: 14px; }
dl.prov dt { color: var(--muted); }
dl.prov dd { margin: 0; font-family: "DejaVu Sans Mono", monospace; font-size: 13px;
  word-break: break-all; }
details { margin: 10px 0; }
summary { cursor: pointer; color: var(--accent); }
.status-ran { color: #1a7f37; } .status-cached { color: var(--muted); }
.status-failed { color: #cf222e; font-weight: 700; }
footer { margin-top: 48px; color: var(--muted); font-size: 12.5px; border-top: 1px solid var(--rule);
  padding-top: 10px; }
`;

function svgSize(svg: string): { width: number; height: number } {
  const w = /<svg[^>]*\swidth="([\d.]+)"/.exec(svg);
  const h = /<svg[^>]*\sheight="([\d.]+)"/.exec(svg);
  return { width: w ? Number(w[1]) : 0, height: h ? Number(h[1]) : 0 };
}

function chartFigure(chart: RenderedChart, caption: string): string {
  const { width, height } = svgSize(chart.svg);
  const src = `data:image/svg+xml;base64,${encodeBase64(new TextEncoder().encode(chart.svg))}`;
  // Shown 1.25× larger than the SVG's own size (CSS caps it at the column width).
  const size = width > 0
    ? ` width="${Math.round(width * 1.25)}" height="${Math.round(height * 1.25)}"`
    : "";
  return `<figure><img src="${src}"${size} alt="${escapeHtml(chart.alt)}">` +
    (caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : "") + `</figure>`;
}

/** CSS class of a reference column: `paper` for the paper's own numbers, else `ref-<kind>`. */
function refClass(kind: ReferenceKind): string {
  return kind === "paper" ? "paper" : `ref-${kind}`;
}

const REFERENCE_MEANING: Record<ReferenceKind, string> = {
  paper: "numbers printed in the paper",
  published: "numbers published by the methods' own papers, not by this paper",
  measured: "measured by the task's reference implementation (not the paper's numbers)",
};

/** The footnote part that explains each reference column of a table, with its sources. */
export function referenceFootnotes(t: ResultTable): string[] {
  const out: string[] = [];
  for (const kind of Object.keys(REFERENCE_KINDS) as ReferenceKind[]) {
    const cols = t.columns.flatMap((c, j) => (c.kind === kind ? [j] : []));
    if (!cols.length) continue;
    const sources = [
      ...new Set(t.rows.flatMap((r) => cols.map((j) => r.cells[j]?.source).filter(Boolean))),
    ];
    out.push(`"${REFERENCE_KINDS[kind]}" = ${REFERENCE_MEANING[kind]} (${sources.join("; ")})`);
  }
  return out;
}

/** The HTML `<table>` of a results table. */
export function tableHtml(t: ResultTable): string {
  const groups: { name: string; span: number }[] = [];
  for (const c of t.columns) {
    const last = groups[groups.length - 1];
    if (last && last.name === c.group) last.span++;
    else groups.push({ name: c.group, span: 1 });
  }
  const head1 =
    `<tr class="group"><th class="label" rowspan="2">${
      escapeHtml(t.spec.xField ? t.spec.xTitle ?? "" : "")
    }</th>` +
    groups.map((g) => `<th colspan="${g.span}">${escapeHtml(g.name)}</th>`).join("") + `</tr>`;
  const head2 = `<tr>` +
    t.columns.map((c) =>
      `<th${c.kind === "ours" ? "" : ` class="${refClass(c.kind)}"`}>${escapeHtml(c.header)}</th>`
    ).join("") + `</tr>`;
  const body = t.rows.map((r) => {
    const cells = r.cells.map((cell, j) => {
      const cls = ["num"];
      const kind = t.columns[j].kind;
      if (kind !== "ours") cls.push(refClass(kind));
      if (cell?.best) cls.push("best");
      const title = cell === null
        ? ""
        : cell.source
        ? ` title="${escapeHtml(cell.source)}"`
        : ` title="${cell.n} seed${cell.n === 1 ? "" : "s"}"`;
      return `<td class="${cls.join(" ")}"${title}>${cell ? escapeHtml(cell.text) : "—"}</td>`;
    }).join("");
    return `<tr${r.paperOnly ? ' class="paper-only"' : ""}><td class="label">${
      escapeHtml(r.label)
    }</td>${cells}</tr>`;
  }).join("\n");
  return `<div class="table-wrap"><table><thead>${head1}${head2}</thead><tbody>\n${body}\n` +
    `</tbody></table></div>`;
}

function tableFootnote(t: ResultTable): string {
  const parts: string[] = [];
  if (t.seeds.length > 1) {
    parts.push(`mean ± std (sample) over ${t.seeds.length} seeds (${t.seeds.join(", ")})`);
  } else if (t.seeds.length === 1) parts.push(`one seed (${t.seeds[0]})`);
  if (t.spec.highlightBest !== false) parts.push("best of ours in bold");
  parts.push(...referenceFootnotes(t));
  if (t.perSequenceRows > 0) {
    parts.push(
      t.spec.perSequence
        ? `${t.perSequenceRows} per-sequence values stored; ${t.spec.perSequence.metric} per ` +
          `sequence is charted below`
        : `${t.perSequenceRows} per-sequence values stored but not shown`,
    );
  }
  return parts.length ? `<p class="desc">${escapeHtml(parts.join("; "))}.</p>` : "";
}

function sectionHtml(s: TableSection): string {
  const t = s.table;
  const parts = [
    `<section id="${escapeHtml(s.tableName)}">`,
    `<h2>${escapeHtml(t.spec.title)}</h2>`,
    `<p class="desc">${escapeHtml(t.spec.description)}</p>`,
  ];
  if (s.note) parts.push(`<p class="note"><b>Ours vs paper:</b> ${escapeHtml(s.note)}</p>`);
  if (t.spec.showTable !== false) parts.push(tableHtml(t), tableFootnote(t));
  if (s.chart) parts.push(chartFigure(s.chart, s.chartCaption));
  if (s.sequenceChart) {
    parts.push(chartFigure(
      s.sequenceChart,
      `Per sequence (mean over seeds; DAVIS: frames 00000/00001 excluded, as in its J): ` +
        `${t.spec.perSequence?.rows?.join(", ") ?? "all rows"}.`,
    ));
  }
  parts.push(`</section>`);
  return parts.join("\n");
}

function provenanceHtml(m: ReportModel): string {
  const p = m.provenance;
  const r = p.run;
  const rows: [string, string][] = [
    ["run", r.runId],
    ["status", r.status],
    ["started", r.started ?? "—"],
    ["finished", r.finished ?? "—"],
    ["wall time", formatDuration(r.wallSeconds)],
    ["commit", `${r.gitCommit || "—"}${r.gitDirty ? " (dirty: uncommitted changes)" : ""}`],
    ["runtime", r.runtime],
    ["tfjs", `${r.tfjs} (backend ${r.backend})`],
    ["profile", r.profile],
    ["experiments", r.experiments],
    ["data root", r.dataRoot],
    ["seeds", p.seeds.length ? p.seeds.join(", ") : "—"],
    ...p.params.map((q): [string, string] => [q.key, q.value]),
    [
      "stages",
      `${p.stages.total} total: ${p.stages.ran} ran (${
        formatDuration(p.stages.secondsRan)
      }), ${p.stages.cached} cached, ${p.stages.failed} failed${
        p.stages.skipped ? `, ${p.stages.skipped} skipped` : ""
      }`,
    ],
  ];
  const dl = `<dl class="prov">` +
    rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("") +
    `</dl>`;
  const stageRows = p.stageRuns.map((s) =>
    `<tr><td class="label">${escapeHtml(s.stageId)}</td><td class="status-${
      escapeHtml(s.status)
    }">${escapeHtml(s.status)}</td><td class="num">${
      s.seconds === null ? "—" : formatDuration(s.seconds)
    }</td><td>${escapeHtml(s.error ? `${s.reason} — ${s.error}` : s.reason)}</td></tr>`
  ).join("\n");
  const stages = p.stageRuns.length
    ? `<details><summary>Stages (${p.stageRuns.length})</summary><div class="table-wrap">` +
      `<table><thead><tr><th class="label">stage</th><th>status</th><th>time</th>` +
      `<th class="label">reason</th></tr></thead><tbody>\n${stageRows}\n</tbody></table></div>` +
      `</details>`
    : "";
  return `<section id="provenance"><h2>Provenance</h2>${dl}${stages}</section>`;
}

/** Renders the whole report page. */
export function renderHtml(m: ReportModel): string {
  const r = m.provenance.run;
  const toc = [
    ...(m.figures.length ? [["qualitative", "Pictures: what the models segment"]] : []),
    ...m.sections.map((s) => [s.tableName, s.table.spec.title]),
    ...(m.curves || m.valCurves ? [["loss_curves", "Training curves"]] : []),
    ["provenance", "Provenance"],
  ].map(([id, title]) => `<li><a href="#${escapeHtml(id)}">${escapeHtml(title)}</a></li>`)
    .join("");
  const omitted = m.omitted.length
    ? `<p class="omitted">No rows in this run, omitted: ${
      m.omitted.map((o) => escapeHtml(o.title)).join("; ")
    }.</p>`
    : "";
  const warnings = m.warnings.map((w) => `<p class="warn">${escapeHtml(w)}</p>`).join("\n");
  const lossPart = m.curves
    ? `<p class="desc">Per-step loss terms of the ${m.curves.runs.length} training run(s) ` +
      `this run used (log scale; curves longer than 300 points are shown as bucket means${
        m.curves.dropped ? `; ${m.curves.dropped} non-positive values left out` : ""
      }).</p>${chartFigure(m.curves.chart, "")}`
    : "";
  const valPart = m.valCurves
    ? `<h3>J during training (uses labels)</h3><p class="note">J on the scored frames ` +
      `(headline merge, the benchmark's protocol) every N steps of ${m.valCurves.runs.length} ` +
      `training run(s). It <b>uses the ground truth</b>: it is shown to follow progress; the ` +
      `default does not use it to choose anything (checkpoint selection by it is the option ` +
      `<code>train.selectByVal</code>, off by default). It normalises with batch norm's running ` +
      `statistics, whatever <code>eval.normStats</code> says, so where the evaluation uses each ` +
      `sequence's own statistics its last point differs from the table's J.</p>` +
      chartFigure(m.valCurves.chart, "")
    : "";
  const curves = m.curves || m.valCurves
    ? `<section id="loss_curves"><h2>Training curves</h2>${lossPart}${valPart}</section>`
    : "";
  const figures = m.figures.length
    ? `<section id="qualitative"><h2>Pictures: what the models segment</h2><p class="desc">` +
      `Per dataset, one frame of each sequence (up to eight; the captions name them): the ` +
      `learned model's soft masks and merged foreground, and the learning-free floor on the ` +
      `same flow. Shown at full size (tiles ≥ 256 px wide; scroll sideways).</p>` +
      m.figures.map((f) => {
        const head = `<h3>${escapeHtml(f.experiment)}: ${escapeHtml(f.name)}</h3>`;
        if (!f.png) return `${head}<p class="warn">${escapeHtml(f.missing ?? "missing")}</p>`;
        return `${head}<figure class="pictures"><img src="data:image/png;base64,${
          encodeBase64(f.png)
        }" alt="${escapeHtml(f.caption || f.name)}"><figcaption>${
          escapeHtml(f.caption)
        }</figcaption></figure>`;
      }).join("\n") + `</section>`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lrtl report — ${escapeHtml(r.runId)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>Learning Segmentation from Point Trajectories — reproduction report</h1>
<p class="sub">Run <b>${escapeHtml(r.runId)}</b> · ${escapeHtml(r.status)} · finished ${
    escapeHtml(r.finished ?? "—")
  } · commit ${escapeHtml(r.gitCommit.slice(0, 12) || "—")}${r.gitDirty ? " (dirty)" : ""} · ` +
    `every number below comes from this run's rows.</p>
${warnings}
<nav class="toc"><ol>${toc}</ol></nav>
${omitted}
${figures}
${m.sections.map(sectionHtml).join("\n")}
${curves}
${provenanceHtml(m)}
<footer>Generated ${escapeHtml(m.generated)} by lrtl reports/ from the pipeline's DuckDB store.
</footer>
</main>
</body>
</html>
`;
}
