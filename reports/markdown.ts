/**
 * Renders a report model to a Markdown summary: GitHub-style tables, links to the chart PNGs.
 *
 * @module
 */
import { formatDuration } from "./provenance.ts";
import { referenceFootnotes } from "./html.ts";
import type { ReportModel } from "./report_model.ts";
import type { ResultTable } from "./table_model.ts";

/** Escapes the characters that break a Markdown table cell or emphasis. */
export function escapeMd(s: string): string {
  return s.replace(/([\\|*_`[\]<>])/g, "\\$1").replace(/\r?\n/g, " ");
}

/** A results table as a GitHub-flavoured Markdown table (best of ours in bold). */
export function tableMarkdown(t: ResultTable): string {
  const header = ["", ...t.columns.map((c) => `${c.group} ${c.header}`)];
  const align = [":--", ...t.columns.map(() => "--:")];
  const lines = [
    `| ${header.map(escapeMd).join(" | ")} |`,
    `| ${align.join(" | ")} |`,
  ];
  for (const r of t.rows) {
    const cells = r.cells.map((c) => {
      if (!c) return "—";
      const text = escapeMd(c.text);
      return c.best ? `**${text}**` : c.source ? `*${text}*` : text;
    });
    const label = r.paperOnly ? `*${escapeMd(r.label)}*` : escapeMd(r.label);
    lines.push(`| ${[label, ...cells].join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Renders the Markdown summary. */
export function renderMarkdown(m: ReportModel): string {
  const p = m.provenance;
  const r = p.run;
  const out: string[] = [
    `# lrtl reproduction report — run ${escapeMd(r.runId)}`,
    "",
    `Status ${escapeMd(r.status)}, finished ${escapeMd(r.finished ?? "—")}, commit ` +
    `\`${r.gitCommit || "—"}\`${r.gitDirty ? " (dirty)" : ""}, backend ${escapeMd(r.backend)}, ` +
    `profile ${escapeMd(r.profile)}. Every number comes from this run's rows. The full page ` +
    `with charts is [index.html](index.html).`,
    "",
  ];
  for (const w of m.warnings) out.push(`> **Warning:** ${escapeMd(w)}`, "");
  if (m.omitted.length) {
    out.push(
      `No rows in this run, omitted: ${m.omitted.map((o) => escapeMd(o.title)).join("; ")}.`,
      "",
    );
  }
  if (m.figures.length) {
    out.push("## Pictures: what the models segment", "");
    for (const f of m.figures) {
      out.push(`### ${escapeMd(f.experiment)}: ${escapeMd(f.name)}`, "");
      out.push(
        f.file
          ? `![${escapeMd(f.caption || f.name)}](${f.file})\n\n${escapeMd(f.caption)}`
          : `> **Missing:** ${escapeMd(f.missing ?? "")}`,
        "",
      );
    }
  }
  for (const s of m.sections) {
    const t = s.table;
    out.push(`## ${escapeMd(t.spec.title)}`, "", escapeMd(t.spec.description), "");
    if (s.note) out.push(`> **Ours vs paper:** ${escapeMd(s.note)}`, "");
    out.push(tableMarkdown(t), "");
    const foot: string[] = [];
    if (t.seeds.length > 1) foot.push(`mean ± std over seeds ${t.seeds.join(", ")}`);
    if (t.columns.some((c) => c.kind !== "ours")) {
      foot.push("*italic* = a reference number, not ours", ...referenceFootnotes(t).map(escapeMd));
    }
    if (t.spec.highlightBest !== false) foot.push("**bold** = best of ours");
    if (foot.length) out.push(`<sub>${foot.join("; ")}.</sub>`, "");
    if (s.chart) out.push(`![${escapeMd(s.chart.alt)}](${s.chart.pngFile})`, "");
    if (s.sequenceChart) {
      out.push(`![${escapeMd(s.sequenceChart.alt)}](${s.sequenceChart.pngFile})`, "");
    }
  }
  if (m.curves || m.valCurves) out.push("## Training curves", "");
  if (m.curves) out.push(`![${escapeMd(m.curves.chart.alt)}](${m.curves.chart.pngFile})`, "");
  if (m.valCurves) {
    out.push(
      "J on the scored frames during training. It **uses the ground truth**: shown to follow " +
        "progress; by default nothing is chosen by it (option `train.selectByVal`). It " +
        "normalises with batch norm's running statistics whatever `eval.normStats` says, so " +
        "where the evaluation uses each sequence's own its last point differs from the table's J.",
      "",
      `![${escapeMd(m.valCurves.chart.alt)}](${m.valCurves.chart.pngFile})`,
      "",
    );
  }
  out.push(
    "## Provenance",
    "",
    `| | |`,
    `| :-- | :-- |`,
    `| run | ${escapeMd(r.runId)} |`,
    `| started / finished | ${escapeMd(r.started ?? "—")} / ${escapeMd(r.finished ?? "—")} |`,
    `| wall time | ${formatDuration(r.wallSeconds)} |`,
    `| commit | \`${r.gitCommit || "—"}\`${r.gitDirty ? " (dirty)" : ""} |`,
    `| runtime / tfjs / backend | ${escapeMd(r.runtime)} / ${escapeMd(r.tfjs)} / ` +
      `${escapeMd(r.backend)} |`,
    `| profile / experiments | ${escapeMd(r.profile)} / ${escapeMd(r.experiments)} |`,
    `| seeds | ${p.seeds.join(", ") || "—"} |`,
    ...p.params.map((q) => `| ${escapeMd(q.key)} | ${escapeMd(q.value)} |`),
    `| stages | ${p.stages.total} total: ${p.stages.ran} ran, ${p.stages.cached} cached, ` +
      `${p.stages.failed} failed${p.stages.skipped ? `, ${p.stages.skipped} skipped` : ""} |`,
    "",
  );
  return out.join("\n");
}
