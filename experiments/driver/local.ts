/**
 * Worker processes for heavy stage instances, so that `--jobs N` uses N cores: the driver
 * writes each instance's task (its stage, params, input artifacts and expected cache key) to a
 * file, and a worker runs exactly that instance — no plan, no dataset discovery — checks the
 * key and commits the artifact to the shared cache. Progress and log lines come back on the
 * worker's stdout as JSON lines.
 * @module
 */
import {
  Cache,
  type Instance,
  type ProgressSink,
  readTaskFile,
  runTask,
  writeTaskFile,
} from "../../pipeline/mod.ts";
import type { DelegatedJob } from "../../pipeline/runner.ts";
import type { App } from "./request.ts";

const MAIN = new URL("../../cli/main.ts", import.meta.url).pathname;

/**
 * A delegate that runs each instance in `deno run cli/main.ts run-stage --task <file>`, its
 * task file written into `taskDir`. `threads`: the native TensorFlow backend's intra-op
 * threads per worker (`TF_NUM_INTRAOP_THREADS`, unless the user set it), so that N workers do
 * not each start a pool over all cores.
 */
export function processDelegate(taskDir: string, threads?: number) {
  const env: Record<string, string> = { NO_COLOR: "1" };
  if (threads !== undefined && Deno.env.get("TF_NUM_INTRAOP_THREADS") === undefined) {
    env.TF_NUM_INTRAOP_THREADS = String(threads);
  }
  return async (inst: Instance, job: DelegatedJob): Promise<void> => {
    const taskFile = await writeTaskFile(job.task, taskDir);
    try {
      await runWorker(inst, job, taskFile, env);
    } finally {
      await Deno.remove(taskFile).catch(() => {});
    }
  };
}

/** One `lrtl run-stage --task` process for `inst`, its lines forwarded to `job`. */
async function runWorker(
  inst: Instance,
  job: DelegatedJob,
  taskFile: string,
  env: Record<string, string>,
): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--max-old-space-size=16384",
      MAIN,
      "run-stage",
      "--task",
      taskFile,
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
 * `lrtl run-stage --task <file>`: the worker side. Returns the exit code (1, with the reason on
 * stderr, when the instance failed or its cache key is not the one the driver sent). With
 * `watchParent`, stdin is a pipe from the driver: its end means the driver is gone, and the
 * worker stops as on Ctrl-C.
 */
export async function runStageWorker(
  taskFile: string,
  app: App,
  opts: { watchParent?: boolean } = {},
): Promise<number> {
  const task = await readTaskFile(taskFile);
  const id = task.id;
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
  const r = await runTask(task, {
    stages: app.stages,
    cache: new Cache(task.cacheDir),
    env: app.env,
    progress: new JsonLineProgress(),
    signal: ac.signal,
  });
  if (r.status !== "ran" && r.status !== "cached") {
    console.error(r.error?.message ?? `instance ${id} did not run`);
    return 1;
  }
  return 0;
}
