/**
 * The worker side of a task (task.ts): run one stage instance alone against the shared cache.
 * @module
 */
import type { Cache } from "./cache.ts";
import { type Instance, Plan, StageRegistry } from "./graph.ts";
import { pickParams } from "./params.ts";
import type { ProgressSink } from "./progress.ts";
import { executePlan, type InstanceResult } from "./runner.ts";
import type { Scope, StageDef } from "./stage.ts";
import type { InstanceTask } from "./task.ts";

/**
 * Runs the one instance of `task` against the shared cache (the worker side). Its inputs must
 * be in the cache with the hashes the driver saw; its key must be the one the driver sent.
 * Returns the instance's result (status `failed` with the reason on a key mismatch).
 * @throws Error when the stage is unknown or an input is not in the cache.
 */
export async function runTask(task: InstanceTask, opts: {
  stages: readonly StageDef[];
  cache: Cache;
  env: Record<string, string>;
  progress: ProgressSink;
  signal?: AbortSignal;
}): Promise<InstanceResult> {
  const registry = new StageRegistry(opts.stages);
  const stage = registry.stages.get(task.stage);
  if (!stage) {
    throw new Error(
      `Unknown stage "${task.stage}" in the task of instance "${task.id}"; this code has: ${
        [...registry.stages.keys()].join(", ")
      }`,
    );
  }
  const given: InstanceResult[] = [];
  const scopes = new Map<string, Scope>();
  for (const input of Object.values(task.inputs).flat()) {
    const c = await opts.cache.check(input.key);
    if (!c.ok || c.hash !== input.hash) {
      throw new Error(
        `${task.id}: its input ${input.id} is not in the cache "${opts.cache.root}" as the driver saw it (key ${input.key}, hash ${input.hash}): ${
          c.ok ? `the artifact there has hash ${c.hash}` : c.detail
        }`,
      );
    }
    scopes.set(input.id, input.scope);
    given.push({
      id: input.id,
      stage: input.stage,
      status: "cached",
      reason: { kind: "up to date" },
      key: input.key,
      hash: c.hash,
      dir: c.dir,
      seconds: 0,
      metrics: [],
    });
  }
  const inst: Instance = {
    id: task.id,
    stage,
    scope: task.scope,
    params: task.params,
    ownParams: pickParams(task.params, stage.params),
    inputs: new Map(Object.entries(task.inputs).map(([s, ins]) => [s, ins.map((i) => i.id)])),
  };
  const plan = new Plan(registry, {});
  plan.instances.set(inst.id, inst);
  const summary = await executePlan(plan, {
    cache: opts.cache,
    runId: "worker",
    env: opts.env,
    stageEnv: task.stageEnv,
    progress: opts.progress,
    signal: opts.signal,
    given: given.map((r) => ({ ...r, scope: scopes.get(r.id)! })),
    expectKeys: new Map([[task.id, task.key]]),
  });
  return summary.results.get(task.id) ?? {
    id: task.id,
    stage: task.stage,
    status: "skipped",
    reason: { kind: "no record" },
    key: "",
    seconds: 0,
    metrics: [],
    error: new Error(`instance ${task.id} did not run`),
  };
}
