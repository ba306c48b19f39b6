/**
 * Pipeline overhead: `reproduce --profile smoke` into a fresh cache, then the same again —
 * the second run must execute no stage; its wall time is the pipeline's own overhead
 * (planning, hashing, cache checks, DuckDB), which the foundation issue wants under 2 s.
 * @module
 */
import { join } from "node:path";
import { runRequest } from "../experiments/driver/mod.ts";
import { LogProgress } from "../pipeline/mod.ts";
import { createApp } from "../stages/mod.ts";

export async function run(
  report: (name: string, value: number, unit: string, note?: string) => void,
) {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-bench-" });
  const app = await createApp();
  const req = {
    targets: ["reproduce"],
    profile: "smoke",
    dataRoot: join(dir, "no-data"),
    cacheDir: join(dir, "cache"),
    dbPath: join(dir, "results.duckdb"),
    jobs: 1,
    dryRun: false,
    force: [],
    layers: [],
  };
  const quiet = { progress: new LogProgress(() => {}), log: () => {} };
  let t0 = performance.now();
  const first = await runRequest(req, app, quiet);
  report(
    "reproduce smoke, cold cache",
    (performance.now() - t0) / 1000,
    "s",
    `${first.summary.ran} instances ran`,
  );
  t0 = performance.now();
  const second = await runRequest(req, app, quiet);
  const s = (performance.now() - t0) / 1000;
  report(
    "reproduce smoke, second run (pipeline overhead)",
    s,
    "s",
    `${second.summary.ran} ran, ${second.summary.cached} cached; target < 2 s`,
  );
  await Deno.remove(dir, { recursive: true });
}
