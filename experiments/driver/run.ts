/**
 * From a command line's request to a finished run: build the plan (plan.ts), run it against the
 * cache with an executor (the driver itself, local worker processes or Slurm) and record
 * everything in the results store.
 * @module
 */
import { join } from "node:path";
import { hostname } from "node:os";
import {
  acquireLock,
  Cache,
  createProgress,
  describeReason,
  executePlan,
  holderAlive,
  processStart,
  type ProgressSink,
  ResultsLog,
  runningRuns,
  type RunSummary,
  SilentProgress,
} from "../../pipeline/mod.ts";
import { type Executor, localExecutor } from "../../pipeline/executor.ts";
import { processDelegate } from "./local.ts";
import { slurmDryRun, slurmExecutor } from "./slurm.ts";
import { buildPlan, withResolvedBackend } from "./plan.ts";
import type { App, RunRequest } from "./request.ts";

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
  const cores = navigator.hardwareConcurrency ?? 1;
  return localExecutor(
    req.jobs,
    processDelegate(join(req.cacheDir, "tmp"), Math.max(1, Math.floor(cores / req.jobs))),
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
      for (const r of await runningRuns(db.connection)) {
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
