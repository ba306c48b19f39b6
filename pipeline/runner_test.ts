import { join } from "node:path";
import { assert, assertEquals } from "../tests/_assert.ts";
import { runToy, square, toyStages } from "../tests/fixtures/toy_pipeline.ts";
import { Cache } from "./cache.ts";
import { resetCodeHashes } from "./code_hash.ts";
import { describeReason, type RunSummary } from "./runner.ts";
import { ResultsStore } from "./store.ts";
import { SCHEMA_VERSION } from "./results_schema.ts";

const statusOf = (s: RunSummary) =>
  Object.fromEntries(
    [...s.results.values()].map((r) => [r.id, `${r.status}: ${describeReason(r.reason)}`]),
  );

async function tmp(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "lrtl-runner-" });
}

Deno.test("runner: first run builds everything, second is all cache hits", async () => {
  const dir = await tmp();
  const first = await runToy(dir);
  assertEquals([first.ran, first.cached, first.failed], [5, 0, 0]);
  assertEquals(statusOf(first)["numbers/a"], "ran: no record");
  const second = await runToy(dir);
  assertEquals([second.ran, second.cached], [0, 5]);
  assertEquals(statusOf(second)["total"], "cached: up to date");
  const total = second.results.get("total")!;
  assertEquals(
    await Deno.readTextFile(join(total.dir!, "total.txt")),
    String(total.metrics[0].value),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runner: a param change invalidates exactly its dependents, with the reason", async () => {
  const dir = await tmp();
  await runToy(dir);
  const dry = await runToy(dir, { "toy.scale": 2 }, { dryRun: true });
  assertEquals(statusOf(dry)["numbers/a"], "cached: up to date");
  assertEquals(statusOf(dry)["square/a"], "stale: param toy.scale changed");
  assertEquals(statusOf(dry)["total"], "stale: input square/a will be rebuilt");
  const run = await runToy(dir, { "toy.scale": 2 });
  assertEquals([run.ran, run.cached], [3, 2]);
  const back = await runToy(dir);
  assertEquals(back.ran, 0, "going back to the old params hits the cache");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runner: an upstream content change invalidates downstream (input … changed)", async () => {
  const dir = await tmp();
  await runToy(dir);
  // forcing numbers with a new seed via --force-like override of the same instance id is not
  // possible; instead change numbers' output by changing its param and check square's reason
  const cache = new Cache(dir);
  const rec = (await cache.readRecord("square/a"))!;
  rec.inputs["numbers/a"] = "different";
  await cache.writeRecord(rec);
  await cache.evict(rec.key); // the artifact for the old inputs is gone too
  const run = await runToy(dir);
  assertEquals(statusOf(run)["square/a"], "ran: input numbers/a changed");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runner: a code change reruns the stage, naming the file (code changed)", async () => {
  const dir = await tmp();
  const modDir = await tmp();
  await Deno.mkdir(join(modDir, "stages"));
  const mod = join(modDir, "stages", "stage_code.ts");
  await Deno.writeTextFile(mod, "export const version = 1;\n");
  const edited = { ...square, module: `file://${mod}` };
  const stages = toyStages.map((s) => (s.name === "square" ? edited : s));
  await runToy(dir, {}, { stages });
  await Deno.writeTextFile(mod, "export const version = 2;\n");
  resetCodeHashes();
  const run = await runToy(dir, {}, { stages });
  assertEquals(statusOf(run)["square/a"], "ran: code changed (stages/stage_code.ts)");
  assertEquals(statusOf(run)["numbers/a"], "cached: up to date");
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(modDir, { recursive: true });
});

Deno.test("runner: a corrupted cached artifact is detected and rebuilt", async () => {
  const dir = await tmp();
  const first = await runToy(dir);
  const nums = first.results.get("numbers/a")!;
  const file = join(nums.dir!, "numbers.json");
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(file, text.replace(/\d/, (d) => String((Number(d) + 1) % 10))); // same size
  const run = await runToy(dir);
  assert(
    /ran: output corrupted \(file numbers.json hash mismatch/.test(statusOf(run)["numbers/a"]),
    statusOf(run)["numbers/a"],
  );
  assertEquals(await Deno.readTextFile(file), text, "rebuilt with the right content");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runner: --force reruns a stage even when up to date", async () => {
  const dir = await tmp();
  await runToy(dir);
  const run = await runToy(dir, {}, { force: new Set(["square"]) });
  assertEquals(statusOf(run)["square/a"], "ran: forced");
  assertEquals(run.ran, 2);
  await Deno.remove(dir, { recursive: true });
});

const toyCmd = (args: string[]) =>
  new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../tests/fixtures/toy_pipeline.ts", import.meta.url).pathname,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  });

Deno.test("runner: a stage killed mid-write leaves nothing that looks complete; the rerun redoes it", async () => {
  const dir = await tmp();
  const child = toyCmd([dir, "-", "5", "60000"]).spawn();
  // wait until the stage has written its partial output
  const deadline = Date.now() + 30_000;
  let partial = false;
  while (!partial && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      for await (const e of Deno.readDir(join(dir, "tmp"))) {
        if (e.name.endsWith(".incomplete")) partial = true;
      }
    } catch { /* not yet */ }
  }
  assert(partial, "stage started");
  child.kill("SIGKILL");
  await child.output();
  const cache = new Cache(dir);
  assertEquals(await cache.records(), [], "no instance recorded as done");
  let objects = 0;
  for await (const _ of Deno.readDir(join(dir, "objects"))) objects++;
  assertEquals(objects, 0, "no artifact in objects/");
  const run = await runToy(dir, { "toy.n": 5 });
  assertEquals(statusOf(run)["numbers/a"], "ran: no record");
  assertEquals(run.failed, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runner: two concurrent runs on one cache both succeed and agree", async () => {
  const dir = await tmp();
  const [a, b] = await Promise.all([
    toyCmd([dir, "-", "7", "300"]).output(),
    toyCmd([dir, "-", "7", "300"]).output(),
  ]);
  const ra = JSON.parse(new TextDecoder().decode(a.stdout));
  const rb = JSON.parse(new TextDecoder().decode(b.stdout));
  assertEquals(
    ra.failed + rb.failed,
    0,
    new TextDecoder().decode(a.stderr) + new TextDecoder().decode(b.stderr),
  );
  assertEquals(ra.ran + rb.ran, 5, "the second waited for the lock and found everything cached");
  assertEquals(ra.cached + rb.cached, 5);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("store: stage runs and metrics survive a reopen; schema is versioned", async () => {
  const dir = await tmp();
  const dbPath = join(dir, "results.duckdb");
  const store = await ResultsStore.open(dbPath);
  await runToy(join(dir, "cache"), {}, { store });
  store.close();
  const again = await ResultsStore.open(dbPath);
  assertEquals(await again.version(), SCHEMA_VERSION);
  const rows = await again.query(
    "SELECT stage_id, status, reason FROM stage_runs ORDER BY stage_id",
  );
  assertEquals(rows.map((r) => `${r.stage_id} ${r.status} ${r.reason}`), [
    "numbers/a ran no record",
    "numbers/bb ran no record",
    "square/a ran no record",
    "square/bb ran no record",
    "total ran no record",
  ]);
  again.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runner: a work folder is used by one process at a time; the second waits for it", async () => {
  const dir = await tmp();
  const dry = await runToy(dir, {}, { dryRun: true });
  const key = dry.results.get("numbers/a")!.key;
  const cache = new Cache(dir);
  // Another process is building numbers/a (a worker left behind by a killed driver).
  const { acquireLock } = await import("./lock.ts");
  const other = await acquireLock(`${cache.workDir(key)}.lock`, { command: "other worker" });
  const lines: string[] = [];
  let done = false;
  const run = runToy(dir, {}, { log: (l) => lines.push(l) }).finally(() => (done = true));
  await new Promise((r) => setTimeout(r, 1500));
  assert(!done, "waits for the work folder");
  assert(
    lines.some((l) => l.includes(`lock file ${cache.workDir(key)}.lock is held by pid`)),
    lines.join("\n"),
  );
  other.release();
  const summary = await run;
  assertEquals(summary.failed, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runner: an instance whose key differs from the one the driver sent fails loudly", async () => {
  const dir = await tmp();
  const key = (await runToy(dir)).results.get("square/a")!.key;
  const ok = await runToy(dir, {}, { expectKeys: new Map([["square/a", key]]) });
  assertEquals(ok.failed, 0);
  const bad = await runToy(dir, { "toy.scale": 3 }, { expectKeys: new Map([["square/a", key]]) });
  const r = bad.results.get("square/a")!;
  assertEquals(r.status, "failed");
  assertEquals(r.reason.kind, "key mismatch");
  assert(/the driver sent/.test(r.error!.message), r.error!.message);
  assertEquals(bad.results.get("total")!.status, "skipped");
  await Deno.remove(dir, { recursive: true });
});
