/**
 * The stage graph and the plan: stage declarations → instances with resolved inputs.
 *
 * Edges come from what stages consume (`inputs`); duplicate producers and cycles are rejected
 * when the registry is built. A plan expands targets over datasets / sequences and over the
 * param sets of a sweep; identical points get identical instance ids and are run once.
 * @module
 */
import type { Params, ParamValue } from "./params.ts";
import { pickParams } from "./params.ts";
import type { Scope, ScopeLevel, StageDef } from "./stage.ts";

/** Two stages produce the same artifact. */
export class DuplicateOutputError extends Error {
  constructor(output: string) {
    super(`Duplicate output: more than one stage produces "${output}"`);
    this.name = "DuplicateOutputError";
  }
}

/** The stage graph has a cycle. */
export class CycleError extends Error {
  constructor(readonly cycle: string[]) {
    super(`Cycle in the stage graph: ${cycle.join(" → ")}`);
    this.name = "CycleError";
  }
}

/** A stage consumes something no stage produces. */
export class MissingInputError extends Error {
  constructor(stage: string, input: string) {
    super(`Stage "${stage}" consumes "${input}", which no stage produces`);
    this.name = "MissingInputError";
  }
}

const LEVEL: Record<ScopeLevel, number> = { global: 0, dataset: 1, sequence: 2 };

/** Validated stages in topological order, with each stage's transitive param set. */
export class StageRegistry {
  readonly stages = new Map<string, StageDef>();
  readonly order: string[];
  /** Params of a stage and of everything upstream of it (they identify an instance). */
  readonly effectiveParams = new Map<string, string[]>();

  constructor(defs: readonly StageDef[]) {
    for (const d of defs) {
      if (this.stages.has(d.name)) throw new DuplicateOutputError(d.name);
      this.stages.set(d.name, d);
    }
    for (const d of defs) {
      for (const i of d.inputs) if (!this.stages.has(i)) throw new MissingInputError(d.name, i);
    }
    this.order = topoSort(defs);
    for (const name of this.order) {
      const d = this.stages.get(name)!;
      const keys = new Set(d.params);
      for (const i of d.inputs) for (const k of this.effectiveParams.get(i)!) keys.add(k);
      this.effectiveParams.set(name, [...keys].sort());
    }
  }

  get(name: string): StageDef {
    const d = this.stages.get(name);
    if (!d) {
      throw new Error(`Unknown stage "${name}"; available: ${[...this.stages.keys()].join(", ")}`);
    }
    return d;
  }
}

function topoSort(defs: readonly StageDef[]): string[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const state = new Map<string, "visiting" | "done">();
  const order: string[] = [];
  const stack: string[] = [];
  const visit = (name: string) => {
    const s = state.get(name);
    if (s === "done") return;
    if (s === "visiting") throw new CycleError([...stack.slice(stack.indexOf(name)), name]);
    state.set(name, "visiting");
    stack.push(name);
    for (const i of byName.get(name)!.inputs) visit(i);
    stack.pop();
    state.set(name, "done");
    order.push(name);
  };
  for (const d of defs) visit(d.name);
  return order;
}

/** A dataset in a plan and its sequences. */
export interface PlanDataset {
  name: string;
  sequences: readonly string[];
}

/** One runnable unit: a stage at a scope with a param set. */
export interface Instance {
  id: string;
  stage: StageDef;
  scope: Scope;
  params: Params;
  /** The stage's own declared params (enter the cache key). */
  ownParams: Params;
  /** Upstream instance ids by stage name. */
  inputs: Map<string, string[]>;
}

/** A set of instances closed under inputs, in dependency order. */
export class Plan {
  readonly instances = new Map<string, Instance>();
  constructor(readonly registry: StageRegistry, readonly defaults: Params) {}

  /**
   * Adds `stage` (and, recursively, its inputs) for every scope it applies to within
   * `datasets`, with `params`. Returns the ids of the added target instances.
   */
  add(stageName: string, params: Params, datasets: readonly PlanDataset[]): string[] {
    const stage = this.registry.get(stageName);
    return scopesOf(stage.scope, datasets)
      .filter((s) => stage.applies?.(s, params) ?? true)
      .map((s) => this.addInstance(stage, s, params, datasets));
  }

  private addInstance(
    stage: StageDef,
    scope: Scope,
    params: Params,
    datasets: readonly PlanDataset[],
  ): string {
    const effective = this.registry.effectiveParams.get(stage.name)!;
    const id = instanceId(stage.name, scope, pickParams(params, effective), this.defaults);
    if (this.instances.has(id)) return id;
    const inputs = new Map<string, string[]>();
    for (const name of stage.inputs) {
      const up = this.registry.get(name);
      const within = datasets
        .filter((d) => scope.dataset === undefined || d.name === scope.dataset)
        .map((d) => ({
          name: d.name,
          sequences: d.sequences.filter((q) =>
            scope.sequence === undefined || q === scope.sequence
          ),
        }));
      const upScopes = LEVEL[up.scope] <= LEVEL[stage.scope]
        ? [restrictScope(scope, up.scope)]
        : scopesOf(up.scope, within);
      inputs.set(
        name,
        upScopes.filter((s) => up.applies?.(s, params) ?? true).map((s) =>
          this.addInstance(up, s, params, datasets)
        ),
      );
    }
    this.instances.set(id, {
      id,
      stage,
      scope,
      params,
      ownParams: pickParams(params, stage.params),
      inputs,
    });
    return id;
  }

  /** A plan of `id` and everything upstream of it (to run one instance in a worker). */
  closure(id: string): Plan {
    const sub = new Plan(this.registry, this.defaults);
    const visit = (i: string) => {
      if (sub.instances.has(i)) return;
      const inst = this.instances.get(i);
      if (!inst) throw new Error(`Unknown stage instance "${i}"`);
      for (const up of [...inst.inputs.values()].flat()) visit(up);
      sub.instances.set(i, inst);
    };
    visit(id);
    return sub;
  }

  /** Instances in an order where every input comes before its consumers. */
  ordered(): Instance[] {
    return [...this.instances.values()]; // insertion order is already post-order
  }
}

function restrictScope(scope: Scope, level: ScopeLevel): Scope {
  if (level === "global") return {};
  if (level === "dataset") return { dataset: scope.dataset };
  return { ...scope };
}

function scopesOf(level: ScopeLevel, datasets: readonly PlanDataset[]): Scope[] {
  if (level === "global") return [{}];
  if (level === "dataset") return datasets.map((d) => ({ dataset: d.name }));
  return datasets.flatMap((d) => d.sequences.map((q) => ({ dataset: d.name, sequence: q })));
}

function formatValue(v: ParamValue): string {
  return Array.isArray(v) ? v.join("+") : String(v);
}

/**
 * `stage/dataset/sequence[key=value,…]` where the bracket lists the effective params that
 * differ from the defaults (so an instance id is readable and identical points coincide).
 */
export function instanceId(
  stage: string,
  scope: Scope,
  effective: Params,
  defaults: Params,
): string {
  const parts = [stage, scope.dataset, scope.sequence].filter((x) => x !== undefined);
  const diff = Object.keys(effective)
    .filter((k) => JSON.stringify(effective[k]) !== JSON.stringify(defaults[k]))
    .sort()
    .map((k) => `${k}=${formatValue(effective[k])}`);
  return parts.join("/") + (diff.length ? `[${diff.join(",")}]` : "");
}
