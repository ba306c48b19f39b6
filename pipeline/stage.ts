/**
 * Stage declarations: what a stage reads (params, upstream artifacts) and how it runs.
 * @module
 */
import type { Params } from "./params.ts";

/** How many instances of a stage a plan holds: one overall, one per dataset, or per sequence. */
export type ScopeLevel = "global" | "dataset" | "sequence";

/** Where one stage instance applies. */
export interface Scope {
  dataset?: string;
  sequence?: string;
}

/** A finished upstream artifact as a stage sees it. */
export interface ArtifactRef {
  /** Instance id of the producer, e.g. `frames/davis2016/blackswan`. */
  id: string;
  stage: string;
  scope: Scope;
  /** Directory holding the artifact's files (read-only). */
  dir: string;
  /** Content hash of the artifact (hash of its manifest). */
  hash: string;
}

/** One metric value a stage produced; experiments label it into a table row. */
export interface MetricRow {
  metric: string;
  value: number;
  dataset?: string;
  /** Sequence name, or omitted for an aggregate over the dataset. */
  sequence?: string;
  /** A sub-row label a stage may set (e.g. a clustering method, an estimator). */
  row?: string;
  /** Numeric position on a sweep axis, if any. */
  x?: number;
}

/**
 * What a running stage gets. `P` is the params type of the pipeline's schema
 * (`ParamValues<typeof SCHEMA>`), so `ctx.param("train.steps")` is typed by its key.
 */
export interface StageContext<P extends Params = Params> {
  /** Instance id, e.g. `flow/davis2016/blackswan`. */
  id: string;
  scope: Scope;
  /** The full validated params object (a stage reads only the keys it declared). */
  params: P;
  /** Read of a declared param, typed by its key. */
  param<K extends keyof P & string>(key: K): P[K];
  /** Empty directory to write outputs into; renamed into the cache when `run` returns. */
  outDir: string;
  /** A directory that survives a killed run (checkpoints); removed when the stage completes. */
  workDir: string;
  /** The single upstream artifact of `stage` for this scope (same or coarser scope). */
  input(stage: string): ArtifactRef;
  /** Every upstream artifact of `stage` within this scope (finer scope: one per sequence). */
  inputs(stage: string): ArtifactRef[];
  /** Reports progress within the stage (drives a progress bar or log lines). */
  progress(done: number, total: number, note?: string): void;
  log(message: string): void;
  /** Records metrics; they are saved in the artifact and into the results store. */
  metrics(rows: MetricRow[]): void;
  /** Records one point of a curve (e.g. a loss term per training step). */
  curve(step: number, name: string, value: number): void;
  /** Aborted on Ctrl-C; long stages check it between units of work. */
  signal: AbortSignal;
  /** Values every stage may need that are not params (paths of the run). */
  env: Readonly<Record<string, string>>;
}

/** A stage declaration. Write it with {@linkcode defineStage} so TypeScript checks it. */
export interface StageDef<P extends Params = Params> {
  /** Name; also the name of the artifact it produces. */
  name: string;
  description: string;
  /**
   * `import.meta.url` of the module that defines it. Its code identity (`stageCode`) is the
   * declaration of this stage there and the declarations it uses, followed through imports.
   */
  module: string;
  scope: ScopeLevel;
  /** Dotted param keys the stage reads; they enter its cache key. */
  params: readonly (keyof P & string)[];
  /** Upstream stage names it consumes. */
  inputs: readonly string[];
  /**
   * Optional: restrict which datasets (or sequences) the stage applies to, or expand its
   * instances. Default: every dataset / sequence of the plan.
   */
  applies?(scope: Scope, params: P): boolean;
  /**
   * Optional: a fingerprint of data the stage reads from outside the cache (e.g. a dataset
   * folder's file names, sizes and mtimes). It enters the cache key as the input `source`.
   */
  fingerprint?(scope: Scope, params: P, env: Readonly<Record<string, string>>): Promise<string>;
  /**
   * `heavy` stages (minutes of CPU) run in worker processes when a run has `--jobs` > 1 (or
   * on a cluster); `light` ones (default) run in the driver process.
   */
  cost?: "light" | "heavy";
  run(ctx: StageContext<P>): Promise<void>;
}

/**
 * Identity helper that type-checks a stage declaration.
 *
 * @example
 * ```ts
 * export const frames = defineStage({
 *   name: "frames", description: "decode and resize frames", module: import.meta.url,
 *   scope: "sequence", params: ["data.width"], inputs: [],
 *   async run(ctx) { await Deno.writeTextFile(`${ctx.outDir}/n.txt`, "1"); },
 * });
 * ```
 */
export function defineStage<P extends Params = Params>(def: StageDef<P>): StageDef {
  if (!/^[a-z][a-z0-9_-]*$/.test(def.name)) {
    throw new TypeError(`Stage name "${def.name}" must be lower-case letters, digits, - or _`);
  }
  // The engine passes the params the schema resolved, so the typed view is the same object.
  return def as unknown as StageDef;
}
