/**
 * The report of a run: the renderer in `reports/` fed with the experiments' notes, the paper's
 * numbers and the paper's findings checked on the run's own metrics.
 * @module
 */
import { renderReport, type RenderReportResult } from "../reports/mod.ts";
import { latestRunId, resolveRunRef, ResultsStore, withSnapshot } from "../pipeline/mod.ts";
import { EXPERIMENTS, main, PAPER_NUMBERS, TABLE_SPECS } from "./tables.ts";
import { computeFindings, findingNotes } from "./findings.ts";
import { coverageNote } from "./coverage.ts";

export async function renderRunReport(
  opts: { dbPath: string; runId?: string; outDir: string },
): Promise<RenderReportResult> {
  const notes: Record<string, string> = {};
  for (const e of EXPERIMENTS) {
    if (e.note) {
      notes[e.table] = notes[e.table] ? `${notes[e.table]} ${e.note}` : e.note;
    }
  }
  // Read from a snapshot: a run in progress can keep writing while the page renders.
  return await withSnapshot(opts.dbPath, async (dbPath) => {
    const store = await ResultsStore.open(dbPath, { readOnly: true });
    let runId = opts.runId;
    try {
      runId = runId
        ? await resolveRunRef(store.connection, runId, opts.dbPath)
        : await latestRunId(store.connection);
      for (const [table, s] of Object.entries(findingNotes(await computeFindings(store, runId)))) {
        notes[table] = notes[table] ? `${notes[table]} ${s}` : s;
      }
      const cov = await coverageNote(store, runId, main.table);
      if (cov) notes[main.table] = notes[main.table] ? `${notes[main.table]} ${cov}` : cov;
    } finally {
      store.close();
    }
    return await renderReport({
      dbPath,
      runId,
      outDir: opts.outDir,
      notes,
      paperNumbers: PAPER_NUMBERS,
      tables: TABLE_SPECS,
    });
  });
}
