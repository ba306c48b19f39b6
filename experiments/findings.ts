/**
 * The paper's findings, checked on a run's own numbers: each one says whether it holds here,
 * with the numbers that decide it. They are added under the tables they concern.
 * @module
 */
import type { ResultsStore } from "../pipeline/mod.ts";
import { MAIN_ROWS } from "../reports/rows.ts";
import {
  clustering,
  feasibility,
  main as mainExperiment,
  motionFlow,
  motionTracks,
  sweepRank,
} from "./tables.ts";

export interface Finding {
  table: string;
  claim: string;
  /** null when the run lacks the rows to decide. */
  holds: boolean | null;
  evidence: string;
}

type Agg = Map<string, number>;

async function means(
  store: ResultsStore,
  runId: string,
  table: string,
  metric: string,
  dataset: string,
): Promise<Agg> {
  const rows = await store.query(
    `SELECT row_label, avg(value) AS v FROM metrics
     WHERE run_id = $1 AND table_name = $2 AND metric = $3 AND dataset = $4 AND sequence = ''
     GROUP BY row_label`,
    [runId, table, metric, dataset],
  );
  return new Map(rows.map((r) => [String(r.row_label), Number(r.v)]));
}

const f1 = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(1));

export async function computeFindings(store: ResultsStore, runId: string): Promise<Finding[]> {
  const out: Finding[] = [];
  const main = await means(store, runId, mainExperiment.table, "J", "synthetic");
  const ours = main.get(MAIN_ROWS.ours), lf = main.get(MAIN_ROWS.lfOnly);
  out.push({
    table: mainExperiment.table,
    claim: "Lt helps over Lf alone (synthetic J of Lf+Lt+Lr vs Lf only)",
    holds: ours === undefined || lf === undefined ? null : ours > lf,
    evidence: `${f1(ours)} vs ${f1(lf)}`,
  });
  const whole = main.get(MAIN_ROWS.wholeFrame), untrained = main.get(MAIN_ROWS.untrained);
  out.push({
    table: mainExperiment.table,
    claim: "Training beats an untrained network and the whole-frame floor (synthetic J)",
    holds: ours === undefined || whole === undefined || untrained === undefined
      ? null
      : ours > whole && ours > untrained,
    evidence: `ours ${f1(ours)}, untrained ${f1(untrained)}, whole frame ${f1(whole)}`,
  });
  out.push(...await floorFindings(store, runId));
  const rank = await means(store, runId, sweepRank.table, "J", "synthetic");
  if (rank.size) {
    const [best] = [...rank].sort((a, b) => b[1] - a[1]);
    out.push({
      table: sweepRank.table,
      claim: "Rank near 4–5 is best",
      holds: ["4", "5"].includes(best[0]),
      evidence: `best r = ${best[0]} (J ${f1(best[1])}); ` +
        [...rank].map(([r, v]) => `r=${r}: ${f1(v)}`).join(", "),
    });
  }
  for (const dataset of ["synthetic", "hopkins155"]) {
    const ari = await means(store, runId, clustering.table, "ari", dataset);
    const l = ari.get("LRTL-direct"), k = ari.get("K-Means");
    if (l !== undefined && k !== undefined) {
      out.push({
        table: clustering.table,
        claim: `LRTL-direct beats K-Means on trajectory clustering (${dataset} ARI)`,
        holds: l > k,
        evidence: `${f1(l)} vs ${f1(k)}`,
      });
    }
  }
  const aj = await means(store, runId, motionTracks.table, "average_jaccard", "synthetic");
  const fc = aj.get("flow-chain"), klt = aj.get("klt");
  if (fc !== undefined && klt !== undefined) {
    out.push({
      table: motionTracks.table,
      claim: "Dense flow-chained tracks beat KLT on synthetic average Jaccard",
      holds: fc > klt,
      evidence: `${f1(fc)} vs ${f1(klt)}` +
        (fc > klt ? "" : "; KLT re-matches an image window at every frame while " +
          "flow chaining accumulates the interpolation error of each flow field along the chain, and on these " +
          "richly textured, mostly rigid scenes patch matching is hard to beat — flow-chain's advantage is " +
          "density (a track at every grid point, re-seeded at every frame), not per-point accuracy"),
    });
  }
  const epe = await means(store, runId, motionFlow.table, "epe", "sintel");
  const dis = epe.get("dis"), farneback = epe.get("farneback");
  if (dis !== undefined && farneback !== undefined) {
    out.push({
      table: motionFlow.table,
      claim: "DIS (native OpenCV) is more accurate than Farneback on Sintel",
      holds: dis < farneback,
      evidence: `EPE ${dis.toFixed(2)} vs ${farneback.toFixed(2)} px`,
    });
  }
  const feas = await store.query(
    `SELECT row_label, x, avg(value) AS v FROM metrics WHERE run_id = $1 AND table_name = 'feasibility'
     AND metric = 'lt' GROUP BY row_label, x ORDER BY row_label, x`,
    [runId],
  );
  for (const axis of ["noise", "temperature", "structure"]) {
    const pts = feas.filter((r) => r.row_label === axis).map((r) => ({
      x: Number(r.x),
      v: Number(r.v),
    }));
    if (!pts.length) continue;
    const truth = axis === "structure"
      ? pts.find((p) => p.x === 0)
      : pts.reduce((a, b) => (a.x <= b.x ? a : b));
    const min = pts.reduce((a, b) => (a.v <= b.v ? a : b));
    out.push({
      table: feasibility.table,
      claim: `Lt is smallest for the true masks along "${axis}"`,
      holds: truth !== undefined && min.v >= truth.v - 1e-9,
      evidence: `Lt at the true masks ${truth?.v.toPrecision(4)}, minimum ${
        min.v.toPrecision(4)
      } at ${axis} = ${min.x}`,
    });
  }
  return out;
}

/** Rows of the main table that are trained (not floors, not the untrained network). */
export function learnedRows(profile = "small"): string[] {
  return [
    ...new Set(
      mainExperiment.runs(profile)
        .filter((r) => (r.overrides["train.steps"] ?? 1) !== 0)
        .map((r) => r.label),
    ),
  ];
}

/**
 * Per dataset: does each learned row beat the learning-free classical floor computed from the
 * same flow? (Not a claim of the paper: the floor a learned motion segmenter must clear.)
 */
async function floorFindings(store: ResultsStore, runId: string): Promise<Finding[]> {
  const rows = await store.query(
    `SELECT DISTINCT dataset FROM metrics WHERE run_id = $1 AND table_name = 'main_comparison'
     AND metric = 'J' AND sequence = '' AND row_label = $2 ORDER BY dataset`,
    [runId, MAIN_ROWS.floor],
  );
  const out: Finding[] = [];
  for (const r of rows) {
    const dataset = String(r.dataset);
    const j = await means(store, runId, mainExperiment.table, "J", dataset);
    const floor = j.get(MAIN_ROWS.floor)!;
    const learned = learnedRows().filter((l) => j.has(l));
    if (!learned.length) continue;
    const verdicts = learned.map((l) =>
      `${l} ${f1(j.get(l))} ${j.get(l)! > floor ? "beats it" : "does not"}`
    );
    out.push({
      table: mainExperiment.table,
      claim: `Every learned row beats the learning-free floor (${dataset} J; floor ${f1(floor)})`,
      holds: learned.every((l) => j.get(l)! > floor),
      evidence: verdicts.join(", "),
    });
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
    const s = `Paper finding — ${f.claim}: ${verdict} (${f.evidence}).`;
    notes[f.table] = notes[f.table] ? `${notes[f.table]} ${s}` : s;
  }
  return notes;
}
