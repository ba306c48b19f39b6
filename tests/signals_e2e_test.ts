/**
 * End to end: SIGTERM (what Slurm sends at a time limit) stops a run like Ctrl-C — checkpoint,
 * lock released, run marked interrupted; workers of a killed driver stop instead of training
 * on.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { batchScript } from "../experiments/driver/mod.ts";
import { LRTL_MAIN as MAIN, readUntil, smokeTrainArgs as trainArgs } from "./_lrtl.ts";

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

Deno.test("e2e: SIGTERM stops a training like Ctrl-C: checkpoint, lock released, run interrupted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-term-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: trainArgs(dir),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stdout = new Response(child.stdout).text();
  let { log, reader } = await readUntil(child.stderr, /checkpoint at step 3/);
  child.kill("SIGTERM");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    log += value;
  }
  const status = await child.status;
  log += await stdout;
  assertEquals(status.code, 1, log);
  assert(/Interrupted \(SIGTERM\)/.test(log), log);
  assert(/Training interrupted at step \d+; rerun to resume/.test(log), log);
  assert(!(await Deno.stat(join(dir, "c", "lock")).then(() => true, () => false)), "lock released");
  const runs = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "runs", "--db", join(dir, "r.duckdb")],
  }).output();
  assert(/\binterrupted\b/.test(new TextDecoder().decode(runs.stdout)), "run marked interrupted");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("slurm: batch scripts ask for SIGTERM before the time limit and exec lrtl", () => {
  const script = batchScript({
    name: "train",
    count: 2,
    indexFile: "/c/ids",
    logDir: "/c/slurm",
    slurm: { time: "01:00:00" },
  });
  assert(/^#SBATCH --signal=B:TERM@\d+$/m.test(script), script);
  assert(/^exec .* run-stage --task "\$task"/m.test(script), script);
});

Deno.test("e2e: with --jobs 2, workers of a killed driver stop (with a checkpoint) instead of training on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-orphan-" });
  const driver = new Deno.Command(Deno.execPath(), {
    args: trainArgs(dir, ["--jobs", "2"]),
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const { log, reader } = await readUntil(driver.stderr, /train\/synthetic: checkpoint at step 3/);
  assert(/checkpoint at step 3/.test(log), log);
  // The worker training train/synthetic for this cache.
  const workers: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      if (cmd.includes("run-stage") && cmd.some((a) => a.startsWith(join(dir, "c")))) {
        workers.push(Number(e.name));
      }
    } catch { /* gone */ }
  }
  assertEquals(workers.length, 1, `one worker: ${workers}`);
  driver.kill("SIGKILL");
  await driver.status;
  await reader.cancel();
  const t0 = Date.now();
  while (alive(workers[0]) && Date.now() - t0 < 30_000) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const orphan = alive(workers[0]);
  if (orphan) Deno.kill(workers[0], "SIGKILL"); // do not leave it training
  assert(!orphan, "the worker stopped after its driver died");
  // It stopped cleanly: checkpoint written, work folder released.
  const work = [...Deno.readDirSync(join(dir, "c", "work"))].map((e) => e.name);
  assert(!work.some((n) => n.endsWith(".lock")), `work folder lock released: ${work}`);
  assert(
    work.some((n) => {
      try {
        return Deno.statSync(join(dir, "c", "work", n, "checkpoint", "checkpoint.json")).isFile;
      } catch {
        return false;
      }
    }),
    `a checkpoint was left to resume from: ${work}`,
  );
  await Deno.remove(dir, { recursive: true });
});
