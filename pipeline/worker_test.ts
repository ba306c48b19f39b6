import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { numbers, runToy, square, total } from "../tests/fixtures/toy_pipeline.ts";
import { Cache } from "./cache.ts";
import { LogProgress } from "./progress.ts";
import type { StageDef } from "./stage.ts";
import { type InstanceTask, readTaskFile, writeTaskFile } from "./task.ts";
import { runTask } from "./worker.ts";

/** The toy pipeline with `square` heavy, so that the runner delegates it. */
const stages = [numbers, { ...square, cost: "heavy" } as StageDef, total] as typeof numbers[];

const worker = (task: InstanceTask) =>
  runTask(task, {
    stages,
    cache: new Cache(task.cacheDir),
    env: { runtime: "test" },
    progress: new LogProgress(() => {}),
  });

/** The first task the driver delegates when running the toy pipeline in `dir` (not run). */
async function firstTask(dir: string): Promise<InstanceTask> {
  let task: InstanceTask | undefined;
  await runToy(dir, {}, {
    stages,
    delegate: (_inst, job) => {
      task ??= job.task;
      return Promise.reject(new Error("not run here"));
    },
  });
  return task!;
}

Deno.test("worker: a delegated task (through its file) builds what the driver builds itself", async () => {
  const here = await Deno.makeTempDir({ prefix: "lrtl-worker-" });
  const there = await Deno.makeTempDir({ prefix: "lrtl-worker-" });
  const tasks: InstanceTask[] = [];
  const local = await runToy(here, {}, { stages });
  const delegated = await runToy(there, {}, {
    stages,
    delegate: async (_inst, job) => {
      const task = await readTaskFile(await writeTaskFile(job.task, join(there, "tmp")));
      tasks.push(task);
      const r = await worker(task);
      if (r.status !== "ran") throw r.error ?? new Error(r.status);
    },
  });
  assertEquals(delegated.failed, 0);
  assertEquals(tasks.map((t) => t.id).sort(), ["square/a", "square/bb"]);
  const a = tasks.find((t) => t.id === "square/a")!;
  assertEquals(a.key, delegated.results.get("square/a")!.key);
  assertEquals(a.inputs.numbers.map((i) => i.id), ["numbers/a"]);
  assertEquals(a.params["toy.scale"], 1);
  for (const id of ["square/a", "total"]) {
    assertEquals(delegated.results.get(id)!.hash, local.results.get(id)!.hash, id);
  }
  await Deno.remove(here, { recursive: true });
  await Deno.remove(there, { recursive: true });
});

Deno.test("worker: a task whose key was tampered with fails, naming both keys", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-worker-" });
  const task = await firstTask(dir);
  const tampered = { ...task, key: "f".repeat(64) };
  const r = await worker(tampered);
  assertEquals(r.status, "failed");
  assertEquals(r.reason.kind, "key mismatch");
  assert(
    r.error!.message.startsWith(
      `${task.id}: this process computes the cache key ${task.key}, the driver sent ${
        "f".repeat(64)
      }`,
    ),
    r.error!.message,
  );
  assert(!(await new Cache(dir).check(tampered.key)).ok, "nothing written under the sent key");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("worker: an input that is not in the cache, or an unknown stage, fails before running", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-worker-" });
  const task = await firstTask(dir);
  const input = task.inputs.numbers[0];
  const moved = { ...task, inputs: { numbers: [{ ...input, hash: "0".repeat(64) }] } };
  await assertRejects(
    () => worker(moved),
    `its input ${input.id} is not in the cache`,
  );
  await assertRejects(
    () => worker({ ...task, stage: "cube" }),
    `Unknown stage "cube" in the task of instance "${task.id}"`,
  );
  await Deno.remove(dir, { recursive: true });
});
