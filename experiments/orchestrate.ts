/**
 * From a command line's request to a finished run: resolve params (defaults → profile →
 * params file → --set), expand experiments (or bare stage names) into one plan over the
 * datasets they cover, run it against the cache and record everything in the results store.
 * @module
 */
import { join } from "node:path";
import {
  acquireLock,
  Cache,
  createProgress,
  describeReason,
  executePlan,
  type OverrideLayer,
  type Params,
  Plan,
  type PlanDataset,
  type ProgressSink,
  resolveParams,
  ResultsStore,
  type RunSummary,
  StageRegistry,
} from "../pipeline/mod.ts";
import { PROFILES, SCHEMA } from "../stages/params.ts";
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
}

/** How the pipeline finds datasets; the stages module provides the real one. */
export interface DatasetDiscovery {
  /** Datasets an experiment's selector covers, given the resolved params. */
  select(selector: DatasetSelector, params: Params, dataRoot: string): Promise<PlanDataset[]>;
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

/** The params of a request before any experiment's overrides. */
export function baseParams(req: Pick<RunRequest, "profile" | "layers">): Params {
  const profile = PROFILES[req.profile];
  if (!profile) {
    throw new Error(
      `Unknown profile "${req.profile}"; available: ${Object.keys(PROFILES).join(", ")}`,
    );
  }
  return resolveParams(SCHEMA, [
    { origin: `profile ${req.profile}`, values: profile },
    ...req.layers,
  ]);
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

/** Builds the plan of a request; `labels` maps target instance ids to table rows. */
export async function buildPlan(
  req: RunRequest,
  app: App,
): Promise<{ plan: Plan; labels: Map<string, RowLabel[]>; base: Params }> {
  const registry = new StageRegistry(app.stages);
  const base = baseParams(req);
  const plan = new Plan(registry, base);
  const labels = new Map<string, RowLabel[]>();
  const filter = (ds: PlanDataset[]) =>
    req.datasets ? ds.filter((d) => req.datasets!.includes(d.name)) : ds;
  for (const target of resolveTargets(req.targets, [...registry.stages.keys()])) {
    if (target.kind === "stage") {
      // A bare stage's metrics are kept under its own name (table = stage).
      const datasets = filter(await app.discovery.select("videos", base, req.dataRoot));
      for (const id of plan.add(target.stage, base, datasets)) {
        labels.set(id, [...(labels.get(id) ?? []), {
          experiment: target.stage,
          table: target.stage,
          label: "",
        }]);
      }
      continue;
    }
    const e = target.experiment;
    for (const run of e.runs(req.profile)) {
      const params = resolveParams(SCHEMA, [
        { origin: `profile ${req.profile}`, values: PROFILES[req.profile] },
        ...req.layers,
        { origin: `experiment ${e.name}, run "${run.label}"`, values: run.overrides },
      ]);
      const datasets = filter(await app.discovery.select(e.datasets, params, req.dataRoot));
      for (const id of plan.add(e.stage, params, datasets)) {
        const list = labels.get(id) ?? [];
        list.push({
          experiment: e.name,
          table: e.table,
          label: run.label,
          x: run.x,
          seed: run.seed,
          figures: run.figures,
        });
        labels.set(id, list);
      }
    }
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
  return localExecutor(
    req.jobs,
    processDelegate(requestFile),
    () => Deno.remove(requestFile).catch(() => {}),
  );
}

/** Runs a request end to end. Returns the run id, the summary and the exit code. */
export async function runRequest(
  req: RunRequest,
  app: App,
  opts: { progress?: ProgressSink; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<{ runId: string; summary: RunSummary; exitCode: number }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const { plan, labels, base } = await buildPlan(req, app);
  const cache = new Cache(req.cacheDir);
  await cache.init();
  using _lock = await acquireLock(cache.lockPath, {
    command: `lrtl run ${req.targets.join(" ")}`,
    onWait: (h) =>
      log(`Waiting for the cache lock held by pid ${h.pid} ("${h.command}", since ${h.since})…`),
  });
  const runId = `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${
    crypto.randomUUID().slice(0, 6)
  }`;
  const store = req.dryRun ? undefined : await ResultsStore.open(req.dbPath);
  try {
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
    store?.close();
  }
}
