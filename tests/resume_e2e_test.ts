/**
 * End to end: a training killed after a checkpoint resumes with its whole loss-curve history
 * (same artifact hash as an uninterrupted run), and a damaged checkpoint is discarded with a
 * message instead of being resumed or breaking the stage.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { Cache } from "../pipeline/mod.ts";

import { readUntil, smokeTrainArgs } from "./_lrtl.ts";
const ID = "train/synthetic";

/** An 8-step smoke training with a checkpoint every 3 steps. */
const args = (cache: string, db: string) => smokeTrainArgs({ cache, db }, [], 8);

async function run(cache: string, db: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: args(cache, db),
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, text);
  return text;
}

/** Starts a run and kills it (SIGKILL) once the training wrote its checkpoint at step 3. */
async function runKilledAtCheckpoint(cache: string, db: string): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: args(cache, db),
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const { log, reader } = await readUntil(child.stderr, /train\/synthetic: checkpoint at step 3/);
  assert(/checkpoint at step 3/.test(log), `training reached a checkpoint:\n${log}`);
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
}

async function trained(cacheDir: string) {
  const cache = new Cache(cacheDir);
  const rec = (await cache.readRecord(ID))!;
  const curves = await Deno.readTextFile(join(cache.objectDir(rec.key), "curves.json"));
  return { cache, rec, curves };
}

/** Forgets the trained artifact (as if it had never finished), keeping everything upstream. */
async function forgetTraining(cacheDir: string) {
  const { cache, rec } = await trained(cacheDir);
  await cache.evict(rec.key);
  const state = join(cacheDir, "state");
  for await (const e of Deno.readDir(state)) {
    const r = JSON.parse(await Deno.readTextFile(join(state, e.name)));
    if (r.id === ID) await Deno.remove(join(state, e.name));
  }
  return rec.key;
}

Deno.test("e2e: resumed training keeps its loss curves (same artifact as uninterrupted); a damaged checkpoint starts afresh", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-resume-" });
  const db = join(dir, "r.duckdb");
  const a = join(dir, "a");
  await run(a, db);
  const reference = await trained(a);
  // Loss curves have one point per step (1…8); the val_J curve (train.valEvery) adds step 0.
  const steps = new Set<number>(JSON.parse(reference.curves).map((c: { step: number }) => c.step));
  assertEquals([...steps].filter((s) => s > 0).length, 8, "one curve point per step");

  // Same upstream artifacts in a second cache, without the training.
  const b = join(dir, "b");
  const cp = await new Deno.Command("cp", { args: ["-a", a, b] }).output();
  assert(cp.success);
  const key = await forgetTraining(b);

  // Killed after a checkpoint, then its state file damaged in place (same size).
  await runKilledAtCheckpoint(b, db);
  const ckDir = join(new Cache(b).workDir(key), "checkpoint");
  const bin = [...Deno.readDirSync(ckDir)].find((e) => e.name.endsWith(".bin"))!.name;
  const bytes = await Deno.readFile(join(ckDir, bin));
  bytes[bytes.length >> 1] ^= 0x55;
  await Deno.writeFile(join(ckDir, bin), bytes);
  let text = await run(b, db);
  assert(
    text.includes(`cannot resume the checkpoint in ${ckDir}`) &&
      /checksum mismatch \(the file is damaged\); starting this training afresh/.test(text),
    text,
  );
  assert(!/resumed from the checkpoint/.test(text), text);
  assertEquals((await trained(b)).rec.hash, reference.rec.hash, "a fresh start equals run a");

  // Killed after a checkpoint and resumed: the whole history is kept.
  await forgetTraining(b);
  await runKilledAtCheckpoint(b, db);
  text = await run(b, db);
  assert(/train\/synthetic: resumed from the checkpoint at step [3-7]/.test(text), text);
  const resumed = await trained(b);
  assertEquals(resumed.curves, reference.curves);
  assertEquals(resumed.rec.hash, reference.rec.hash, "same artifact as the uninterrupted run");
  await Deno.remove(dir, { recursive: true });
});
