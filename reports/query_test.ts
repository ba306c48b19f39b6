import assert from "node:assert/strict";
import { createFixtureStore, FIXTURE_OLD_RUN, FIXTURE_RUN } from "./_fixture.ts";
import {
  latestRunId,
  readCurves,
  readMetrics,
  readRun,
  readRunData,
} from "../pipeline/results_query.ts";
import { ResultsStore } from "../pipeline/store.ts";
import { testRunRow } from "../tests/_run_row.ts";

Deno.test("query: latest finished run, run record, curves through stage_runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-report-query-" });
  const store = await createFixtureStore({ figureDir: `${dir}/f`, curveSteps: 5 });
  const conn = store.connection;
  try {
    assert.equal(await latestRunId(conn), FIXTURE_RUN); // the unfinished newer run is skipped
    assert.equal(await latestRunId(conn, { profile: "quick" }), FIXTURE_OLD_RUN);
    await assert.rejects(() => latestRunId(conn, { profile: "smoke" }), /of profile smoke/);
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
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("query: a store without finished runs is a clear error", async () => {
  const store = await ResultsStore.open(":memory:");
  try {
    await store.beginRun(testRunRow("r1"));
    await assert.rejects(() => latestRunId(store.connection), /No finished run/);
  } finally {
    store.close();
  }
});
