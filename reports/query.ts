/**
 * The SQL the report renderer runs against the pipeline's DuckDB store (schema version 1).
 *
 * Every function takes an open connection and one `run_id`; nothing here writes. Timestamps are
 * returned as ISO-like strings and durations as seconds so callers never see DuckDB value types.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";

/** One row of `runs`, with timestamps as text and the wall time computed by DuckDB. */
export interface RunRecord {
  runId: string;
  started: string | null;
  finished: string | null;
  /** `finished - started` in seconds, null while the run has not finished. */
  wallSeconds: number | null;
  status: string;
  gitCommit: string;
  gitDirty: boolean;
  runtime: string;
  tfjs: string;
  backend: string;
  profile: string;
  experiments: string;
  dataRoot: string;
  paramsJson: string;
}

/** One row of `stage_runs` for the run. */
export interface StageRunRecord {
  stageId: string;
  stage: string;
  cacheKey: string;
  /** `ran`, `cached` or `failed`. */
  status: string;
  reason: string;
  seconds: number | null;
  error: string;
}

/** One row of `metrics`. `sequence` is `""` for an aggregate over the dataset. */
export interface MetricRecord {
  experiment: string;
  tableName: string;
  rowLabel: string;
  dataset: string;
  sequence: string;
  metric: string;
  value: number;
  x: number | null;
  seed: number | null;
  stageId: string;
  cacheKey: string;
}

/** One point of a training curve. */
export interface CurveRecord {
  stageId: string;
  cacheKey: string;
  step: number;
  name: string;
  value: number;
}

/** One row of `figures`. */
export interface FigureRecord {
  experiment: string;
  name: string;
  path: string;
  caption: string;
}

type Row = Record<string, unknown>;

async function rows(conn: DuckDBConnection, sql: string, values: string[] = []): Promise<Row[]> {
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
 * SQL: "the latest run" wherever a command picks one (report, `lrtl report`): the last started
 * run that finished, not a dry run (`lrtl status`) nor one a killed process left.
 */
export const LATEST_RUN_SQL = `SELECT run_id FROM runs WHERE finished IS NOT NULL
  AND status NOT IN ('dry-run', 'killed') ORDER BY started DESC LIMIT 1`;

/**
 * The id of the latest finished run.
 * @throws Error when the store holds no finished run.
 */
export async function latestRunId(conn: DuckDBConnection): Promise<string> {
  const r = await rows(conn, LATEST_RUN_SQL);
  if (r.length === 0) {
    throw new Error("Cannot pick a run for the report: table runs has no finished run");
  }
  return str(r[0].run_id);
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
