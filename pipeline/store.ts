/**
 * The results store: one DuckDB file, append-only history of runs, stage runs, metrics,
 * curves and figures. The schema is versioned; {@linkcode ResultsStore.open} applies pending
 * migrations in order. Rows are appended with DuckDB's appender and flushed at once, so a
 * crash loses nothing that was already recorded.
 * @module
 */
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  timestampValue,
} from "@duckdb/node-api";
import { dirname } from "node:path";

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

const ts = (d: Date) => timestampValue(BigInt(d.getTime()) * 1000n);

/** An open results database. */
export class ResultsStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  /** Opens (creating if needed) the database at `path` and migrates it to the current schema. */
  static async open(path: string): Promise<ResultsStore> {
    if (path !== ":memory:") await Deno.mkdir(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (e) {
      throw new Error(`Cannot open results database "${path}": ${(e as Error).message}`);
    }
    const connection = await instance.connect();
    const store = new ResultsStore(instance, connection, path);
    await store.migrate();
    return store;
  }

  /** The schema version of the open file. */
  async version(): Promise<number> {
    const r = await this.connection.runAndReadAll(
      "SELECT coalesce(max(version), 0) FROM schema_version",
    );
    return Number(r.getRows()[0][0]);
  }

  private async migrate(): Promise<void> {
    await this.connection.run(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied TIMESTAMP)",
    );
    const from = await this.version();
    if (from > SCHEMA_VERSION) {
      throw new Error(
        `Results database "${this.path}" has schema version ${from}, newer than this code's ${SCHEMA_VERSION}; update lrtl`,
      );
    }
    for (let v = from; v < SCHEMA_VERSION; v++) {
      await this.connection.run("BEGIN TRANSACTION");
      try {
        await this.connection.run(MIGRATIONS[v]);
        await this.connection.run(
          "INSERT INTO schema_version VALUES ($1, current_timestamp)",
          [v + 1],
        );
        await this.connection.run("COMMIT");
      } catch (e) {
        await this.connection.run("ROLLBACK");
        throw new Error(`Migration to schema version ${v + 1} failed: ${(e as Error).message}`);
      }
    }
  }

  async beginRun(r: RunRow): Promise<void> {
    await this.connection.run(
      `INSERT INTO runs VALUES ($1, $2, NULL, 'running', $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        r.run_id,
        ts(r.started),
        r.git_commit,
        r.git_dirty,
        r.runtime,
        r.tfjs,
        r.backend,
        r.profile,
        r.experiments,
        r.data_root,
        r.params_json,
      ],
    );
  }

  async finishRun(runId: string, status: string, finished = new Date()): Promise<void> {
    await this.connection.run(
      "UPDATE runs SET finished = $1, status = $2 WHERE run_id = $3",
      [ts(finished), status, runId],
    );
  }

  private async append(table: string, rows: DuckDBValue[][]): Promise<void> {
    if (!rows.length) return;
    const app: DuckDBAppender = await this.connection.createAppender(table);
    try {
      for (const row of rows) {
        for (const v of row) {
          if (v === null || v === undefined) app.appendNull();
          else if (typeof v === "string") app.appendVarchar(v);
          else if (typeof v === "number") app.appendDouble(v);
          else if (typeof v === "boolean") app.appendBoolean(v);
          else app.appendValue(v);
        }
        app.endRow();
      }
      app.flushSync();
    } finally {
      app.closeSync();
    }
  }

  async addStageRun(r: StageRunRow): Promise<void> {
    await this.append("stage_runs", [[
      r.run_id,
      r.stage_id,
      r.stage,
      r.cache_key,
      r.status,
      r.reason,
      ts(r.started),
      ts(r.finished),
      (r.finished.getTime() - r.started.getTime()) / 1000,
      r.error ?? null,
    ]]);
  }

  async addMetrics(rows: readonly MetricDbRow[]): Promise<void> {
    await this.append(
      "metrics",
      rows.map((r) => [
        r.run_id,
        r.experiment,
        r.table_name,
        r.row_label,
        r.dataset,
        r.sequence,
        r.metric,
        r.value,
        r.x ?? null,
        r.seed === undefined || r.seed === null ? null : Math.trunc(r.seed),
        r.stage_id,
        r.cache_key,
      ]),
    );
  }

  async addCurves(rows: readonly CurveRow[]): Promise<void> {
    await this.append(
      "curves",
      rows.map((r) => [r.run_id, r.cache_key, r.stage_id, Math.trunc(r.step), r.name, r.value]),
    );
  }

  async hasCurves(cacheKey: string): Promise<boolean> {
    const r = await this.connection.runAndReadAll(
      "SELECT count(*) FROM curves WHERE cache_key = $1",
      [cacheKey],
    );
    return Number(r.getRows()[0][0]) > 0;
  }

  async addFigures(rows: readonly FigureRow[]): Promise<void> {
    await this.append(
      "figures",
      rows.map((r) => [r.run_id, r.experiment, r.name, r.path, r.caption]),
    );
  }

  /** Runs a query and returns rows as objects (numbers for numeric columns). */
  async query(sql: string, values: DuckDBValue[] = []): Promise<Record<string, unknown>[]> {
    const r = await this.connection.runAndReadAll(sql, values);
    return r.getRowObjectsJson() as Record<string, unknown>[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
