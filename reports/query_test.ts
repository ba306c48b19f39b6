import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  createFixtureStore,
  FIXTURE_OLD_RUN,
  FIXTURE_RUN,
  insertRows,
  SCHEMA_V1_SQL,
} from "./_fixture.ts";
import { latestRunId, readCurves, readMetrics, readRun, readRunData } from "./query.ts";

Deno.test("query: latest finished run, run record, curves through stage_runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-report-query-" });
  const instance = await (async () => {
    await createFixtureStore(`${dir}/s.duckdb`, { figureDir: `${dir}/f`, curveSteps: 5 });
    return await DuckDBInstance.create(`${dir}/s.duckdb`, { access_mode: "READ_ONLY" });
  })();
  const conn = await instance.connect();
  try {
    assert.equal(await latestRunId(conn), FIXTURE_RUN); // the unfinished newer run is skipped
    const run = await readRun(conn, FIXTURE_RUN);
    assert.equal(run.wallSeconds, 2 * 3600 + 2 * 60 + 5);
    assert.equal(run.gitDirty, true);
    assert.equal(run.started, "2026-11-20 09:00:00");
    await assert.rejects(() => readRun(conn, "nope"), /no such run_id/);

    const curves = await readCurves(conn, FIXTURE_RUN);
    const keys = [...new Set(curves.map((c) => c.cacheKey))].sort();
    // k-train-1 was cached in this run (curve written by other runs, twice): read once.
    assert.deepEqual(keys, ["k-train-0", "k-train-1"]);
    assert.equal(curves.length, 2 * (5 * 4 + 1)); // 4 loss terms per step + val_J at step 0
    const oldCurves = await readCurves(conn, FIXTURE_OLD_RUN);
    assert.deepEqual([...new Set(oldCurves.map((c) => c.cacheKey))], ["k-train-old"]);

    const metrics = await readMetrics(conn, FIXTURE_RUN);
    assert.ok(metrics.length > 100);
    assert.ok(metrics.every((m) => typeof m.value === "number"));
    const data = await readRunData(conn, FIXTURE_RUN);
    assert.equal(data.figures.length, 1);
    assert.equal(data.stageRuns.length, 4);
  } finally {
    conn.closeSync();
    instance.closeSync();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("query: a store without finished runs is a clear error", async () => {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await conn.run(SCHEMA_V1_SQL);
    await insertRows(conn, "runs", [[
      "r1",
      "2026-01-01 00:00:00",
      null,
      "running",
      "",
      false,
      "",
      "",
      "",
      "",
      "",
      "",
      "{}",
    ]]);
    await assert.rejects(() => latestRunId(conn), /no finished run/);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});
