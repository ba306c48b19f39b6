/**
 * The results schema, declared once: the tables and columns of the DuckDB store (as the
 * migrations that build them, applied in order by `ResultsStore.open`), the rows a run writes
 * and the records readers get back (`results_query.ts`). An old file is migrated forward; a
 * migration, once released, is never edited (existing `.lrtl/results.duckdb` files ran it).
 * @module
 */

/** Migrations, index i brings the schema from version i to i + 1. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     run_id VARCHAR PRIMARY KEY, started TIMESTAMP, finished TIMESTAMP, status VARCHAR,
     git_commit VARCHAR, git_dirty BOOLEAN, runtime VARCHAR, tfjs VARCHAR, backend VARCHAR,
     profile VARCHAR, experiments VARCHAR, data_root VARCHAR, params_json VARCHAR);
   CREATE TABLE stage_runs (
     run_id VARCHAR, stage_id VARCHAR, stage VARCHAR, cache_key VARCHAR, status VARCHAR,
     reason VARCHAR, started TIMESTAMP, finished TIMESTAMP, seconds DOUBLE, error VARCHAR);
   CREATE TABLE metrics (
     run_id VARCHAR, experiment VARCHAR, table_name VARCHAR, row_label VARCHAR, dataset VARCHAR,
     sequence VARCHAR, metric VARCHAR, value DOUBLE, x DOUBLE, seed INTEGER, stage_id VARCHAR,
     cache_key VARCHAR);
   CREATE TABLE curves (
     run_id VARCHAR, cache_key VARCHAR, stage_id VARCHAR, step INTEGER, name VARCHAR, value DOUBLE);
   CREATE TABLE figures (
     run_id VARCHAR, experiment VARCHAR, name VARCHAR, path VARCHAR, caption VARCHAR);`,
  // 2: run names and notes; who ran it (to tell a killed run from a running one); sweeps.
  `ALTER TABLE runs ADD COLUMN name VARCHAR;
   ALTER TABLE runs ADD COLUMN note VARCHAR;
   ALTER TABLE runs ADD COLUMN pid INTEGER;
   ALTER TABLE runs ADD COLUMN host VARCHAR;
   ALTER TABLE runs ADD COLUMN proc_start VARCHAR;
   ALTER TABLE runs ADD COLUMN cache_dir VARCHAR;
   ALTER TABLE runs ADD COLUMN sweep_json VARCHAR;`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export interface RunRow {
  run_id: string;
  started: Date;
  git_commit: string;
  git_dirty: boolean;
  runtime: string;
  tfjs: string;
  backend: string;
  profile: string;
  experiments: string;
  data_root: string;
  params_json: string;
  name?: string;
  note?: string;
  pid?: number;
  host?: string;
  proc_start?: string;
  cache_dir?: string;
  /** The `--sweep` axes of the run (JSON), if any. */
  sweep_json?: string;
}

export interface StageRunRow {
  run_id: string;
  stage_id: string;
  stage: string;
  cache_key: string;
  status: "ran" | "cached" | "failed" | "skipped";
  reason: string;
  started: Date;
  finished: Date;
  error?: string;
}

export interface MetricDbRow {
  run_id: string;
  experiment: string;
  table_name: string;
  row_label: string;
  dataset: string;
  sequence: string;
  metric: string;
  value: number;
  x?: number | null;
  seed?: number | null;
  stage_id: string;
  cache_key: string;
}

export interface CurveRow {
  run_id: string;
  cache_key: string;
  stage_id: string;
  step: number;
  name: string;
  value: number;
}

export interface FigureRow {
  run_id: string;
  experiment: string;
  name: string;
  path: string;
  caption: string;
}

/** A run still marked `running`, and who ran it (null: recorded before schema version 2). */
export interface RunningRun {
  runId: string;
  pid: number | null;
  host: string | null;
  procStart: string | null;
  cacheDir: string | null;
}

/** One line of `lrtl runs`. */
export interface RunSummaryRow {
  runId: string;
  started: string;
  finished: string | null;
  /** `finished − started`, or up to the last recorded stage while running. */
  wallSeconds: number | null;
  status: string;
  profile: string;
  backend: string;
  gitCommit: string;
  gitDirty: boolean;
  runtime: string;
  experiments: string;
  dataRoot: string;
  paramsJson: string;
  name: string | null;
  note: string | null;
  pid: number | null;
  host: string | null;
  procStart: string | null;
  sweepJson: string | null;
  ran: number;
  cached: number;
  failed: number;
}

/** One aggregate metric of a run: the mean (± std) over its seeds. */
export interface AggregateRow {
  table: string;
  row: string;
  dataset: string;
  metric: string;
  mean: number;
  std: number | null;
  n: number;
}

/** One row of `runs` as the report reads it: timestamps as text, the wall time computed by DuckDB. */
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
