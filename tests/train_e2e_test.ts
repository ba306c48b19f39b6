/**
 * End to end: `lrtl run evaluate --profile smoke` trains and scores on the synthetic set and on
 * the DAVIS samples; a training killed after a checkpoint resumes from it; a third run is a no-op.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { sharedDataRoot } from "./_shared_data.ts";
import { ResultsStore } from "../pipeline/mod.ts";
import { tensorflowStatus } from "../learn/tfjs_node.ts";
import { LRTL_MAIN as MAIN, readUntil, smokeTrainArgs } from "./_lrtl.ts";

/** The backend `auto` must pick here: tensorflow where it is built (always in CI), else wasm. */
const AUTO = tensorflowStatus("cpu");
const AUTO_BACKEND = AUTO.built ? "tensorflow" : "wasm";

Deno.test("e2e: train + evaluate on synthetic and DAVIS, killed mid-training, resumed, cached", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-e2e-" });
  const db = join(dir, "r.duckdb");
  const args = [
    "run",
    "-A",
    MAIN,
    "run",
    "evaluate",
    "--profile",
    "smoke",
    "--data-root",
    sharedDataRoot(),
    "--datasets",
    "synthetic,davis2016",
    "--cache-dir",
    join(dir, "c"),
    "--db",
    db,
    "--set",
    "train.steps=10",
    "--set",
    "train.checkpointEvery=3",
  ];
  // First run: kill it once the synthetic training has written a checkpoint.
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const { log, reader } = await readUntil(child.stderr, /train\/synthetic: checkpoint at step 3/);
  assert(/checkpoint at step 3/.test(log), `training reached a checkpoint:\n${log}`);
  child.kill("SIGKILL");
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel();

  const second = await new Deno.Command(Deno.execPath(), { args, env: { NO_COLOR: "1" } }).output();
  const text = new TextDecoder().decode(second.stdout) + new TextDecoder().decode(second.stderr);
  assertEquals(second.code, 0, text);
  assert(/train\/synthetic: resumed from the checkpoint at step [3-9]/.test(text), text);
  if (Deno.env.get("CI") === "true") {
    assert(AUTO.built, `CI must build the tensorflow backend (deno task setup): ${AUTO.reason}`);
  }
  assert(text.includes(`Backend: ${AUTO_BACKEND} (auto: `), `trained on ${AUTO_BACKEND}:\n${text}`);
  assert(/evaluate\/davis2016 ran/.test(text), text);

  const store = await ResultsStore.open(db);
  const rows = await store.query(
    `SELECT dataset, value FROM metrics WHERE metric = 'J' AND sequence = '' ORDER BY dataset`,
  );
  // J on the scored frames every train.valEvery = 6 steps (and at 0 and the end), complete
  // across the kill and the resume.
  const val = await store.query(
    `SELECT DISTINCT stage_id, step FROM curves WHERE name = 'val_J' ORDER BY stage_id, step`,
  );
  store.close();
  for (const ds of ["davis2016", "synthetic"]) {
    assertEquals(
      val.filter((r) => String(r.stage_id).startsWith(`train/${ds}`)).map((r) => Number(r.step)),
      [0, 6, 10],
    );
  }
  assertEquals(rows.map((r) => r.dataset), ["davis2016", "synthetic"]);
  for (const r of rows) {
    assert(Number(r.value) >= 0 && Number(r.value) <= 100, `J in range: ${r.value}`);
  }

  const third = await new Deno.Command(Deno.execPath(), { args, env: { NO_COLOR: "1" } }).output();
  assert(
    /Nothing to do/.test(new TextDecoder().decode(third.stdout)),
    new TextDecoder().decode(third.stderr),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("e2e: Ctrl-C during training stops it cleanly at the next step, with a checkpoint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-e2e-int-" });
  const args = smokeTrainArgs(dir);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stdout = new Response(child.stdout).text();
  let { log, reader } = await readUntil(child.stderr, /checkpoint at step 3/);
  child.kill("SIGINT");
  const t0 = Date.now();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    log += value;
  }
  const status = await child.status;
  assert(Date.now() - t0 < 30_000, "stopped promptly");
  assertEquals(status.code, 1, log);
  assert(/Training interrupted at step \d+; rerun to resume/.test(log + (await stdout)), log);
  await Deno.remove(dir, { recursive: true });
});
