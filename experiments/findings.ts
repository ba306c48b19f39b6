/**
 * The paper's findings, checked on a run's own numbers: each experiment declares its table's
 * findings (experiments/tables.ts); this evaluates them all on one run, and says under each
 * table whether each holds, with the numbers that decide it.
 * @module
 */
import { datasetsWithRow, type ResultsStore, rowMeans } from "../pipeline/mod.ts";
import type { Verdict } from "./experiment.ts";
import { EXPERIMENTS } from "./tables.ts";

/** A finding decided on one run, under its table. */
export interface Finding extends Verdict {
  table: string;
}

/** Every declared finding, decided on run `runId` (in declaration order). */
export async function computeFindings(
  store: ResultsStore,
  runId: string,
  experiments = EXPERIMENTS,
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const e of experiments) {
    for (const f of e.findings ?? []) {
      const datasets = "having" in f.datasets
        ? await datasetsWithRow(store.connection, runId, {
          table: e.table,
          metric: f.metric,
          row: f.datasets.having,
        })
        : f.datasets;
      for (const dataset of datasets) {
        const means = await rowMeans(store.connection, runId, {
          table: e.table,
          metric: f.metric,
          dataset,
        });
        const v = f.decide(means, dataset);
        if (v) out.push({ table: e.table, ...v });
      }
    }
  }
  return out;
}

/** Findings as one sentence per table, for the report's notes. */
export function findingNotes(findings: readonly Finding[]): Record<string, string> {
  const notes: Record<string, string> = {};
  for (const f of findings) {
    const verdict = f.holds === null
      ? "not decided (rows missing)"
      : f.holds
      ? "holds on our data"
      : "does NOT hold on our data";
    const head = f.kind === "check" ? "Check (not the paper's claim)" : "Paper finding";
    const s = `${head} — ${f.claim}: ${verdict} (${f.evidence}).`;
    notes[f.table] = notes[f.table] ? `${notes[f.table]} ${s}` : s;
  }
  return notes;
}
