import { join } from "node:path";
import { assert, assertEquals } from "../tests/_assert.ts";
import { ResultsStore } from "../pipeline/mod.ts";
import { checkCommand, compare, policy } from "./check.ts";
import { testRunRow } from "../tests/_run_row.ts";

async function fixtureRun(dbPath: string, runId: string, j: number) {
  const store = await ResultsStore.open(dbPath);
  await store.beginRun(testRunRow(runId));
  const m = (metric: string, value: number, row = "Lf+Lt+Lr (ours)", sequence = "") => ({
    run_id: runId,
    experiment: "main",
    table_name: "main_comparison",
    row_label: row,
    dataset: "synthetic",
    sequence,
    metric,
    value,
    stage_id: "evaluate/synthetic",
    cache_key: "k",
  });
  await store.addMetrics([
    m("J", j),
    m("J", j - 10, "Lf+Lt+Lr (ours)", "triangle"),
    m("epe", 1.0, "dis"),
  ]);
  await store.finishRun(runId, "ok");
  store.close();
}

Deno.test("check: passes on the baseline's own run, fails on a worsened metric, reports both", async () => {
  const dir = await Deno.makeTempDir();
  const db = join(dir, "r.duckdb");
  const logs: string[] = [];
  const log = (s: string) => logs.push(s);
  await fixtureRun(db, "run-a", 60);
  assertEquals(
    await checkCommand({
      dbPath: db,
      runId: "run-a",
      update: "first baselines",
      baselineDir: dir,
      log,
    }),
    0,
  );
  assertEquals(await checkCommand({ dbPath: db, runId: "run-a", baselineDir: dir, log }), 0);
  await fixtureRun(db, "run-b", 50); // J dropped by 10 points
  assertEquals(await checkCommand({ dbPath: db, runId: "run-b", baselineDir: dir, log }), 1);
  assert(
    logs.some((l) =>
      /regressed\s+main_comparison \| Lf\+Lt\+Lr \(ours\) \| synthetic \| J\s+60\.000\s+50\.000/
        .test(l)
    ),
    logs.join("\n"),
  );
  const file = JSON.parse(await Deno.readTextFile(join(dir, "smoke.json")));
  assertEquals(file.history[0].why, "first baselines");
  assertEquals(file.entries.length, 2, "aggregates only (per-sequence rows are not guarded)");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("check: directions and tolerances", () => {
  const e = { table: "t", row: "r", dataset: "d", metric: "J", value: 50, ...policy("J", 50) };
  const at = (v: number) => compare([e], new Map([["t | r | d | J", v]]))[0].status;
  assertEquals([at(49), at(46), at(54), at(NaN)], ["ok", "regressed", "improved", "missing"]);
  const epe = { ...e, metric: "epe", value: 2, ...policy("epe", 2) };
  assertEquals(compare([epe], new Map([["t | r | d | epe", 2.5]]))[0].status, "regressed");
});
