import { DuckDBInstance } from "@duckdb/node-api";
import { assertEquals } from "../tests/_assert.ts";
import { listRuns, readMetrics, runAggregates } from "./results_query.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./results_schema.ts";
import { ResultsStore } from "./store.ts";
import { testRunRow } from "../tests/_run_row.ts";

Deno.test("store: a file of schema version 1 (older lrtl) is migrated and reads as before", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-store-" });
  const path = `${dir}/results.duckdb`;
  // What lrtl wrote before schema version 2: the first migration only, and rows in its columns.
  const old = await DuckDBInstance.create(path);
  const conn = await old.connect();
  await conn.run("CREATE TABLE schema_version (version INTEGER, applied TIMESTAMP)");
  await conn.run(MIGRATIONS[0]);
  await conn.run("INSERT INTO schema_version VALUES (1, current_timestamp)");
  await conn.run(
    `INSERT INTO runs VALUES ('old-run', TIMESTAMP '2025-01-01 10:00:00',
       TIMESTAMP '2025-01-01 10:30:00', 'ok', 'abc', false, 'deno 2', '4.22.0', 'wasm', 'smoke',
       'main', '/data', '{}')`,
  );
  await conn.run(
    `INSERT INTO metrics VALUES ('old-run', 'main', 'main_comparison', 'ours', 'synthetic', '',
       'J', 41.5, NULL, 0, 'evaluate/synthetic', 'k1')`,
  );
  conn.closeSync();
  old.closeSync();

  // A reader migrates it once (briefly writing), then reads.
  const store = await ResultsStore.open(path, { readOnly: true });
  try {
    assertEquals(await store.version(), SCHEMA_VERSION);
    const [run] = await listRuns(store.connection);
    assertEquals([run.runId, run.status, run.wallSeconds, run.name], ["old-run", "ok", 1800, null]);
    const [m] = await readMetrics(store.connection, "old-run");
    assertEquals([m.rowLabel, m.value, m.seed], ["ours", 41.5, 0]);
    assertEquals((await runAggregates(store.connection, "old-run"))[0].mean, 41.5);
  } finally {
    store.close();
  }
  // And a writer adds rows in the new columns.
  const writer = await ResultsStore.open(path);
  await writer.beginRun(
    testRunRow("new-run", { started: new Date("2025-02-01T00:00:00Z"), name: "named" }),
  );
  assertEquals((await listRuns(writer.connection)).map((r) => r.name), [null, "named"]);
  writer.close();
  await Deno.remove(dir, { recursive: true });
});
