/**
 * The engine around a run: readers (`lrtl runs`, `lrtl status`, queries) get in while a run is in
 * progress; runs a killed process left `running` are marked; a damaged database file is named.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { testRunRow } from "./_run_row.ts";
import { lrtl as runLrtl } from "./_lrtl.ts";
import { defineStage, ResultsLog, ResultsStore, SilentProgress } from "../pipeline/mod.ts";
import { type App, type RunRequest, runRequest } from "../experiments/driver/mod.ts";
import type { PipelineParams } from "../stages/params.ts";

/** The CLI once, killed after two minutes. */
const lrtl = (args: string[], timeoutMs = 120_000) => runLrtl(args, { timeoutMs });

/** An app with one light stage that waits for `gate` (a run in progress). */
function holdingApp(gate: Promise<void>, started: () => void): App {
  const hold = defineStage({
    name: "hold",
    description: "waits until the test lets it finish",
    module: import.meta.url,
    scope: "dataset",
    params: ["data.seed"],
    inputs: [],
    async run(ctx) {
      started();
      await gate;
      ctx.metrics([{ metric: "J", value: 42 }]);
    },
  });
  return {
    stages: [hold],
    discovery: { select: () => Promise.resolve([{ name: "synthetic", sequences: [] }]) },
    env: { runtime: "test" },
  };
}

function request(dir: string): RunRequest {
  return {
    targets: ["hold"],
    profile: "smoke",
    dataRoot: join(dir, "data"),
    cacheDir: join(dir, "cache"),
    dbPath: join(dir, "r.duckdb"),
    jobs: 1,
    dryRun: false,
    force: [],
    layers: [],
    name: "holding",
  };
}

Deno.test("engine: during a run, lrtl runs reads the database and lrtl status takes no lock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-engine-" });
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let started!: () => void;
  const inStage = new Promise<void>((r) => (started = r));
  const req = request(dir);
  const run = runRequest(req, holdingApp(gate, started), {
    progress: new SilentProgress(),
    log: () => {},
  });
  try {
    await inStage;
    // The run holds the cache lock and is mid-stage.
    const runs = await lrtl(["runs", "--db", req.dbPath]);
    assertEquals(runs.code, 0, runs.text);
    assert(/holding\s+smoke\s+\S+\s+running/.test(runs.text), runs.text);
    const status = await lrtl([
      "status",
      "frames",
      "--profile",
      "smoke",
      "--datasets",
      "synthetic",
      "--cache-dir",
      req.cacheDir,
      "--db",
      req.dbPath,
    ], 60_000);
    assertEquals(status.code, 0, status.text);
    assert(/stale\s+frames\/synthetic\/triangle/.test(status.text), status.text);
    assert(!/Waiting/.test(status.text), status.text);
  } finally {
    open();
    await run;
  }
  const store = await ResultsStore.open(req.dbPath, { readOnly: true });
  const rows = await store.query("SELECT status FROM runs");
  store.close();
  assertEquals(rows.map((r) => r.status), ["ok"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("engine: a run a killed process left `running` is marked killed by the next run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-engine-" });
  const req = request(dir);
  // A process that has exited: its pid is free.
  const gone = new Deno.Command("true").spawn();
  await gone.status;
  const log = new ResultsLog(req.dbPath);
  await log.beginRun(testRunRow("dead-run", {
    started: new Date(Date.now() - 60_000),
    runtime: "test",
    pid: gone.pid,
    host: (await import("node:os")).hostname(),
    cache_dir: join(dir, "elsewhere"),
  }));
  await log.close();
  let before = await lrtl(["runs", "--db", req.dbPath]);
  assert(/dead-run .* dead /.test(before.text), before.text);
  const lines: string[] = [];
  await runRequest(req, holdingApp(Promise.resolve(), () => {}), {
    progress: new SilentProgress(),
    log: (l) => lines.push(l),
  });
  assert(
    lines.some((l) => /Run dead-run was left "running" .* marked killed/.test(l)),
    lines.join("\n"),
  );
  before = await lrtl(["runs", "--db", req.dbPath]);
  assert(/dead-run .* killed /.test(before.text), before.text);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("store: a 0-byte database file (full disk) is named with how to recover", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-engine-" });
  const db = join(dir, "r.duckdb");
  await Deno.writeFile(db, new Uint8Array());
  await assertRejects(
    () => ResultsStore.open(db),
    `Results database "${db}" is empty (0 bytes`,
  );
  const r = await lrtl([
    "run",
    "frames",
    "--profile",
    "smoke",
    "--datasets",
    "synthetic",
    "--cache-dir",
    join(dir, "c"),
    "--db",
    db,
  ]);
  assertEquals(r.code, 1, r.text);
  assert(r.text.includes(`Remove it (rm "${db}") and rerun`), r.text);
  await Deno.remove(db);
  const again = await lrtl([
    "run",
    "frames",
    "--profile",
    "smoke",
    "--datasets",
    "synthetic",
    "--cache-dir",
    join(dir, "c"),
    "--db",
    db,
  ]);
  assertEquals(again.code, 0, again.text);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("engine: an empty lock file left by a full disk does not hang run or status", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-engine-" });
  const cache = join(dir, "c");
  await Deno.mkdir(cache, { recursive: true });
  const lock = join(cache, "lock");
  await Deno.writeTextFile(lock, "");
  const old = new Date(Date.now() - 3600_000);
  await Deno.utime(lock, old, old);
  const args = [
    "frames",
    "--profile",
    "smoke",
    "--datasets",
    "synthetic",
    "--cache-dir",
    cache,
    "--db",
    join(dir, "r.duckdb"),
  ];
  const status = await lrtl(["status", ...args], 60_000);
  assertEquals(status.code, 0, status.text);
  const run = await lrtl(["run", ...args], 60_000);
  assertEquals(run.code, 0, run.text);
  assert(run.text.includes(`Taking over a stale lock: lock file ${lock} is empty`), run.text);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("engine: --sweep runs the cartesian product, one row per point, cached per point", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-engine-" });
  let runs = 0;
  const score = defineStage<PipelineParams>({
    name: "score",
    description: "a metric from two params",
    module: import.meta.url,
    scope: "dataset",
    params: ["loss.rank", "model.k"],
    inputs: [],
    run(ctx) {
      runs++;
      ctx.metrics([{
        metric: "J",
        value: 10 * ctx.param("loss.rank") + ctx.param("model.k"),
      }]);
      return Promise.resolve();
    },
  });
  const app: App = {
    stages: [score],
    discovery: { select: () => Promise.resolve([{ name: "synthetic", sequences: [] }]) },
    env: { runtime: "test" },
  };
  const req = { ...request(dir), targets: ["score"] };
  const { parseSweep } = await import("../experiments/driver/mod.ts");
  const quiet = { progress: new SilentProgress(), log: () => {} };
  const first = await runRequest(
    { ...req, sweep: [parseSweep("loss.rank=2,3,4"), parseSweep("model.k=3,4")] },
    app,
    quiet,
  );
  assertEquals([first.summary.ran, runs], [6, 6]);
  const second = await runRequest(
    { ...req, name: "more", sweep: [parseSweep("loss.rank=4,5"), parseSweep("model.k=4")] },
    app,
    quiet,
  );
  assertEquals([second.summary.ran, second.summary.cached], [1, 1], "the shared point is cached");
  const store = await ResultsStore.open(req.dbPath, { readOnly: true });
  const rows = await store.query(
    `SELECT row_label, value FROM metrics WHERE run_id = $1 AND table_name = 'sweep' ORDER BY ALL`,
    [first.runId],
  );
  const sweeps = await store.query("SELECT sweep_json FROM runs ORDER BY started");
  store.close();
  assertEquals(rows.map((r) => `${r.row_label}: ${r.value}`), [
    "loss.rank=2, model.k=3: 23",
    "loss.rank=2, model.k=4: 24",
    "loss.rank=3, model.k=3: 33",
    "loss.rank=3, model.k=4: 34",
    "loss.rank=4, model.k=3: 43",
    "loss.rank=4, model.k=4: 44",
  ]);
  assertEquals(JSON.parse(String(sweeps[1].sweep_json)), [
    { key: "loss.rank", values: [4, 5] },
    { key: "model.k", values: [4] },
  ]);
  const cmp = await lrtl(["compare", first.runId, "more", "--db", req.dbPath]);
  assertEquals(cmp.code, 0, cmp.text);
  assert(
    /sweep\s+loss\.rank=2,3,4 × model\.k=3,4\s+loss\.rank=4,5 × model\.k=4/.test(cmp.text),
    cmp.text,
  );
  assert(
    /sweep\s+loss\.rank=5, model\.k=4\s+synthetic\s+J\s+—\s+54\.00\s+—/.test(cmp.text),
    cmp.text,
  );
  // A bad value is named with the point it came from, before any work.
  await assertRejects(
    () => runRequest({ ...req, sweep: [parseSweep("loss.rank=3,0")] }, app, quiet),
    'Param "loss.rank" (in --sweep point loss.rank=0): expected a value ≥ 1',
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("engine: a requested dataset that cannot be found is an error naming what and where", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-engine-" });
  const common = [
    "--profile",
    "smoke",
    "--cache-dir",
    join(dir, "c"),
    "--db",
    join(dir, "r.duckdb"),
  ];
  let r = await lrtl(["run", "main", "--data-root", "/nonexistent", ...common]);
  assertEquals(r.code, 1, r.text);
  assert(r.text.includes('The data root "/nonexistent" does not exist'), r.text);
  r = await lrtl(["run", "frames", "--datasets", "davis2061", ...common]);
  assertEquals(r.code, 1, r.text);
  assert(
    r.text.includes('Unknown dataset "davis2061"') && r.text.includes('did you mean "davis2016"'),
    r.text,
  );
  const root = join(dir, "root");
  await Deno.mkdir(join(root, "davis2016", "JPEGImages", "480p", "blackswan"), { recursive: true });
  r = await lrtl(["run", "frames", "--datasets", "davis2016", "--data-root", root, ...common]);
  assertEquals(r.code, 1, r.text);
  assert(
    r.text.includes(
      `"${join(root, "davis2016")}" is not a davis2016 layout: missing Annotations/480p/`,
    ),
    r.text,
  );
  await Deno.remove(join(root, "davis2016"), { recursive: true });
  r = await lrtl(["status", "main", "--datasets", "davis2016", "--data-root", root, ...common]);
  assertEquals(r.code, 1, r.text);
  assert(
    r.text.includes(`Dataset "davis2016" not found under "${root}": looked for davis2016/`),
    r.text,
  );
  assert(!/Nothing to do/.test(r.text), r.text);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli: --version, the environment variables in --help, params with docs and profiles", async () => {
  const v = await lrtl(["--version"]);
  assertEquals(v.code, 0, v.text);
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assertEquals(v.text.trim(), denoJson.version);
  const help = await lrtl(["--help"]);
  for (const name of ["LRTL_DATA_ROOT", "LRTL_CACHE", "LRTL_DB", "LRTL_FLOW_SHIM", "LRTL_DEBUG"]) {
    assert(help.text.includes(name), `${name} in --help:\n${help.text}`);
  }
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  for (const name of ["LRTL_DATA_ROOT", "LRTL_CACHE", "LRTL_DB", "LRTL_FLOW_SHIM", "LRTL_DEBUG"]) {
    assert(readme.includes(name), `${name} in the README`);
  }
  const params = await lrtl(["list", "params"]);
  // columns: default, smoke, small, small/synthetic (its per-dataset layer), full
  assert(/small\/synthetic/.test(params.text), params.text);
  assert(/loss\.rank\s+5\s+·\s+·\s+·\s+·\s+≥1 ≤64\s+rank r of Lt/.test(params.text), params.text);
  assert(/train\.steps\s+150\s+12\s+1200\s+300\s+20000/.test(params.text), params.text);
  assert(/loss\.lambdaTrajectory .* weight λt of Lt/.test(params.text), params.text);
});

Deno.test("verify: a same-size corruption with the mtime restored is found by lrtl verify and rebuilt", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-engine-" });
  const args = [
    "frames",
    "--profile",
    "smoke",
    "--datasets",
    "synthetic",
    "--cache-dir",
    join(dir, "c"),
    "--db",
    join(dir, "r.duckdb"),
  ];
  assertEquals((await lrtl(["run", ...args])).code, 0);
  // Damage one byte of a cached frame, same size, mtime put back.
  const { Cache } = await import("../pipeline/mod.ts");
  const cache = new Cache(join(dir, "c"));
  const rec = (await cache.records()).find((r) => r.id === "frames/synthetic/triangle")!;
  const adir = cache.objectDir(rec.key);
  const manifest = JSON.parse(await Deno.readTextFile(join(adir, ".manifest.json")));
  const victim = manifest.files.find((f: { size: number }) => f.size > 100);
  const path = join(adir, victim.path);
  const st = await Deno.stat(path);
  const bytes = await Deno.readFile(path);
  bytes[bytes.length >> 1] ^= 0xff;
  await Deno.chmod(path, 0o644).catch(() => {});
  await Deno.writeFile(path, bytes);
  await Deno.utime(path, st.atime!, st.mtime!);
  // The daily fast path does not notice (a stat per file)…
  assert(/Nothing to do/.test((await lrtl(["run", ...args])).text));
  // …lrtl verify does, names the file and removes the artifact…
  const v = await lrtl(["verify", ...args]);
  assertEquals(v.code, 1, v.text);
  assert(
    v.text.includes(`CORRUPTED frames/synthetic/triangle: file ${victim.path} hash mismatch`),
    v.text,
  );
  assert(/Removed 1 corrupted artifact/.test(v.text), v.text);
  // …so the next run rebuilds it, and verify is clean again.
  const again = await lrtl(["run", ...args]);
  assert(/frames\/synthetic\/triangle ran/.test(again.text), again.text);
  const clean = await lrtl(["verify", ...args]);
  assertEquals(clean.code, 0, clean.text);
  assert(/Verified 3 cached artifact\(s\) in full: all intact/.test(clean.text), clean.text);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("engine: `lrtl run-stage` with a tampered key fails loudly, naming both keys", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-engine-" });
  const { baseParams } = await import("../experiments/driver/mod.ts");
  const cacheDir = join(dir, "cache");
  const sent = "f".repeat(64);
  const taskFile = join(dir, "task.json");
  await Deno.writeTextFile(
    taskFile,
    JSON.stringify({
      id: "synthesize/synthetic",
      stage: "synthesize",
      scope: { dataset: "synthetic" },
      params: baseParams({ profile: "smoke", layers: [] }),
      inputs: {},
      key: sent,
      cacheDir,
      stageEnv: { dataRoot: join(dir, "data"), cacheDir },
    }),
  );
  const r = await lrtl(["run-stage", "--task", taskFile]);
  assertEquals(r.code, 1, r.text);
  assert(
    new RegExp(
      `synthesize/synthetic: this process computes the cache key [0-9a-f]{64}, the driver sent ${sent}`,
    ).test(r.text),
    r.text,
  );
  assert(!(await Deno.stat(join(cacheDir, "objects", "ff")).then(() => true, () => false)));
  await Deno.remove(dir, { recursive: true });
});
