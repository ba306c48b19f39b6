/**
 * What each dataset's J was computed on (sequences, frames, annotated and scored frames), read
 * from the coverage metrics the scoring stages store, as one sentence for a table's notes.
 * FBMS-59, for instance, annotates one frame in twenty: the note says how many were scored.
 * @module
 */
import { datasetMaxima, type ResultsStore, scoredSequences } from "../pipeline/mod.ts";
import { COVERAGE_METRICS } from "../stages/scoring.ts";
import { datasetTitle } from "../reports/tables.ts";

/** The coverage sentence of `table` in run `runId` ("" when no stage stored coverage). */
export async function coverageNote(
  store: ResultsStore,
  runId: string,
  table: string,
): Promise<string> {
  const m = COVERAGE_METRICS;
  const by = await datasetMaxima(store.connection, runId, table, [
    m.sequences,
    m.frames,
    m.annotated,
    m.scored,
  ]);
  const names = await scoredSequences(store.connection, runId, table, "J");
  const parts: string[] = [];
  for (const [d, c] of by) {
    const seqs = c[m.sequences], frames = c[m.frames], ann = c[m.annotated], sc = c[m.scored];
    const list = names.get(d) ?? [];
    const seqText = `${seqs} sequence${seqs === 1 ? "" : "s"}` +
      (list.length && list.length <= 4 ? ` (${list.join(", ")})` : "");
    const annText = ann === frames ? "all annotated" : `${ann} annotated`;
    const scoredText = sc === ann
      ? "all scored"
      : `${sc} scored (frames 00000/00001 are excluded by the protocol)`;
    parts.push(`${datasetTitle(d)}: ${seqText}, ${frames} frames, ${annText}, ${scoredText}`);
  }
  return parts.length ? `Frames behind each J — ${parts.join("; ")}.` : "";
}
