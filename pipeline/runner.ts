/**
 * Executes a plan against a cache: decides what is stale (with a reason), runs stale
 * instances with up to `jobs` at once, records every decision and result in the store.
 * @module
 */
import { join } from "node:path";
import type { ArtifactCheck, Cache, InstanceRecord } from "./cache.ts";
import { type CodeIdentity, stageCode } from "./code_hash.ts";
import { acquireLock } from "./lock.ts";
import type { Instance, Plan } from "./graph.ts";
import { cacheKey } from "./key.ts";
import type { Params } from "./params.ts";
import type { ProgressSink } from "./progress.ts";
import type { ArtifactRef, MetricRow, Scope, StageContext } from "./stage.ts";
import type { ResultsWriter } from "./store.ts";
import { type InstanceTask, instanceTask } from "./task.ts";

/** Why an instance runs or does not. */
export type Reason =
  | { kind: "up to date" }
  | { kind: "restored from cache" }
  | { kind: "no record" }
  /** `files`: where the stage's code changed (absent when the last record predates them). */
  | { kind: "code changed"; files?: string[] }
  | { kind: "param changed"; key: string }
  | { kind: "input changed"; input: string }
  | { kind: "input stale"; input: string }
  | { kind: "environment changed"; key: string }
  | { kind: "output missing" }
  | { kind: "output corrupted"; detail: string }
  | { kind: "forced" }
  | { kind: "upstream failed"; input: string }
  | { kind: "key mismatch"; expected: string; computed: string };

/** A reason in words, as `lrtl status` prints it. */
export function describeReason(r: Reason): string {
  switch (r.kind) {
    case "code changed":
      return r.files?.length ? `code changed (${r.files.join(", ")})` : "code changed";
    case "param changed":
      return `param ${r.key} changed`;
    case "input changed":
      return `input ${r.input} changed`;
    case "input stale":
      return `input ${r.input} will be rebuilt`;
    case "environment changed":
      return `environment ${r.key} changed`;
    case "output corrupted":
      return `output corrupted (${r.detail})`;
    case "upstream failed":
      return `upstream ${r.input} failed`;
    case "key mismatch":
      return `cache key mismatch: expected ${r.expected.slice(0, 12)}…, computed ${
        r.computed.slice(0, 12)
      }…`;
    default:
      return r.kind;
  }
}

/** The outcome for one instance. */
export interface InstanceResult {
  id: string;
  stage: string;
  status: "ran" | "cached" | "failed" | "skipped" | "stale";
  reason: Reason;
  key: string;
  hash?: string;
  dir?: string;
  seconds: number;
  metrics: MetricRow[];
  error?: Error;
}

export interface RunOptions {
  cache: Cache;
  store?: ResultsWriter;
  runId: string;
  jobs?: number;
  dryRun?: boolean;
  /** Stage names or instance ids to rebuild even when up to date. */
  force?: ReadonlySet<string>;
  /** Versions that change numbers (enter every key). */
  env: Record<string, string>;
  /** Paths and settings stages read that are not params. */
  stageEnv?: Record<string, string>;
  progress: ProgressSink;
  signal?: AbortSignal;
  /**
   * Runs a heavy stage instance elsewhere (a worker process, a cluster job). It must leave the
   * instance's artifact in the cache under `key`; metrics and curves are read back from it.
   */
  delegate?: (inst: Instance, job: DelegatedJob) => Promise<void>;
  /**
   * Instance id → the cache key the driver computed for it (a worker's task). An instance whose
   * key here differs fails at once, naming both keys, instead of building an artifact the driver
   * will not find.
   */
  expectKeys?: ReadonlyMap<string, string>;
  /**
   * Results of upstream instances that are not in the plan, already in the cache (a worker's
   * task brings its inputs so): the plan's instances read them as finished inputs.
   */
  given?: readonly (InstanceResult & { scope: Scope })[];
  /** Called as each instance finishes (ran or cached), in completion order. */
  onResult?: (inst: Instance, r: InstanceResult) => Promise<void> | void;
}

/** What a delegate gets besides the instance. */
export interface DelegatedJob {
  key: string;
  /** What a worker process needs to run the instance alone (inputs, params, key). */
  task: InstanceTask;
  progress(done: number, total: number, note?: string): void;
  log(message: string): void;
  signal?: AbortSignal;
}

/** Summary of a run. */
export interface RunSummary {
  results: Map<string, InstanceResult>;
  ran: number;
  cached: number;
  failed: number;
  skipped: number;
}

/** `stage/dataset/sequence` of an upstream instance: how reasons and keys name an input. */
function inputLabel(up: { stage: string; scope: Scope }): string {
  return [up.stage, up.scope.dataset, up.scope.sequence].filter(Boolean).join("/");
}

/** Why an instance whose artifact is absent must run, comparing with its last record. */
function explain(
  rec: InstanceRecord | null,
  code: CodeIdentity,
  params: Params,
  inputs: Record<string, string>,
  env: Record<string, string>,
  check: ArtifactCheck | null,
): Reason {
  if (!rec) return { kind: "no record" };
  if (rec.code !== code.hash) {
    const before = rec.codeFiles;
    if (!before) return { kind: "code changed" };
    const files = [...new Set([...Object.keys(before), ...Object.keys(code.files)])]
      .filter((f) => before[f] !== code.files[f]).sort();
    return { kind: "code changed", files };
  }
  for (const k of Object.keys(params)) {
    if (JSON.stringify(rec.params[k]) !== JSON.stringify(params[k])) {
      return { kind: "param changed", key: k };
    }
  }
  for (const k of Object.keys(inputs)) {
    if (rec.inputs[k] !== inputs[k]) return { kind: "input changed", input: k };
  }
  for (const k of Object.keys(env)) {
    if (rec.env[k] !== env[k]) return { kind: "environment changed", key: k };
  }
  if (check && !check.ok && check.problem === "corrupted") {
    return { kind: "output corrupted", detail: check.detail };
  }
  return { kind: "output missing" };
}

/**
 * Runs (or, with `dryRun`, only explains) every instance of the plan. Failures do not stop
 * independent work; dependents of a failed instance are skipped.
 */
export async function executePlan(plan: Plan, opts: RunOptions): Promise<RunSummary> {
  const { cache, progress } = opts;
  const jobs = Math.max(1, opts.jobs ?? 1);
  const results = new Map<string, InstanceResult>();
  const given = new Map((opts.given ?? []).map((g) => [g.id, g]));
  for (const g of given.values()) results.set(g.id, g);
  /** Stage name and scope of an upstream instance, in the plan or given. */
  const upstreamOf = (id: string): { stage: string; scope: Scope } => {
    const up = plan.instances.get(id);
    return up ? { stage: up.stage.name, scope: up.scope } : given.get(id)!;
  };
  const instances = plan.ordered();
  const pending = new Map(instances.map((i) => [i.id, i]));
  const running = new Map<string, Promise<void>>();
  progress.start(instances.length);

  const finish = async (inst: Instance, r: InstanceResult) => {
    results.set(inst.id, r);
    progress.stageEnd(
      inst.id,
      r.status,
      r.seconds,
      r.status === "ran" || r.status === "stale" || r.status === "skipped"
        ? describeReason(r.reason)
        : r.error?.message,
    );
    await opts.onResult?.(inst, r);
  };

  const ready = (inst: Instance) => [...inst.inputs.values()].flat().every((id) => results.has(id));

  const process = async (inst: Instance) => {
    const started = new Date();
    const upstream = [...inst.inputs.values()].flat();
    const failedUp = upstream.find((id) => {
      const s = results.get(id)!.status;
      return s === "failed" || s === "skipped";
    });
    if (failedUp) {
      await finish(inst, {
        id: inst.id,
        stage: inst.stage.name,
        status: "skipped",
        reason: { kind: "upstream failed", input: failedUp },
        key: "",
        seconds: 0,
        metrics: [],
      });
      return;
    }
    const code = await stageCode(inst.stage);
    const inputs: Record<string, string> = {};
    const staleUp = upstream.find((id) => results.get(id)!.status === "stale");
    for (const id of upstream) {
      inputs[inputLabel(upstreamOf(id))] = results.get(id)!.hash ?? "";
    }
    if (inst.stage.fingerprint) {
      inputs["source"] = await inst.stage.fingerprint(inst.scope, inst.params, opts.stageEnv ?? {});
    }
    const key = cacheKey({
      stage: inst.stage.name,
      scope: inst.scope,
      code: code.hash,
      params: inst.ownParams,
      inputs,
      env: opts.env,
    });
    const expected = opts.expectKeys?.get(inst.id);
    if (expected !== undefined && expected !== key) {
      const reason: Reason = { kind: "key mismatch", expected, computed: key };
      const error = new Error(
        `${inst.id}: this process computes the cache key ${key}, the driver sent ${expected}: ` +
          "its code, params, inputs or environment differ from the driver's",
      );
      await record(opts, inst, key, "failed", describeReason(reason), started, error.message);
      await finish(inst, {
        id: inst.id,
        stage: inst.stage.name,
        status: "failed",
        reason,
        key,
        seconds: 0,
        metrics: [],
        error,
      });
      return;
    }
    const forced = opts.force?.has(inst.stage.name) || opts.force?.has(inst.id);
    const rec = await cache.readRecord(inst.id);
    const check = staleUp ? null : await cache.check(key);
    const useCached = async (c: { hash: string; dir: string }) => {
      const metrics = await readMetrics(c.dir);
      await finish(inst, {
        id: inst.id,
        stage: inst.stage.name,
        status: "cached",
        reason: rec?.key === key ? { kind: "up to date" } : { kind: "restored from cache" },
        key,
        hash: c.hash,
        dir: c.dir,
        seconds: 0,
        metrics,
      });
      if (rec?.key !== key && !opts.dryRun) {
        await writeRecord(cache, inst, key, code, inputs, opts.env, c.hash);
      }
      await record(opts, inst, key, "cached", "up to date", started);
    };
    if (!forced && check?.ok) {
      await useCached(check);
      return;
    }
    const reason: Reason = forced
      ? { kind: "forced" }
      : staleUp
      ? { kind: "input stale", input: inputLabel(upstreamOf(staleUp)) }
      : explain(rec, code, inst.ownParams, inputs, opts.env, check);
    if (opts.dryRun) {
      await finish(inst, {
        id: inst.id,
        stage: inst.stage.name,
        status: "stale",
        reason,
        key,
        seconds: 0,
        metrics: [],
      });
      return;
    }
    if (check && !check.ok && check.problem === "corrupted") {
      progress.log(`warning: ${inst.id}: cached artifact corrupted (${check.detail}); rebuilding`);
      await cache.evict(key);
    }
    progress.stageStart(inst.id);
    const t0 = performance.now();
    const succeed = async (hash: string, metrics: MetricRow[], curves: CurvePoint[]) => {
      if (opts.store && curves.length) {
        await opts.store.addCurves(
          curves.map((c) => ({ run_id: opts.runId, cache_key: key, stage_id: inst.id, ...c })),
        );
      }
      await record(opts, inst, key, "ran", describeReason(reason), started);
      await finish(inst, {
        id: inst.id,
        stage: inst.stage.name,
        status: "ran",
        reason,
        key,
        hash,
        dir: cache.objectDir(key),
        seconds: (performance.now() - t0) / 1000,
        metrics,
      });
    };
    const fail = async (e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      await record(opts, inst, key, "failed", describeReason(reason), started, error.message);
      await finish(inst, {
        id: inst.id,
        stage: inst.stage.name,
        status: "failed",
        reason,
        key,
        seconds: (performance.now() - t0) / 1000,
        metrics: [],
        error,
      });
    };
    if (opts.delegate && inst.stage.cost === "heavy") {
      try {
        const task = instanceTask(
          inst,
          key,
          (id) => ({ ...results.get(id)!, scope: upstreamOf(id).scope }),
          cache.root,
          opts.stageEnv ?? {},
        );
        await opts.delegate(inst, {
          key,
          task,
          progress: (d, t, note) => progress.stageProgress(inst.id, d, t, note),
          log: (m) => progress.log(`${inst.id}: ${m}`),
          signal: opts.signal,
        });
        const done = await cache.check(key);
        if (!done.ok) throw new Error(`the worker left no artifact (${done.detail})`);
        await succeed(done.hash, await readMetrics(done.dir), await readCurves(done.dir));
      } catch (e) {
        await fail(e);
      }
      return;
    }
    // One process at a time builds a key in its work folder (checkpoints): another run, or a
    // worker its killed driver left, may be at it. Wait for it, then use what it built.
    const workLock = await acquireLock(`${cache.workDir(key)}.lock`, {
      command: `lrtl ${inst.id}`,
      onWait: (m) => progress.log(`${inst.id}: ${m}`),
      onStale: (m) => progress.log(`${inst.id}: ${m}`),
    });
    try {
      const built = forced ? null : await cache.check(key);
      if (built?.ok) {
        await useCached(built);
        return;
      }
      const pendingArtifact = await cache.begin(key);
      const workDir = cache.workDir(key);
      await Deno.mkdir(workDir, { recursive: true });
      const metrics: MetricRow[] = [];
      const curves: CurvePoint[] = [];
      const ref = (id: string): ArtifactRef => {
        const r = results.get(id)!;
        return { id, ...upstreamOf(id), dir: r.dir!, hash: r.hash! };
      };
      const ctx: StageContext = {
        id: inst.id,
        scope: inst.scope,
        params: inst.params,
        param: (k: string) => {
          if (!inst.stage.params.includes(k)) {
            throw new Error(
              `Stage "${inst.stage.name}" reads param "${k}" but does not declare it`,
            );
          }
          return inst.params[k];
        },
        outDir: pendingArtifact.dir,
        workDir,
        input: (stage) => {
          const ids = inst.inputs.get(stage);
          if (!ids || ids.length !== 1) {
            throw new Error(
              `Stage "${inst.stage.name}" has ${
                ids?.length ?? 0
              } inputs from "${stage}"; use inputs()`,
            );
          }
          return ref(ids[0]);
        },
        inputs: (stage) => (inst.inputs.get(stage) ?? []).map(ref),
        progress: (d, t, note) => progress.stageProgress(inst.id, d, t, note),
        log: (m) => progress.log(`${inst.id}: ${m}`),
        metrics: (rows) => void metrics.push(...rows),
        curve: (step, name, value) => void curves.push({ step, name, value }),
        signal: opts.signal ?? new AbortController().signal,
        env: opts.stageEnv ?? {},
      };
      try {
        await inst.stage.run(ctx);
        opts.signal?.throwIfAborted();
        await Deno.writeTextFile(
          join(pendingArtifact.dir, "metrics.json"),
          JSON.stringify(metrics),
        );
        if (curves.length) {
          await Deno.writeTextFile(
            join(pendingArtifact.dir, "curves.json"),
            JSON.stringify(curves),
          );
        }
        const hash = await pendingArtifact.commit();
        await writeRecord(cache, inst, key, code, inputs, opts.env, hash);
        await Deno.remove(workDir, { recursive: true }).catch(() => {});
        await succeed(hash, metrics, curves);
      } catch (e) {
        await pendingArtifact.abort();
        await fail(e);
      }
    } finally {
      workLock.release();
    }
  };

  while (pending.size || running.size) {
    if (!opts.signal?.aborted) {
      for (const inst of pending.values()) {
        if (running.size >= jobs) break;
        if (!ready(inst)) continue;
        pending.delete(inst.id);
        running.set(inst.id, process(inst).finally(() => running.delete(inst.id)));
      }
    } else if (!running.size) break;
    if (!running.size) {
      if (pending.size) throw new Error(`Plan is stuck: ${[...pending.keys()].join(", ")}`);
      break;
    }
    await Promise.race(running.values());
  }
  progress.stop();
  for (const id of given.keys()) results.delete(id);
  const count = (s: InstanceResult["status"]) =>
    [...results.values()].filter((r) => r.status === s).length;
  return {
    results,
    ran: count("ran"),
    cached: count("cached"),
    failed: count("failed"),
    skipped: count("skipped"),
  };
}

type CurvePoint = { step: number; name: string; value: number };

async function readCurves(dir: string): Promise<CurvePoint[]> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, "curves.json")));
  } catch {
    return [];
  }
}

async function readMetrics(dir: string): Promise<MetricRow[]> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, "metrics.json")));
  } catch {
    return [];
  }
}

async function writeRecord(
  cache: Cache,
  inst: Instance,
  key: string,
  code: CodeIdentity,
  inputs: Record<string, string>,
  env: Record<string, string>,
  hash: string,
) {
  await cache.writeRecord({
    id: inst.id,
    stage: inst.stage.name,
    key,
    code: code.hash,
    codeFiles: code.files,
    params: { ...inst.ownParams },
    inputs,
    env,
    hash,
    finished: new Date().toISOString(),
  });
}

async function record(
  opts: RunOptions,
  inst: Instance,
  key: string,
  status: "ran" | "cached" | "failed",
  reason: string,
  started: Date,
  error?: string,
) {
  await opts.store?.addStageRun({
    run_id: opts.runId,
    stage_id: inst.id,
    stage: inst.stage.name,
    cache_key: key,
    status,
    reason,
    started,
    finished: new Date(),
    error,
  });
}
