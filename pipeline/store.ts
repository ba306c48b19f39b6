/**
 * The results store: one DuckDB file, append-only history of runs, stage runs, metrics,
 * curves and figures. The schema (results_schema.ts) is versioned; {@linkcode ResultsStore.open}
 * applies pending migrations in order; every read is in results_query.ts. Rows are appended with DuckDB's appender and flushed at once, so a
 * crash loses nothing that was already recorded.
 *
 * DuckDB lets one process write a file, or several read it, never both. A run therefore does
 * not hold the file: it writes through a {@linkcode ResultsLog}, which opens the file, appends
 * what finished stages produced and closes it again, so `lrtl runs`, `lrtl report` and ad-hoc
 * queries can read while a run is in progress. Every open retries while another process holds
 * the file, for a while.
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
import {
  type CurveRow,
  type FigureRow,
  type MetricDbRow,
  MIGRATIONS,
  type RunRow,
  SCHEMA_VERSION,
  type StageRunRow,
} from "./results_schema.ts";

/** What a run writes into the results store (a {@linkcode ResultsStore} or a {@linkcode ResultsLog}). */
export interface ResultsWriter {
  beginRun(r: RunRow): Promise<void>;
  finishRun(runId: string, status: string, finished?: Date): Promise<void>;
  addStageRun(r: StageRunRow): Promise<void>;
  addMetrics(rows: readonly MetricDbRow[]): Promise<void>;
  addCurves(rows: readonly CurveRow[]): Promise<void>;
  addFigures(rows: readonly FigureRow[]): Promise<void>;
}

const ts = (d: Date) => timestampValue(BigInt(d.getTime()) * 1000n);

const recoveryHint = (path: string) =>
  `. If the file is damaged, move it aside (mv "${path}" "${path}.damaged"): the artifact ` +
  "cache keeps every result, and the next `lrtl run` records them again into a new file.";

/**
 * A 0-byte database file (a full disk or a kill during the first write leaves one) is not a
 * DuckDB file and holds no results: say so, and how to recover.
 */
async function checkDatabaseFile(path: string, readOnly: boolean): Promise<void> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      if (readOnly) {
        throw new Error(
          `No results database at "${path}": run \`lrtl run\` first (or pass --db / set LRTL_DB)`,
        );
      }
      return;
    }
    throw e;
  }
  if (st.isFile && st.size === 0) {
    throw new Error(
      `Results database "${path}" is empty (0 bytes: a full disk or a run killed while creating ` +
        `it leaves this) and holds no results. Remove it (rm "${path}") and rerun: the artifact ` +
        "cache is intact, so cached stages are not recomputed and their results are recorded again.",
    );
  }
}

/** An open results database. */
export class ResultsStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  /**
   * Opens (creating if needed) the database at `path` and migrates it to the current schema.
   * With `readOnly`, opens an existing file for reading only (several readers may share it).
   * While another process holds the file, retries for `waitMs` (default 60 s), telling
   * `onWait` once.
   */
  static async open(
    path: string,
    opts: { readOnly?: boolean; waitMs?: number; onWait?: (message: string) => void } = {},
  ): Promise<ResultsStore> {
    if (path !== ":memory:") {
      await checkDatabaseFile(path, !!opts.readOnly);
      if (!opts.readOnly) await Deno.mkdir(dirname(path), { recursive: true });
    }
    const deadline = Date.now() + (opts.waitMs ?? 60_000);
    let told = false;
    let instance: DuckDBInstance;
    for (let delay = 20;; delay = Math.min(500, delay * 2)) {
      try {
        instance = await DuckDBInstance.create(
          path,
          opts.readOnly ? { access_mode: "READ_ONLY" } : {},
        );
        break;
      } catch (e) {
        const msg = (e as Error).message;
        if (/Could not set lock|Conflicting lock/i.test(msg) && Date.now() < deadline) {
          if (!told) opts.onWait?.(`Waiting for the results database "${path}": ${msg}`);
          told = true;
          await new Promise((r) => setTimeout(r, delay));
          continue;
        }
        throw new Error(`Cannot open results database "${path}": ${msg}${recoveryHint(path)}`);
      }
    }
    const connection = await instance.connect();
    const store = new ResultsStore(instance, connection, path);
    if (opts.readOnly) {
      const v = await store.version().catch(() => 0);
      if (v < SCHEMA_VERSION) {
        // An older file: migrate it once (briefly writing), then read.
        store.close();
        (await ResultsStore.open(path, { waitMs: opts.waitMs })).close();
        return await ResultsStore.open(path, opts);
      }
      if (v > SCHEMA_VERSION) {
        store.close();
        throw new Error(
          `Results database "${path}" has schema version ${v}, newer than this code's ${SCHEMA_VERSION}; update lrtl`,
        );
      }
      return store;
    }
    try {
      await store.migrate();
    } catch (e) {
      store.close();
      throw e;
    }
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
      `INSERT INTO runs (run_id, started, finished, status, git_commit, git_dirty, runtime, tfjs,
         backend, profile, experiments, data_root, params_json, name, note, pid, host, proc_start,
         cache_dir, sweep_json)
       VALUES ($1, $2, NULL, 'running', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
         $16, $17, $18)`,
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
        r.name ?? null,
        r.note ?? null,
        r.pid ?? null,
        r.host ?? null,
        r.proc_start ?? null,
        r.cache_dir ?? null,
        r.sweep_json ?? null,
      ],
    );
  }

  /**
   * Marks a run that died without finishing (killed, crashed): status `status`, finished at its
   * last recorded stage (or its start).
   */
  async markDead(runId: string, status = "killed"): Promise<void> {
    await this.connection.run(
      `UPDATE runs SET status = $2, finished = coalesce(
         (SELECT max(finished) FROM stage_runs WHERE run_id = $1), started)
       WHERE run_id = $1`,
      [runId, status],
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

  async addFigures(rows: readonly FigureRow[]): Promise<void> {
    await this.append(
      "figures",
      rows.map((r) => [r.run_id, r.experiment, r.name, r.path, r.caption]),
    );
  }

  /** Runs ad-hoc SQL (tests, one-off questions) and returns rows as objects; the commands' own
   * reads are in results_query.ts. */
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

/**
 * The writer of a run: each write opens the database, appends and closes it again, so readers
 * get in between. Writes issued while a session is open are batched into the next session;
 * each promise resolves once its rows are committed.
 */
export class ResultsLog implements ResultsWriter {
  private queue: { op: (s: ResultsStore) => Promise<void>; done: (e?: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private closing = false;

  constructor(
    readonly path: string,
    private readonly opts: {
      waitMs?: number;
      onWait?: (message: string) => void;
      /** Keep the file open this long for more writes (default 150 ms). */
      lingerMs?: number;
      /** Close the file after this long even while writes keep coming (default 1 s). */
      maxOpenMs?: number;
    } = {},
  ) {}

  /** Opens the file once (creating and migrating it), so that a bad file fails the run early. */
  async check(): Promise<void> {
    await this.with(() => Promise.resolve());
  }

  /** Waits until every write is committed and the file is closed. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.flushing) await this.flushing;
    this.closing = false;
  }

  /** Runs `op` against the open database in the next session. */
  with(op: (s: ResultsStore) => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, done: (e) => (e === undefined ? resolve() : reject(e)) });
      this.flushing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    const linger = this.opts.lingerMs ?? 150;
    const maxOpen = this.opts.maxOpenMs ?? 1000;
    while (this.queue.length) {
      let store: ResultsStore;
      try {
        store = await ResultsStore.open(this.path, {
          waitMs: this.opts.waitMs ?? 600_000,
          onWait: this.opts.onWait,
        });
      } catch (e) {
        for (const b of this.queue.splice(0)) b.done(e);
        continue;
      }
      const opened = Date.now();
      try {
        // Keep the session while writes keep coming (a burst of cached stages), but never
        // longer than `maxOpen`: readers are waiting for the file.
        while (this.queue.length) {
          for (const b of this.queue.splice(0)) {
            try {
              await b.op(store);
              b.done();
            } catch (e) {
              b.done(e ?? new Error("write failed"));
            }
          }
          if (Date.now() - opened > maxOpen) break;
          for (let t = 0; t < linger && !this.queue.length && !this.closing; t += 10) {
            await new Promise((r) => setTimeout(r, 10));
          }
        }
      } finally {
        store.close();
      }
    }
    this.flushing = null;
  }

  beginRun(r: RunRow): Promise<void> {
    return this.with((s) => s.beginRun(r));
  }
  finishRun(runId: string, status: string, finished = new Date()): Promise<void> {
    return this.with((s) => s.finishRun(runId, status, finished));
  }
  addStageRun(r: StageRunRow): Promise<void> {
    return this.with((s) => s.addStageRun(r));
  }
  addMetrics(rows: readonly MetricDbRow[]): Promise<void> {
    return rows.length ? this.with((s) => s.addMetrics(rows)) : Promise.resolve();
  }
  addCurves(rows: readonly CurveRow[]): Promise<void> {
    return rows.length ? this.with((s) => s.addCurves(rows)) : Promise.resolve();
  }
  addFigures(rows: readonly FigureRow[]): Promise<void> {
    return rows.length ? this.with((s) => s.addFigures(rows)) : Promise.resolve();
  }
}

/**
 * Runs `fn` on a private copy of the database, so that a long reader (the report) holds the
 * file only for the copy. The copy is taken under a read-only open, so no writer is mid-write.
 */
export async function withSnapshot<T>(
  path: string,
  fn: (snapshotPath: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-db-" });
  const copy = `${dir}/results.duckdb`;
  try {
    const store = await ResultsStore.open(path, { readOnly: true });
    try {
      await Deno.copyFile(path, copy);
      await Deno.copyFile(`${path}.wal`, `${copy}.wal`).catch(() => {});
    } finally {
      store.close();
    }
    return await fn(copy);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
