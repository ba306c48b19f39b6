/**
 * From a command line's request to a finished run: resolve params (defaults → profile →
 * params file → --set), expand experiments (or bare stage names) into one plan over the
 * datasets they cover, run it against the cache and record everything in the results store.
 * @module
 */
import { join } from "node:path";
import { hostname } from "node:os";
import {
  acquireLock,
  Cache,
  checkParams,
  createProgress,
  describeReason,
  executePlan,
  holderAlive,
  type OverrideLayer,
  ParamError,
  type Params,
  Plan,
  type PlanDataset,
  processStart,
  type ProgressSink,
  resolveParams,
  ResultsLog,
  type RunSummary,
  SilentProgress,
  StageRegistry,
} from "../pipeline/mod.ts";
import { CHECKS, PROFILES, SCHEMA } from "../stages/params.ts";
import type { DatasetSelector, Experiment } from "./experiment.ts";
import { EXPERIMENTS } from "./tables.ts";
import { processDelegate, writeRequestFile } from "./workers.ts";
import {
  type Executor,
  type ExecutorKind,
  localExecutor,
  type SlurmOptions,
} from "../pipeline/executor.ts";
import { slurmDryRun, slurmExecutor } from "./slurm.ts";
import type { StageDef } from "../pipeline/stage.ts";
import { type BackendName, resolveBackend } from "../learn/backend_choice.ts";

/** What `lrtl run` asks for. */
export interface RunRequest {
  /** Experiment names, `reproduce` (all of them) or stage names. */
  targets: string[];
  profile: string;
  dataRoot: string;
  cacheDir: string;
  dbPath: string;
  jobs: number;
  dryRun: boolean;
  force: string[];
  /** Extra layers after the profile: a params file, then `--set` values. */
  layers: OverrideLayer[];
  /** Only these datasets (names), if given. */
  datasets?: string[];
  /** Where heavy stage instances run: `local` (default) or `slurm`. */
  executor?: ExecutorKind;
  /** Settings of the Slurm executor. */
  slurm?: SlurmOptions;
  /** `--data-root` (or LRTL_DATA_ROOT) was given: it must exist. */
  dataRootExplicit?: boolean;
  /** `--sweep` axes: a one-off experiment over their cartesian product (table `sweep`). */
  sweep?: SweepAxis[];
  /** A name and a note for the run (`--name`, `--note`), shown by `lrtl runs` / `lrtl show`. */
  name?: string;
  note?: string;
}

/** How the pipeline finds datasets; the stages module provides the real one. */
export interface DatasetDiscovery {
  /** Datasets an experiment's selector covers, given the resolved params. */
  select(selector: DatasetSelector, params: Params, dataRoot: string): Promise<PlanDataset[]>;
  /** Why a requested dataset was not found, in words (what was looked for, and where). */
  missing?(name: string, dataRoot: string): Promise<string>;
}

/** What a run needs from the app: its stages and dataset discovery. */
export interface App {
  stages: readonly StageDef[];
  discovery: DatasetDiscovery;
  /** Versions that change numbers, entering every cache key. */
  env: Record<string, string>;
}

/** A resolved target: an experiment, or a stage run over datasets. */
type Target = { kind: "experiment"; experiment: Experiment } | { kind: "stage"; stage: string };

export function resolveTargets(
  targets: readonly string[],
  stageNames: readonly string[],
): Target[] {
  const out: Target[] = [];
  for (const t of targets) {
    if (t === "reproduce") {
      out.push(...EXPERIMENTS.map((experiment) => ({ kind: "experiment" as const, experiment })));
      continue;
    }
    const e = EXPERIMENTS.find((x) => x.name === t);
    if (e) out.push({ kind: "experiment", experiment: e });
    else if (stageNames.includes(t)) out.push({ kind: "stage", stage: t });
    else {
      throw new Error(
        `Unknown experiment or stage "${t}". Experiments: reproduce, ${
          EXPERIMENTS.map((x) => x.name).join(", ")
        }. Stages: ${stageNames.join(", ")}.`,
      );
    }
  }
  return out;
}

/** The params of layers over the defaults, validated key by key and then across keys. */
function resolveChecked(layers: OverrideLayer[], origin: string): Params {
  const params = resolveParams(SCHEMA, layers);
  checkParams(params, CHECKS, origin);
  return params;
}

function profileLayer(profile: string): OverrideLayer {
  const values = PROFILES[profile];
  if (!values) {
    throw new Error(`Unknown profile "${profile}"; available: ${Object.keys(PROFILES).join(", ")}`);
  }
  return { origin: `profile ${profile}`, values };
}

/** The params of a request before any experiment's overrides. */
export function baseParams(req: Pick<RunRequest, "profile" | "layers">): Params {
  return resolveChecked([profileLayer(req.profile), ...req.layers], "the command line");
}

/** One axis of `--sweep key=v1,v2,…`. */
export interface SweepAxis {
  key: string;
  values: unknown[];
}

/**
 * Parses `key=v1,v2,…` (values are JSON where they parse, else strings; commas inside `[…]`
 * or quotes do not split, so `flow.gaps=[1],[1,2]` works).
 */
export function parseSweep(text: string): SweepAxis {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) {
    throw new ParamError(`Cannot parse --sweep "${text}": expected key=v1,v2,…`);
  }
  const parts: string[] = [];
  let depth = 0, quote = false, cur = "";
  for (const ch of text.slice(eq + 1)) {
    if (ch === '"') quote = !quote;
    else if (!quote && ch === "[") depth++;
    else if (!quote && ch === "]") depth--;
    if (ch === "," && depth === 0 && !quote) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  const values = parts.map((raw) => {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  });
  return { key: text.slice(0, eq), values };
}

/** Every point of the cartesian product of the axes, as override objects. */
export function sweepPoints(axes: readonly SweepAxis[]): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.key]: v })));
  return points;
}

/** A point's row label: `loss.rank=2, model.k=3`. */
export function pointLabel(point: Record<string, unknown>): string {
  return Object.entries(point).map(([k, v]) =>
    `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
  )
    .join(", ");
}

/** The experiment name and `metrics.table_name` of a `--sweep` run. */
export const SWEEP_TABLE = "sweep";

/**
 * The request with `runtime.backend = auto` replaced by the backend it resolves to here (a last
 * override layer), so cache keys, worker requests and the `runs` row hold the concrete name.
 */
export function withResolvedBackend(
  req: RunRequest,
): { req: RunRequest; backend: string; why: string } {
  const requested = String(baseParams(req)["runtime.backend"]);
  const { name, why } = resolveBackend(requested as BackendName);
  if (requested !== "auto") return { req, backend: name, why };
  return {
    req: {
      ...req,
      layers: [...req.layers, { origin: `backend ${why}`, values: { "runtime.backend": name } }],
    },
    backend: name,
    why,
  };
}

/** Labels a metric row belongs to. */
interface RowLabel {
  experiment: string;
  table: string;
  label: string;
  x?: number;
  seed?: number;
  /** Whether the report shows this run's qualitative figures. */
  figures?: boolean;
}

/**
 * Builds the plan of a request; `labels` maps target instance ids to table rows. A requested
 * dataset (`--datasets`, `--data-root`) that cannot be found is an error naming what was looked
 * for and where.
 */
export async function buildPlan(
  req: RunRequest,
  app: App,
): Promise<{ plan: Plan; labels: Map<string, RowLabel[]>; base: Params }> {
  const registry = new StageRegistry(app.stages);
  const base = baseParams(req);
  if (req.dataRootExplicit && !(await Deno.stat(req.dataRoot).then(() => true, () => false))) {
    throw new Error(
      `The data root "${req.dataRoot}" does not exist (it would hold ${
        ["davis2016/", "segtrackv2/", "fbms59/", "hopkins155/", "flow/sintel/"].join(", ")
      }); without it only the synthetic data is used: drop --data-root / LRTL_DATA_ROOT for that`,
    );
  }
  const plan = new Plan(registry, base);
  const labels = new Map<string, RowLabel[]>();
  const covered = new Set<string>();
  const select = async (selector: DatasetSelector, params: Params) => {
    const ds = await app.discovery.select(selector, params, req.dataRoot);
    for (const d of ds) covered.add(d.name);
    return req.datasets ? ds.filter((d) => req.datasets!.includes(d.name)) : ds;
  };
  const addRows = (ids: string[], row: RowLabel) => {
    for (const id of ids) labels.set(id, [...(labels.get(id) ?? []), row]);
  };
  const axes = req.sweep ?? [];
  const points = axes.length ? sweepPoints(axes) : [];
  const sweepLayer = (point: Record<string, unknown>): OverrideLayer => ({
    origin: `--sweep point ${pointLabel(point)}`,
    values: point,
  });
  const sweepX = (point: Record<string, unknown>) => {
    const v = point[axes[0]?.key];
    return axes.length === 1 && typeof v === "number" ? v : undefined;
  };
  for (const target of resolveTargets(req.targets, [...registry.stages.keys()])) {
    if (target.kind === "stage") {
      if (points.length) {
        for (const point of points) {
          const params = resolveChecked(
            [profileLayer(req.profile), ...req.layers, sweepLayer(point)],
            `--sweep point ${pointLabel(point)}`,
          );
          addRows(plan.add(target.stage, params, await select("videos", params)), {
            experiment: SWEEP_TABLE,
            table: SWEEP_TABLE,
            label: pointLabel(point),
            x: sweepX(point),
          });
        }
        continue;
      }
      // A bare stage's metrics are kept under its own name (table = stage).
      addRows(plan.add(target.stage, base, await select("videos", base)), {
        experiment: target.stage,
        table: target.stage,
        label: "",
      });
      continue;
    }
    const e = target.experiment;
    const runs = e.runs(req.profile);
    const manyLabels = new Set(runs.map((r) => r.label)).size > 1;
    for (const run of runs) {
      const runLayer = {
        origin: `experiment ${e.name}, run "${run.label}"`,
        values: run.overrides,
      };
      // With --sweep, every run of the experiment at every point, in the sweep's own table.
      for (const point of points.length ? points : [null]) {
        const layers = [profileLayer(req.profile), ...req.layers, runLayer];
        if (point) layers.push(sweepLayer(point));
        const params = resolveChecked(layers, point ? sweepLayer(point).origin : runLayer.origin);
        const ids = plan.add(e.stage, params, await select(e.datasets, params));
        addRows(
          ids,
          point
            ? {
              experiment: SWEEP_TABLE,
              table: SWEEP_TABLE,
              label: pointLabel(point) + (manyLabels ? ` · ${run.label}` : ""),
              x: sweepX(point),
              seed: run.seed,
            }
            : {
              experiment: e.name,
              table: e.table,
              label: run.label,
              x: run.x,
              seed: run.seed,
              figures: run.figures,
            },
        );
      }
    }
  }
  const missing = (req.datasets ?? []).filter((d) => !covered.has(d));
  if (missing.length) {
    const why: string[] = [];
    for (const name of missing) {
      why.push(
        await app.discovery.missing?.(name, req.dataRoot) ??
          `Dataset "${name}" not found under "${req.dataRoot}"`,
      );
    }
    throw new Error(
      `${why.join("\n")}\n(--datasets ${req.datasets!.join(",")}; the targets ${
        req.targets.join(", ")
      } cover here: ${[...covered].join(", ") || "nothing"})`,
    );
  }
  return { plan, labels, base };
}

async function git(args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "";
  } catch {
    return "";
  }
}

/** The executor of a request: Slurm, worker processes (`--jobs N`) or the driver itself. */
async function createExecutor(req: RunRequest, log: (line: string) => void): Promise<Executor> {
  if (req.dryRun) return localExecutor(req.jobs);
  if (req.executor === "slurm") return await slurmExecutor({ req, slurm: req.slurm ?? {}, log });
  if (req.jobs <= 1) return localExecutor(1);
  // With --jobs > 1, heavy instances run in worker processes so that they use several cores.
  const requestFile = await writeRequestFile(req, req.cacheDir);
  const cores = navigator.hardwareConcurrency ?? 1;
  return localExecutor(
    req.jobs,
    processDelegate(requestFile, Math.max(1, Math.floor(cores / req.jobs))),
    () => Deno.remove(requestFile).catch(() => {}),
  );
}

/** Runs a request end to end. Returns the run id, the summary and the exit code. */
export async function runRequest(
  request: RunRequest,
  app: App,
  opts: { progress?: ProgressSink; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<{ runId: string; summary: RunSummary; exitCode: number }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const resolved = withResolvedBackend(request);
  const req = resolved.req;
  log(`Backend: ${resolved.backend} (${resolved.why})`);
  const { plan, labels, base } = await buildPlan(req, app);
  const cache = new Cache(req.cacheDir);
  if (!req.dryRun) await cache.init();
  // A dry run (`lrtl status`) only reads: it takes no lock and never waits for a running job.
  using _lock = req.dryRun ? null : await acquireLock(cache.lockPath, {
    command: `lrtl run ${req.targets.join(" ")}`,
    onWait: (m) => log(m),
    onStale: (m) => log(m),
  });
  const runId = `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${
    crypto.randomUUID().slice(0, 6)
  }`;
  const store = req.dryRun ? undefined : new ResultsLog(req.dbPath, { onWait: log });
  try {
    await store?.check(); // a bad database file fails here, before any work
    // Runs left `running` by a process that is gone (killed, crashed) are marked as such. A run
    // that used this cache is over too: it held the lock this run now holds.
    await store?.with(async (db) => {
      for (const r of await db.runningRuns()) {
        const gone = r.pid !== null && r.host !== null &&
          holderAlive({ pid: r.pid, host: r.host, procStart: r.procStart }) === false;
        if (gone || r.cacheDir === req.cacheDir) {
          await db.markDead(r.runId);
          log(`Run ${r.runId} was left "running" by a process that is gone: marked killed.`);
        }
      }
    });
    const started = new Date();
    await store?.beginRun({
      run_id: runId,
      started,
      git_commit: await git(["rev-parse", "HEAD"]),
      git_dirty: (await git(["status", "--porcelain", "--untracked-files=no"])) !== "",
      runtime: app.env.runtime ?? "",
      tfjs: app.env.tfjs ?? "",
      backend: String(base["runtime.backend"]),
      profile: req.profile,
      experiments: req.targets.join(","),
      data_root: req.dataRoot,
      params_json: JSON.stringify(base),
      name: req.name,
      note: req.note,
      pid: Deno.pid,
      host: hostname(),
      proc_start: processStart(Deno.pid) ?? undefined,
      cache_dir: req.cacheDir,
      sweep_json: req.sweep?.length ? JSON.stringify(req.sweep) : undefined,
    });
    const executor = await createExecutor(req, log);
    const summary = await executePlan(plan, {
      delegate: executor.delegate,
      cache,
      store,
      runId,
      jobs: executor.jobs,
      dryRun: req.dryRun,
      force: new Set(req.force),
      env: app.env,
      stageEnv: { dataRoot: req.dataRoot, cacheDir: req.cacheDir },
      progress: opts.progress ?? createProgress(),
      signal: opts.signal,
      onResult: async (inst, r) => {
        const rows = labels.get(inst.id);
        if (!store || !rows || (r.status !== "ran" && r.status !== "cached")) return;
        await store.addMetrics(rows.flatMap((l) =>
          r.metrics.map((m) => ({
            run_id: runId,
            experiment: l.experiment,
            table_name: l.table,
            row_label: l.label || m.row || "",
            dataset: m.dataset ?? inst.scope.dataset ?? "",
            sequence: m.sequence ?? "",
            metric: m.metric,
            value: m.value,
            x: m.x ?? l.x ?? null,
            seed: l.seed ?? null,
            stage_id: inst.id,
            cache_key: r.key,
          }))
        ));
        // Figures (picture grids) an artifact carries are listed for the report: those of the
        // runs that ask for them (and of bare stage runs), not one per seed or sweep point.
        const shown = rows.find((l) => l.figures || l.experiment === inst.stage.name);
        if (!shown) return;
        const figs: { name: string; file: string; caption: string }[] = await Deno.readTextFile(
          join(r.dir!, "figures.json"),
        ).then(JSON.parse, () => []);
        await store.addFigures(figs.map((f) => ({
          run_id: runId,
          experiment: shown.experiment,
          name: `${shown.label || inst.id}: ${f.name}`,
          path: join(r.dir!, f.file),
          caption: f.caption,
        })));
      },
    }).finally(() => executor.close());
    const status = opts.signal?.aborted ? "interrupted" : summary.failed ? "failed" : "ok";
    await store?.finishRun(runId, status);
    if (req.dryRun) {
      for (const r of summary.results.values()) {
        log(`${r.status.padEnd(7)} ${r.id}  (${describeReason(r.reason)})`);
      }
      if (req.executor === "slurm") {
        for (const l of slurmDryRun(plan, summary, req, req.slurm ?? {})) log(l);
      }
    }
    const failed = [...summary.results.values()].filter((r) => r.status === "failed");
    for (const f of failed) log(`FAILED ${f.id}: ${f.error?.message}`);
    log(
      summary.ran === 0 && !req.dryRun && !failed.length
        ? `Nothing to do: all ${summary.cached} stage instances are up to date (run ${runId}).`
        : `Run ${runId}: ${summary.ran} ran, ${summary.cached} cached, ${summary.failed} failed, ${summary.skipped} skipped` +
          (req.dryRun
            ? `, ${[...summary.results.values()].filter((r) => r.status === "stale").length} stale`
            : "") +
          ".",
    );
    return { runId, summary, exitCode: failed.length || opts.signal?.aborted ? 1 : 0 };
  } finally {
    await store?.close();
  }
}

/** What `lrtl verify` found. */
export interface VerifyResult {
  /** Artifacts re-hashed in full. */
  verified: number;
  /** Instances whose artifact failed, with the problem; evicted so the next run rebuilds them. */
  corrupted: { id: string; detail: string }[];
  /** Instances with no artifact yet (the next run builds them). */
  missing: number;
}

/**
 * `lrtl verify`: re-hashes every file of every cached artifact the request's plan would read
 * (the daily fast path only re-hashes a file whose size or mtime changed). Corrupted artifacts
 * are evicted (under the cache lock) so the next run rebuilds them.
 */
export async function verifyRequest(
  req: RunRequest,
  app: App,
  opts: { log?: (line: string) => void } = {},
): Promise<VerifyResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const { plan } = await buildPlan(req, app);
  const cache = new Cache(req.cacheDir);
  const summary = await executePlan(plan, {
    cache,
    runId: "verify",
    dryRun: true,
    env: app.env,
    stageEnv: { dataRoot: req.dataRoot, cacheDir: req.cacheDir },
    progress: new SilentProgress(),
  });
  const out: VerifyResult = { verified: 0, corrupted: [], missing: 0 };
  const bad: string[] = [];
  for (const r of summary.results.values()) {
    if (r.status === "cached") {
      const deep = await cache.verifyDeep(r.key);
      out.verified++;
      if (!deep.ok) {
        out.corrupted.push({ id: r.id, detail: deep.detail });
        bad.push(r.key);
      }
    } else if (r.reason.kind === "output corrupted") {
      out.corrupted.push({ id: r.id, detail: r.reason.detail });
      bad.push(r.key);
    } else if (r.status === "stale") out.missing++;
  }
  for (const c of out.corrupted) log(`CORRUPTED ${c.id}: ${c.detail}`);
  if (bad.length) {
    using _lock = await acquireLock(cache.lockPath, {
      command: "lrtl verify",
      onWait: log,
      onStale: log,
    });
    for (const key of bad) await cache.evict(key);
    log(`Removed ${bad.length} corrupted artifact(s) from the cache: the next run rebuilds them.`);
  }
  log(
    `Verified ${out.verified} cached artifact(s) in full: ${
      out.corrupted.length ? `${out.corrupted.length} corrupted` : "all intact"
    }` + (out.missing ? ` (${out.missing} instance(s) not built yet)` : "") + ".",
  );
  return out;
}
