/**
 * Every read of the results store, declared once: the SQL of each question a command asks of
 * the DuckDB file (`lrtl runs`, `show`, `check`, `eval`, the report, its findings and coverage)
 * and the records it answers with (results_schema.ts). "The latest run" has one definition
 * here ({@linkcode LATEST_RUN_SQL}). Nothing here writes.
 *
 * Every function takes an open connection (`ResultsStore.connection`, or the report's own).
 * Timestamps come back as ISO-like strings and durations as seconds, so callers never see DuckDB
 * value types.
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type {
  AggregateRow,
  CurveRecord,
  FigureRecord,
  MetricRecord,
  RunningRun,
  RunRecord,
  RunSummaryRow,
  StageRunRecord,
} from "./results_schema.ts";

/** SQL: every run with its wall time and how many stage instances ran, were cached, failed. */
export const RUNS_SQL = `SELECT r.run_id, CAST(r.started AS VARCHAR) AS started,
  CAST(r.finished AS VARCHAR) AS finished,
  CAST(date_diff('millisecond', r.started, coalesce(r.finished, s.last)) AS DOUBLE) / 1000.0
    AS wall_seconds,
  r.status, r.profile, r.backend, r.git_commit, r.git_dirty, r.runtime, r.experiments,
  r.data_root, r.params_json, r.name, r.note, r.pid, r.host, r.proc_start, r.sweep_json,
  coalesce(s.ran, 0) AS ran, coalesce(s.cached, 0) AS cached, coalesce(s.failed, 0) AS failed
  FROM runs r LEFT JOIN (
    SELECT run_id, max(finished) AS last, count(*) FILTER (status = 'ran') AS ran,
      count(*) FILTER (status = 'cached') AS cached, count(*) FILTER (status = 'failed') AS failed
    FROM stage_runs GROUP BY run_id) s ON s.run_id = r.run_id
  ORDER BY r.started, r.run_id`;

/** SQL: a run's aggregate metrics (sequence = ''), mean and std over seeds, in stored order. */
export const AGGREGATES_SQL = `SELECT table_name, row_label, dataset, metric,
  avg(value) AS mean, stddev_samp(value) AS std, count(*) AS n, min(rowid) AS first
  FROM metrics WHERE run_id = $1 AND sequence = ''
  GROUP BY table_name, row_label, dataset, metric ORDER BY first`;

/**
 * The run id a user means: an exact id, a unique id prefix, a run name (the latest run of that
 * name), or `latest` ({@linkcode latestRunId}). Throws naming the candidates when it is ambiguous or unknown.
 */
export async function resolveRunRef(
  conn: DuckDBConnection,
  ref: string,
  path: string,
): Promise<string> {
  if (ref === "latest") return await latestRunId(conn);
  const runs = await listRuns(conn);
  const exact = runs.find((r) => r.runId === ref);
  if (exact) return exact.runId;
  const named = runs.filter((r) => r.name === ref);
  if (named.length) return named[named.length - 1].runId;
  const prefixed = runs.filter((r) => r.runId.startsWith(ref));
  if (prefixed.length === 1) return prefixed[0].runId;
  if (prefixed.length > 1) {
    throw new Error(
      `Run "${ref}" is ambiguous: ${prefixed.map((r) => r.runId).join(", ")}`,
    );
  }
  const recent = runs.slice(-3).map((r) => r.runId).join(", ");
  throw new Error(
    `No run "${ref}" in "${path}" (an id, id prefix, name or "latest"; recent: ${
      recent || "none"
    }); see \`lrtl runs\``,
  );
}

/** Every run (oldest first), with its wall time and stage counts: `lrtl runs`, `lrtl show`. */
export async function listRuns(conn: DuckDBConnection): Promise<RunSummaryRow[]> {
  const found = await rows(conn, RUNS_SQL);
  return found.map((r) => ({
    runId: String(r.run_id),
    started: String(r.started ?? ""),
    finished: r.finished === null ? null : String(r.finished),
    wallSeconds: r.wall_seconds === null ? null : Number(r.wall_seconds),
    status: String(r.status ?? ""),
    profile: String(r.profile ?? ""),
    backend: String(r.backend ?? ""),
    gitCommit: String(r.git_commit ?? ""),
    gitDirty: r.git_dirty === true,
    runtime: String(r.runtime ?? ""),
    experiments: String(r.experiments ?? ""),
    dataRoot: String(r.data_root ?? ""),
    paramsJson: String(r.params_json ?? "{}"),
    name: r.name === null ? null : String(r.name),
    note: r.note === null ? null : String(r.note),
    pid: r.pid === null ? null : Number(r.pid),
    host: r.host === null ? null : String(r.host),
    procStart: r.proc_start === null ? null : String(r.proc_start),
    sweepJson: r.sweep_json === null ? null : String(r.sweep_json),
    ran: Number(r.ran ?? 0),
    cached: Number(r.cached ?? 0),
    failed: Number(r.failed ?? 0),
  }));
}

/** A run's aggregate metrics (rows over a whole dataset), mean ± std over seeds. */
export async function runAggregates(
  conn: DuckDBConnection,
  runId: string,
): Promise<AggregateRow[]> {
  const found = await rows(conn, AGGREGATES_SQL, [runId]);
  return found.map((r) => ({
    table: String(r.table_name),
    row: String(r.row_label),
    dataset: String(r.dataset),
    metric: String(r.metric),
    mean: Number(r.mean),
    std: r.std === null ? null : Number(r.std),
    n: Number(r.n),
  }));
}

/** Runs still marked `running`, with who ran them. */
export async function runningRuns(conn: DuckDBConnection): Promise<RunningRun[]> {
  const found = await rows(
    conn,
    `SELECT run_id, pid, host, proc_start, cache_dir FROM runs WHERE status = 'running'`,
  );
  return found.map((r) => ({
    runId: String(r.run_id),
    pid: r.pid === null ? null : Number(r.pid),
    host: r.host === null ? null : String(r.host),
    procStart: r.proc_start === null ? null : String(r.proc_start),
    cacheDir: r.cache_dir === null ? null : String(r.cache_dir),
  }));
}

/**
 * SQL: a run's dataset-level metrics, mean over seeds (what `lrtl check` guards). A row at a
 * sweep position other than a `sweep_*` table's (feasibility curves) keeps the position in its
 * label: `noise @ 0.1`.
 */
export const SEED_MEANS_SQL = `SELECT table_name,
  CASE WHEN x IS NULL OR table_name LIKE 'sweep_%' THEN row_label
       ELSE row_label || ' @ ' || x END AS row_label,
  dataset, metric, avg(value) AS value
  FROM metrics WHERE run_id = $1 AND sequence = ''
  GROUP BY ALL ORDER BY ALL`;

/** One dataset-level metric of a run, mean over its seeds. */
export interface SeedMean {
  table: string;
  row: string;
  dataset: string;
  metric: string;
  value: number;
}

/** A run's dataset-level metrics, mean over seeds ({@linkcode SEED_MEANS_SQL}). */
export async function seedMeans(conn: DuckDBConnection, runId: string): Promise<SeedMean[]> {
  return (await rows(conn, SEED_MEANS_SQL, [runId])).map((r) => ({
    table: str(r.table_name),
    row: str(r.row_label),
    dataset: str(r.dataset),
    metric: str(r.metric),
    value: Number(r.value),
  }));
}

/** The means of one table's rows for one metric and dataset (dataset-level rows only). */
export interface RowMeans {
  /** Row label → mean over its seeds (and sweep positions). */
  rows: Map<string, number>;
  /** Row label → sample std over them (rows with one value are left out). */
  stds: Map<string, number>;
  /** Each row's mean at each sweep position `x` (rows without one are left out), by x. */
  points: Map<string, { x: number; v: number }[]>;
}

/** SQL: means of a table's rows for one metric and dataset. */
export const ROW_MEANS_SQL =
  `SELECT row_label, avg(value) AS v, stddev_samp(value) AS sd FROM metrics
  WHERE run_id = $1 AND table_name = $2 AND metric = $3 AND dataset = $4 AND sequence = ''
  GROUP BY row_label`;

/** SQL: means of a table's rows at each sweep position, for one metric and dataset. */
export const POINT_MEANS_SQL = `SELECT row_label, x, avg(value) AS v FROM metrics
  WHERE run_id = $1 AND table_name = $2 AND metric = $3 AND dataset = $4 AND sequence = ''
    AND x IS NOT NULL
  GROUP BY row_label, x ORDER BY row_label, x`;

/** The means of `table`'s rows for `metric` on `dataset` in run `runId`. */
export async function rowMeans(
  conn: DuckDBConnection,
  runId: string,
  q: { table: string; metric: string; dataset: string },
): Promise<RowMeans> {
  const args = [runId, q.table, q.metric, q.dataset];
  const byRow = await rows(conn, ROW_MEANS_SQL, args);
  const points = new Map<string, { x: number; v: number }[]>();
  for (const r of await rows(conn, POINT_MEANS_SQL, args)) {
    const label = str(r.row_label);
    points.set(label, [...points.get(label) ?? [], { x: Number(r.x), v: Number(r.v) }]);
  }
  const stds = new Map<string, number>();
  for (const r of byRow) {
    if (r.sd !== null && r.sd !== undefined) stds.set(str(r.row_label), Number(r.sd));
  }
  return { rows: new Map(byRow.map((r) => [str(r.row_label), Number(r.v)])), stds, points };
}

/** SQL: the datasets on which a table has a dataset-level value of `row` for `metric`. */
export const DATASETS_WITH_ROW_SQL = `SELECT DISTINCT dataset FROM metrics
  WHERE run_id = $1 AND table_name = $2 AND metric = $3 AND row_label = $4 AND sequence = ''
  ORDER BY dataset`;

/** The datasets (sorted) on which `table` has a dataset-level `metric` of `row`. */
export async function datasetsWithRow(
  conn: DuckDBConnection,
  runId: string,
  q: { table: string; metric: string; row: string },
): Promise<string[]> {
  return (await rows(conn, DATASETS_WITH_ROW_SQL, [runId, q.table, q.metric, q.row]))
    .map((r) => str(r.dataset));
}

/** SQL: per dataset, the largest dataset-level value of each of `metrics` ($3…) in a table. */
const coverageSql = (n: number) =>
  `SELECT dataset, metric, max(value) AS v FROM metrics
   WHERE run_id = $1 AND table_name = $2 AND sequence = '' AND metric IN (${
    Array.from({ length: n }, (_, i) => `$${i + 3}`).join(", ")
  })
   GROUP BY dataset, metric ORDER BY dataset`;

/** Per dataset of `table`, the largest value of each of `metrics` (coverage counts). */
export async function datasetMaxima(
  conn: DuckDBConnection,
  runId: string,
  table: string,
  metrics: readonly string[],
): Promise<Map<string, Record<string, number>>> {
  const by = new Map<string, Record<string, number>>();
  for (const r of await rows(conn, coverageSql(metrics.length), [runId, table, ...metrics])) {
    const d = str(r.dataset);
    by.set(d, { ...by.get(d), [str(r.metric)]: Number(r.v) });
  }
  return by;
}

/** SQL: per dataset, the sequences a table scored `metric` on (sorted). */
export const SCORED_SEQUENCES_SQL = `SELECT dataset, list(DISTINCT sequence ORDER BY sequence)
  AS seqs FROM metrics
  WHERE run_id = $1 AND table_name = $2 AND sequence <> '' AND metric = $3
  GROUP BY dataset`;

/** Per dataset of `table`, the sequences it has a per-sequence `metric` for. */
export async function scoredSequences(
  conn: DuckDBConnection,
  runId: string,
  table: string,
  metric: string,
): Promise<Map<string, string[]>> {
  return new Map(
    (await rows(conn, SCORED_SEQUENCES_SQL, [runId, table, metric])).map((r) => [
      str(r.dataset),
      (r.seqs as unknown[]).map(String),
    ]),
  );
}

type Row = Record<string, unknown>;

async function rows(
  conn: DuckDBConnection,
  sql: string,
  values: (string | number)[] = [],
): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql, values);
  return reader.getRowObjectsJS() as Row[];
}

function str(v: unknown): string {
  return v === null || v === undefined ? "" : String(v);
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === "bigint" ? Number(v) : Number(v);
}

/**
 * SQL: "the latest run" wherever a command picks one (the report, `lrtl check`, the run ref
 * `latest`): the last started run that finished, not a dry run (`lrtl status`) nor one a killed
 * process left; `$1`: a profile, or NULL for any.
 */
export const LATEST_RUN_SQL = `SELECT run_id FROM runs WHERE finished IS NOT NULL
  AND status NOT IN ('dry-run', 'killed') AND ($1::VARCHAR IS NULL OR profile = $1::VARCHAR)
  ORDER BY started DESC, run_id DESC LIMIT 1`;

/**
 * The id of the latest finished run (of `profile`, if given).
 * @throws Error when the store holds no such run.
 */
export async function latestRunId(
  conn: DuckDBConnection,
  opts: { profile?: string } = {},
): Promise<string> {
  const r = await conn.runAndReadAll(LATEST_RUN_SQL, [opts.profile ?? null]);
  const found = r.getRowObjectsJS() as Row[];
  if (found.length === 0) {
    throw new Error(
      `No finished run${
        opts.profile ? ` of profile ${opts.profile}` : ""
      } in the results database: run \`lrtl run\` first`,
    );
  }
  return str(found[0].run_id);
}

/** SQL: one run with text timestamps and its wall time. */
export const RUN_SQL = `SELECT run_id, CAST(started AS VARCHAR) AS started,
  CAST(finished AS VARCHAR) AS finished,
  CAST(date_diff('millisecond', started, finished) AS DOUBLE) / 1000.0 AS wall_seconds,
  status, git_commit, git_dirty, runtime, tfjs, backend, profile, experiments, data_root,
  params_json FROM runs WHERE run_id = $1`;

/**
 * The `runs` row of `runId`.
 * @throws Error when the run does not exist.
 */
export async function readRun(conn: DuckDBConnection, runId: string): Promise<RunRecord> {
  const r = await rows(conn, RUN_SQL, [runId]);
  if (r.length === 0) throw new Error(`Cannot report run "${runId}": no such run_id in runs`);
  const o = r[0];
  return {
    runId: str(o.run_id),
    started: o.started === null ? null : str(o.started),
    finished: o.finished === null ? null : str(o.finished),
    wallSeconds: num(o.wall_seconds),
    status: str(o.status),
    gitCommit: str(o.git_commit),
    gitDirty: o.git_dirty === true,
    runtime: str(o.runtime),
    tfjs: str(o.tfjs),
    backend: str(o.backend),
    profile: str(o.profile),
    experiments: str(o.experiments),
    dataRoot: str(o.data_root),
    paramsJson: str(o.params_json),
  };
}

/** SQL: the stage runs of one run, in start order. */
export const STAGE_RUNS_SQL = `SELECT stage_id, stage, cache_key, status, reason, seconds, error
  FROM stage_runs WHERE run_id = $1 ORDER BY started NULLS LAST, stage_id`;

/** The `stage_runs` rows of `runId`, in start order. */
export async function readStageRuns(
  conn: DuckDBConnection,
  runId: string,
): Promise<StageRunRecord[]> {
  return (await rows(conn, STAGE_RUNS_SQL, [runId])).map((o) => ({
    stageId: str(o.stage_id),
    stage: str(o.stage),
    cacheKey: str(o.cache_key),
    status: str(o.status),
    reason: str(o.reason),
    seconds: num(o.seconds),
    error: str(o.error),
  }));
}

/** SQL: all metric rows of one run, in the order they were stored. */
export const METRICS_SQL = `SELECT experiment, table_name, row_label, dataset, sequence, metric,
  value, x, seed, stage_id, cache_key FROM metrics WHERE run_id = $1
  ORDER BY rowid`;

/** The `metrics` rows of `runId` (aggregates and per-sequence rows). */
export async function readMetrics(
  conn: DuckDBConnection,
  runId: string,
): Promise<MetricRecord[]> {
  return (await rows(conn, METRICS_SQL, [runId])).map((o) => ({
    experiment: str(o.experiment),
    tableName: str(o.table_name),
    rowLabel: str(o.row_label),
    dataset: str(o.dataset),
    sequence: str(o.sequence),
    metric: str(o.metric),
    value: num(o.value) ?? Number.NaN,
    x: num(o.x),
    seed: num(o.seed),
    stageId: str(o.stage_id),
    cacheKey: str(o.cache_key),
  }));
}

/**
 * SQL: the training curves of the stages this run used. A curve is found through the run's
 * `stage_runs.cache_key`, so a stage that was `cached` in this run still shows the curve written
 * when it ran; a curve stored twice for one key is read once.
 */
export const CURVES_SQL = `SELECT s.stage_id, c.cache_key, c.step, c.name,
  any_value(c.value) AS value
  FROM curves c JOIN (SELECT DISTINCT stage_id, cache_key FROM stage_runs WHERE run_id = $1) s
    ON s.cache_key = c.cache_key
  GROUP BY s.stage_id, c.cache_key, c.step, c.name
  ORDER BY s.stage_id, c.name, c.step`;

/** The training curves of the stages `runId` ran or reused from the cache. */
export async function readCurves(conn: DuckDBConnection, runId: string): Promise<CurveRecord[]> {
  return (await rows(conn, CURVES_SQL, [runId])).map((o) => ({
    stageId: str(o.stage_id),
    cacheKey: str(o.cache_key),
    step: num(o.step) ?? 0,
    name: str(o.name),
    value: num(o.value) ?? Number.NaN,
  }));
}

/** SQL: the figures of one run. */
export const FIGURES_SQL = `SELECT experiment, name, path, caption FROM figures
  WHERE run_id = $1 ORDER BY experiment, name`;

/** The `figures` rows of `runId`. */
export async function readFigures(
  conn: DuckDBConnection,
  runId: string,
): Promise<FigureRecord[]> {
  return (await rows(conn, FIGURES_SQL, [runId])).map((o) => ({
    experiment: str(o.experiment),
    name: str(o.name),
    path: str(o.path),
    caption: str(o.caption),
  }));
}

/** Everything one report needs, read in one go. */
export interface RunData {
  run: RunRecord;
  stageRuns: StageRunRecord[];
  metrics: MetricRecord[];
  curves: CurveRecord[];
  figures: FigureRecord[];
}

/** Reads all rows of `runId` that the report uses. */
export async function readRunData(conn: DuckDBConnection, runId: string): Promise<RunData> {
  const run = await readRun(conn, runId);
  return {
    run,
    stageRuns: await readStageRuns(conn, runId),
    metrics: await readMetrics(conn, runId),
    curves: await readCurves(conn, runId),
    figures: await readFigures(conn, runId),
  };
}
