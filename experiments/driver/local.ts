/**
 * Worker processes for heavy stage instances, so that `--jobs N` uses N cores: the driver
 * writes the run request to a file, and each worker rebuilds the same plan, runs exactly one
 * instance (its inputs are already cached) and commits the artifact to the shared cache.
 * Progress and log lines come back on the worker's stdout as JSON lines.
 * @module
 */
import { Cache, executePlan, type Instance, type ProgressSink } from "../../pipeline/mod.ts";
import type { DelegatedJob } from "../../pipeline/runner.ts";
import { buildPlan } from "./plan.ts";
import { type App, readRequestFile } from "./request.ts";

const MAIN = new URL("../../cli/main.ts", import.meta.url).pathname;

/**
 * A delegate that runs each instance in `deno run cli/main.ts run-stage`. `threads`: the
 * native TensorFlow backend's intra-op threads per worker (`TF_NUM_INTRAOP_THREADS`, unless the
 * user set it), so that N workers do not each start a pool over all cores.
 */
export function processDelegate(requestFile: string, threads?: number) {
  const env: Record<string, string> = { NO_COLOR: "1" };
  if (threads !== undefined && Deno.env.get("TF_NUM_INTRAOP_THREADS") === undefined) {
    env.TF_NUM_INTRAOP_THREADS = String(threads);
  }
  return async (inst: Instance, job: DelegatedJob): Promise<void> => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--max-old-space-size=16384",
        MAIN,
        "run-stage",
        inst.id,
        "--request",
        requestFile,
        "--key",
        job.key,
        "--watch-parent",
      ],
      // Never written: when the driver dies, however it dies, the worker reads end-of-file and
      // stops (a training with a checkpoint), instead of training on unsupervised.
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env,
    }).spawn();
    // Ask the worker to stop cleanly (a training writes a checkpoint); if it has not exited
    // after a grace period, kill it (the next run resumes from its last checkpoint).
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      child.kill("SIGINT");
      killTimer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    };
    job.signal?.addEventListener("abort", onAbort);
    const stderr = new Response(child.stderr).text();
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const m = JSON.parse(line);
          if (m.progress) job.progress(m.progress[0], m.progress[1], m.progress[2]);
          else if (m.log) job.log(m.log);
        } catch {
          job.log(line);
        }
      }
    }
    const status = await child.status;
    await child.stdin.close().catch(() => {});
    job.signal?.removeEventListener("abort", onAbort);
    clearTimeout(killTimer);
    if (!status.success) {
      const tail = (await stderr).trim().split("\n").slice(-8).join("\n");
      throw new Error(`worker for ${inst.id} exited with code ${status.code}: ${tail}`);
    }
  };
}

/** Progress as JSON lines on stdout (read by {@link processDelegate}). */
class JsonLineProgress implements ProgressSink {
  private last = 0;
  start() {}
  stageStart() {}
  stageProgress(_id: string, done: number, total: number, note?: string) {
    const now = Date.now();
    if (now - this.last < 250 && done < total) return;
    this.last = now;
    console.log(JSON.stringify({ progress: [done, total, note] }));
  }
  stageEnd(id: string, status: string, _s: number, detail?: string) {
    if (status === "failed") console.error(`${id} failed: ${detail}`);
  }
  log(message: string) {
    console.log(JSON.stringify({ log: message.replace(/^[^:]*: /, "") }));
  }
  stop() {}
}

/**
 * `lrtl run-stage <id> --request <file>`: the worker side. Returns the exit code. With
 * `watchParent`, stdin is a pipe from the driver: its end means the driver is gone, and the
 * worker stops as on Ctrl-C.
 */
export async function runStageWorker(
  id: string,
  requestFile: string,
  app: App,
  opts: { watchParent?: boolean; key?: string } = {},
): Promise<number> {
  const req = await readRequestFile(requestFile);
  const { plan } = await buildPlan(req, app);
  const ac = new AbortController();
  // Ctrl-C (from the driver) and SIGTERM (Slurm's time-limit warning, `kill`): stop cleanly, so
  // a training writes its checkpoint.
  Deno.addSignalListener("SIGINT", () => ac.abort());
  Deno.addSignalListener("SIGTERM", () => ac.abort());
  if (opts.watchParent) {
    (async () => {
      try {
        for await (const _ of Deno.stdin.readable) { /* the driver never writes */ }
      } catch { /* closed */ }
      if (!ac.signal.aborted) {
        console.error(`${id}: the driver is gone; stopping`);
        ac.abort();
      }
    })();
  }
  const summary = await executePlan(plan.closure(id), {
    cache: new Cache(req.cacheDir),
    runId: "worker",
    jobs: 1,
    env: app.env,
    stageEnv: { dataRoot: req.dataRoot, cacheDir: req.cacheDir },
    progress: new JsonLineProgress(),
    signal: ac.signal,
    expectKeys: opts.key ? new Map([[id, opts.key]]) : undefined,
  });
  const r = summary.results.get(id);
  if (!r || (r.status !== "ran" && r.status !== "cached")) {
    console.error(r?.error?.message ?? `instance ${id} did not run`);
    return 1;
  }
  return 0;
}
