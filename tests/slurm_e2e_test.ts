/**
 * End to end on a real Slurm (brought up by `tests/slurm/start_slurm.sh`): a smoke sweep run
 * with `--executor slurm` records exactly the metrics of the same sweep with `--executor local`;
 * re-running it submits nothing; a failing array task is resubmitted once, then reported with
 * its log path. Without a reachable Slurm the tests are ignored with the reason printed — except
 * under `CI=true`, where they fail (CI must not skip them).
 */
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { lrtl } from "./_lrtl.ts";

const SWEEP = ["motion_tracks", "sweep_rank", "--profile", "smoke", "--set", "train.steps=3"];

/** Why Slurm cannot be used here, or null when `sinfo` shows a node that takes jobs. */
async function slurmUnavailable(): Promise<string | null> {
  try {
    const out = await new Deno.Command("sinfo", {
      args: ["--noheader", "--format=%T"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    if (!out.success) return `sinfo failed: ${dec.decode(out.stderr).trim()}`;
    const states = dec.decode(out.stdout).trim();
    return /idle|mixed|allocated|completing/.test(states)
      ? null
      : `no Slurm node takes jobs (sinfo states: "${states || "none"}")`;
  } catch (e) {
    return `sinfo cannot run (${
      (e as Error).message
    }); start Slurm with tests/slurm/start_slurm.sh`;
  }
}

const unavailable = await slurmUnavailable();
const inCi = Deno.env.get("CI") === "true";
if (unavailable && !inCi) console.log(`slurm e2e tests skipped: ${unavailable}`);

/** Fails the test in CI when Slurm is not there (ignored elsewhere). */
function requireSlurm() {
  if (unavailable) throw new Error(`Slurm is not reachable in CI: ${unavailable}`);
}

/** The metrics of each run in a results database, as sorted JSON per run id. */
async function metricsByRun(db: string): Promise<Map<string, string>> {
  const { ResultsStore } = await import("../pipeline/mod.ts");
  const store = await ResultsStore.open(db);
  try {
    const rows = await store.query(
      `SELECT run_id, table_name, row_label, dataset, sequence, metric, value FROM metrics
       ORDER BY run_id, table_name, row_label, dataset, sequence, metric, value`,
    );
    const out = new Map<string, unknown[]>();
    for (const { run_id, ...r } of rows) {
      out.set(String(run_id), [...(out.get(String(run_id)) ?? []), r]);
    }
    return new Map([...out].map(([k, v]) => [k, JSON.stringify(v)]));
  } finally {
    store.close();
  }
}

Deno.test({
  name: "slurm e2e: --executor slurm records the same metrics as local; a re-run submits nothing",
  ignore: unavailable !== null && !inCi,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireSlurm();
    const dir = await Deno.makeTempDir({ prefix: "lrtl-slurm-" });
    try {
      const at = (
        name: string,
      ) => ["--cache-dir", join(dir, name), "--db", join(dir, `${name}.duckdb`)];
      const slurm = await lrtl(["run", ...SWEEP, "--executor", "slurm", ...at("slurm")]);
      assertEquals(slurm.code, 0, slurm.text);
      assert(/slurm: submitted job \d+: \d+ task\(s\) of train/.test(slurm.text), slurm.text);
      const local = await lrtl(["run", ...SWEEP, "--executor", "local", ...at("local")]);
      assertEquals(local.code, 0, local.text);

      const [slurmRuns, localRuns] = [
        await metricsByRun(join(dir, "slurm.duckdb")),
        await metricsByRun(join(dir, "local.duckdb")),
      ];
      assertEquals(slurmRuns.size, 1);
      const [slurmRows] = [...slurmRuns.values()];
      const [localRows] = [...localRuns.values()];
      assert(JSON.parse(slurmRows).length >= 16, `metrics were recorded: ${slurmRows}`);
      assert(slurmRows.includes('"table_name":"sweep_rank"'), "the sweep's metrics are there");
      assertEquals(slurmRows, localRows);

      // Everything is cached now: nothing is submitted, no new log or batch file appears.
      const logDir = join(dir, "slurm", "slurm");
      const files = async () => (await Array.fromAsync(Deno.readDir(logDir))).length;
      const before = await files();
      const again = await lrtl(["run", ...SWEEP, "--executor", "slurm", ...at("slurm")]);
      assertEquals(again.code, 0, again.text);
      assert(/Nothing to do: all \d+ stage instances are up to date/.test(again.text), again.text);
      assert(!again.text.includes("slurm: submitted"), again.text);
      assertEquals(await files(), before);
      // The re-run's merge of the cached per-task results adds the same rows, once, under its run.
      const runs = await metricsByRun(join(dir, "slurm.duckdb"));
      assertEquals(runs.size, 2);
      for (const rows of runs.values()) assertEquals(rows, slurmRows);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "slurm e2e: a failing array task is resubmitted once, then reported with its log path",
  ignore: unavailable !== null && !inCi,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    requireSlurm();
    const { slurmExecutor } = await import("../experiments/driver/mod.ts");
    const dir = await Deno.makeTempDir({ prefix: "lrtl-slurm-fail-" });
    const lines: string[] = [];
    try {
      const executor = await slurmExecutor({
        req: {
          targets: ["motion_tracks"],
          profile: "smoke",
          dataRoot: join(dir, "data"),
          cacheDir: join(dir, "cache"),
          dbPath: join(dir, "r.duckdb"),
          jobs: 1,
          dryRun: false,
          force: [],
          layers: [],
        },
        slurm: { retries: 1 },
        log: (l) => lines.push(l),
        windowMs: 100,
        pollMs: 500,
      });
      // An instance of a stage the worker does not have: `lrtl run-stage` exits 1 in both
      // attempts.
      const inst = { id: "no_such_stage/synthetic", stage: { name: "no_such_stage" } };
      const key = "0".repeat(64);
      let error: Error | null = null;
      try {
        // deno-lint-ignore no-explicit-any
        await executor.delegate!(inst as any, {
          key,
          task: {
            id: inst.id,
            stage: inst.stage.name,
            scope: { dataset: "synthetic" },
            params: {},
            inputs: {},
            key,
            cacheDir: join(dir, "cache"),
            stageEnv: {},
          },
          progress: () => {},
          log: () => {},
        });
      } catch (e) {
        error = e as Error;
      }
      await executor.close();
      assert(error, "the delegate rejects");
      assert(
        /^Slurm task \d+_0 FAILED \(exit 1:0\).*; log: \S+\/slurm\/\d+_0\.log/.test(error.message),
        error.message,
      );
      assert(
        error.message.includes('Unknown stage "no_such_stage" in the task of instance'),
        error.message,
      );
      assertEquals(lines.filter((l) => l.includes("resubmitting")).length, 1, lines.join("\n"));
      assertEquals(lines.filter((l) => l.startsWith("slurm: submitted job")).length, 2);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
