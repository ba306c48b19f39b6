/**
 * One stage instance as a task for another process (a worker of `--jobs N`, a Slurm array
 * task): what that process needs to run the instance alone — its stage, scope and resolved
 * params, the artifacts of its inputs and the cache key the driver computed. A worker plans
 * nothing and discovers no dataset: it rebuilds the one instance, recomputes its key from what
 * it has (its own code, the params, the input hashes, its environment) and fails loudly when
 * that is not the key it was sent (`runTask` in worker.ts).
 * @module
 */
import type { Instance } from "./graph.ts";
import type { Params } from "./params.ts";
import type { Scope } from "./stage.ts";

/** An upstream artifact of a task, already in the shared cache. */
export interface TaskInput {
  id: string;
  stage: string;
  scope: Scope;
  key: string;
  hash: string;
}

/** One stage instance, serialisable (JSON) for a worker process. */
export interface InstanceTask {
  id: string;
  stage: string;
  scope: Scope;
  /** The instance's full resolved params. */
  params: Params;
  /** Upstream artifacts by stage name, in the instance's input order. */
  inputs: Record<string, TaskInput[]>;
  /** The cache key the driver computed: a worker that computes another fails. */
  key: string;
  /** The shared cache the inputs are in and the artifact goes to. */
  cacheDir: string;
  /** Paths and settings the stages read that are not params (data root, cache folder). */
  stageEnv: Record<string, string>;
}

/** The task of `inst` whose inputs finished as `upstream` (by instance id). */
export function instanceTask(
  inst: Instance,
  key: string,
  upstream: (id: string) => { stage: string; scope: Scope; key: string; hash?: string },
  cacheDir: string,
  stageEnv: Record<string, string>,
): InstanceTask {
  const inputs: Record<string, TaskInput[]> = {};
  for (const [stage, ids] of inst.inputs) {
    inputs[stage] = ids.map((id) => {
      const r = upstream(id);
      return { id, stage: r.stage, scope: r.scope, key: r.key, hash: r.hash ?? "" };
    });
  }
  return {
    id: inst.id,
    stage: inst.stage.name,
    scope: inst.scope,
    params: inst.params,
    inputs,
    key,
    cacheDir,
    stageEnv,
  };
}

/** Writes a task for a worker into `dir`; returns the file path. */
export async function writeTaskFile(task: InstanceTask, dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/task-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}.json`;
  await Deno.writeTextFile(path, JSON.stringify(task));
  return path;
}

/** Reads a task file {@link writeTaskFile} wrote. */
export async function readTaskFile(path: string): Promise<InstanceTask> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`Cannot read the task file "${path}": ${(e as Error).message}`);
  }
}
