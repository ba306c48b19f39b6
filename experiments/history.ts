/**
 * The history of runs in the results store, as `lrtl runs`, `lrtl show <run>` and
 * `lrtl compare <runA> <runB>` print it (the last like `dvc exp diff`: the params that differ,
 * then a table of metric differences). Read-only.
 * @module
 */
import {
  type AggregateRow,
  defaultParams,
  holderAlive,
  listRuns,
  readStageRuns,
  resolveRunRef,
  type ResultsStore,
  runAggregates,
  type RunSummaryRow,
} from "../pipeline/mod.ts";
import { PROFILES, SCHEMA } from "../stages/params.ts";

/**
 * Lays out rows as aligned columns: `align` is a string of `l`/`r` per column, or the number of
 * leading left-aligned columns (the rest right-aligned).
 */
export function columns(rows: readonly string[][], align: number | string = 1): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const left = (i: number) => (typeof align === "number" ? i < align : align[i] !== "r");
  return rows.map((r) =>
    r.map((c, i) => (left(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")
      .trimEnd()
  );
}

/** `93 s`, `4m 05s`, `1h 17m`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

/** A run's status; a `running` run whose process is gone reads `dead` until the next run marks it. */
export function displayStatus(r: RunSummaryRow): string {
  if (r.status !== "running" || r.pid === null || r.host === null) return r.status;
  return holderAlive({ pid: r.pid, host: r.host, procStart: r.procStart }) === false
    ? "dead"
    : "running";
}

const date = (s: string) => s.replace("T", " ").slice(0, 16);
const commit = (r: RunSummaryRow) =>
  r.gitCommit ? r.gitCommit.slice(0, 7) + (r.gitDirty ? "+" : "") : "—";

/** `lrtl runs`: one line per run, newest last. */
export async function runsLines(
  store: ResultsStore,
  opts: { last?: number } = {},
): Promise<string[]> {
  let runs = await listRuns(store.connection);
  if (!runs.length) return [`No runs in "${store.path}" yet.`];
  if (opts.last) runs = runs.slice(-opts.last);
  return columns([
    [
      "run",
      "date",
      "name",
      "profile",
      "backend",
      "status",
      "wall",
      "ran",
      "cached",
      "failed",
      "commit",
      "targets",
    ],
    ...runs.map((r) => [
      r.runId,
      date(r.started),
      r.name ?? "",
      r.profile,
      r.backend,
      displayStatus(r),
      formatDuration(r.wallSeconds),
      String(r.ran),
      String(r.cached),
      String(r.failed),
      commit(r),
      r.experiments,
    ]),
  ], "llllllrrrrll");
}

function paramsOf(r: RunSummaryRow): Record<string, unknown> {
  try {
    return JSON.parse(r.paramsJson);
  } catch {
    return {};
  }
}

const show = (
  v: unknown,
) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

/** Aggregates as `table row dataset metric value` lines. */
function aggregateLines(aggs: readonly AggregateRow[]): string[] {
  return columns([
    ["table", "row", "dataset", "metric", "value", "n"],
    ...aggs.map((a) => [
      a.table,
      a.row || "—",
      a.dataset,
      a.metric,
      a.mean.toFixed(2) + (a.std !== null && a.n > 1 ? ` ± ${a.std.toFixed(2)}` : ""),
      String(a.n),
    ]),
  ], 4);
}

async function runById(store: ResultsStore, ref: string): Promise<RunSummaryRow> {
  const id = await resolveRunRef(store.connection, ref, store.path);
  return (await listRuns(store.connection)).find((r) => r.runId === id)!;
}

/** `lrtl show <run>`: provenance, params that differ from the defaults, stages, metrics. */
export async function showLines(store: ResultsStore, ref: string): Promise<string[]> {
  const r = await runById(store, ref);
  const defaults = defaultParams(SCHEMA);
  const profile = PROFILES[r.profile] ?? {};
  const params = paramsOf(r);
  const changed = Object.keys(params).filter((k) =>
    JSON.stringify(params[k]) !== JSON.stringify(defaults[k])
  );
  const lines = [
    `run        ${r.runId}${r.name ? `  (name "${r.name}")` : ""}`,
    `status     ${displayStatus(r)}   started ${date(r.started)}   finished ${
      r.finished ? date(r.finished) : "—"
    }   wall ${formatDuration(r.wallSeconds)}`,
    `targets    ${r.experiments}   profile ${r.profile}   backend ${r.backend}`,
    `commit     ${commit(r)}   runtime ${r.runtime}   host ${r.host ?? "—"}   pid ${r.pid ?? "—"}`,
    `data root  ${r.dataRoot}`,
    ...(r.note ? [`note       ${r.note}`] : []),
    ...(r.sweepJson ? [`sweep      ${sweepText(r.sweepJson)}`] : []),
    `stages     ${r.ran} ran, ${r.cached} cached, ${r.failed} failed`,
    "",
    `params that differ from the defaults (${changed.length}):`,
    ...columns(
      changed.map((k) => [
        `  ${k}`,
        show(params[k]),
        k in profile && JSON.stringify(profile[k]) === JSON.stringify(params[k])
          ? `(profile ${r.profile})`
          : "(override)",
        `default ${show(defaults[k])}`,
      ]),
      4,
    ),
  ];
  const failed = (await readStageRuns(store.connection, r.runId)).filter((s) =>
    s.status === "failed"
  );
  if (failed.length) {
    lines.push("", "failed stages:", ...failed.map((f) => `  ${f.stageId}: ${f.error}`));
  }
  const aggs = await runAggregates(store.connection, r.runId);
  lines.push("", `metrics (aggregates over each dataset; mean ± std over seeds):`);
  lines.push(...(aggs.length ? aggregateLines(aggs).map((l) => `  ${l}`) : ["  none recorded"]));
  return lines;
}

function sweepText(json: string): string {
  try {
    return (JSON.parse(json) as { key: string; values: unknown[] }[])
      .map((a) => `${a.key}=${a.values.map(show).join(",")}`).join(" × ");
  } catch {
    return json;
  }
}

/**
 * `lrtl compare <a> <b>`: the settings and params that differ, then every aggregate metric of
 * either run with both values and Δ = b − a. Unchanged metrics are left out unless `all`.
 */
export async function compareLines(
  store: ResultsStore,
  refA: string,
  refB: string,
  opts: { all?: boolean; table?: string } = {},
): Promise<string[]> {
  const a = await runById(store, refA);
  const b = await runById(store, refB);
  const label = (r: RunSummaryRow) => r.name ? `${r.runId} (${r.name})` : r.runId;
  const lines = [`a: ${label(a)}`, `b: ${label(b)}`, ""];
  const settings: [string, string, string][] = [
    ["profile", a.profile, b.profile],
    ["backend", a.backend, b.backend],
    ["targets", a.experiments, b.experiments],
    ["commit", commit(a), commit(b)],
    ["runtime", a.runtime, b.runtime],
    ["data root", a.dataRoot, b.dataRoot],
    [
      "sweep",
      a.sweepJson ? sweepText(a.sweepJson) : "—",
      b.sweepJson ? sweepText(b.sweepJson) : "—",
    ],
  ];
  const pa = paramsOf(a), pb = paramsOf(b);
  const keys = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort();
  const diffs = keys.filter((k) => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]));
  const differing = settings.filter(([, x, y]) => x !== y);
  lines.push(
    `settings and params that differ (${differing.length + diffs.length}):`,
    ...columns([
      ["", "a", "b"],
      ...differing.map(([k, x, y]) => [`  ${k}`, x, y]),
      ...diffs.map((k) => [`  ${k}`, show(pa[k]), show(pb[k])]),
    ], 1),
    "",
  );
  const key = (m: AggregateRow) => `${m.table}\t${m.row}\t${m.dataset}\t${m.metric}`;
  const ma = new Map((await runAggregates(store.connection, a.runId)).map((m) => [key(m), m]));
  const mb = new Map((await runAggregates(store.connection, b.runId)).map((m) => [key(m), m]));
  const all = [...new Set([...ma.keys(), ...mb.keys()])]
    .filter((k) => !opts.table || k.startsWith(`${opts.table}\t`));
  const fmt = (m?: AggregateRow) => (m ? m.mean.toFixed(2) : "—");
  const rows: string[][] = [];
  let same = 0;
  for (const k of all) {
    const x = ma.get(k), y = mb.get(k);
    const d = x && y ? y.mean - x.mean : null;
    if (!opts.all && x && y && fmt(x) === fmt(y)) {
      same++;
      continue;
    }
    const [table, row, dataset, metric] = k.split("\t");
    rows.push([
      table,
      row || "—",
      dataset,
      metric,
      fmt(x),
      fmt(y),
      d === null ? "—" : `${d >= 0 ? "+" : ""}${d.toFixed(2)}`,
    ]);
  }
  lines.push(`metrics (aggregates, mean over seeds; Δ = b − a):`);
  if (rows.length) {
    lines.push(...columns([["table", "row", "dataset", "metric", "a", "b", "Δ"], ...rows], 4));
  }
  lines.push(
    rows.length
      ? (same ? `(${same} unchanged metric(s) not shown; --all shows them)` : "")
      : `no metric differs (${same} compared)`,
  );
  return lines.filter((l, i, xs) => !(l === "" && i === xs.length - 1));
}
