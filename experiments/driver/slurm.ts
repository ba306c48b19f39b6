/**
 * The Slurm executor: heavy stage instances run as Slurm array tasks against the shared cache.
 *
 * The runner delegates an instance once all its inputs are in the cache; the executor collects
 * the instances delegated within a short window into one job array (`sbatch --array=0-N%M`),
 * whose task `i` runs `lrtl run-stage --task <file>` for the task file on the `i`-th line of an
 * index file (each task carries its instance's params, input artifacts and expected cache key). So a sweep's points go out as one array, and each downstream instance (an `evaluate`
 * after its `train`) is submitted as soon as its own inputs are done — waves follow the graph
 * without `afterok` chains that one failed task would block for every dependent.
 *
 * The driver polls `scontrol show job` (falling back to `sacct`), forwards each task's progress
 * lines from its log (`<cache>/slurm/<jobid>_<task>.log`) to the progress display, and resolves
 * the instance when the task has ended and its artifact is in the cache. A failed, cancelled or
 * timed-out task is resubmitted `retries` times, then reported with its log path. Tasks write no
 * database: each leaves `metrics.json` in its artifact, which the driver records in DuckDB.
 * @module
 */
import { basename, join, resolve } from "node:path";
import { Cache, type Instance, type Plan, type RunSummary } from "../../pipeline/mod.ts";
import type { DelegatedJob } from "../../pipeline/runner.ts";
import type { Executor, SlurmOptions } from "../../pipeline/executor.ts";
import type { RunRequest } from "./request.ts";

const PROJECT_ROOT = resolve(new URL("../..", import.meta.url).pathname);
const MAIN = join(PROJECT_ROOT, "cli", "main.ts");

/** Task states after which a task never runs again. */
const TERMINAL = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "OUT_OF_MEMORY",
  "BOOT_FAIL",
  "DEADLINE",
  "PREEMPTED",
]);

/** Seconds before its time limit that Slurm sends a task SIGTERM (`#SBATCH --signal`). */
export const SLURM_WARNING_SECONDS = 120;

/** What one array's batch script needs. */
export interface BatchSpec {
  /** Job name suffix, e.g. the stages in the array. */
  name: string;
  /** Number of array tasks. */
  count: number;
  /** `<task file>\t<instance id>` per line; line `i + 1` is array task `i`. */
  indexFile: string;
  /** Where `%A_%a.log` files go. */
  logDir: string;
  slurm: SlurmOptions;
}

/** Single-quotes a word for bash. */
function shq(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A path that goes into an `#SBATCH` line must not need quoting. */
function sbatchPath(p: string): string {
  if (/[\s%'"\\]/.test(p)) {
    throw new Error(
      `Slurm executor: the path "${p}" contains whitespace, a quote or "%", which #SBATCH lines cannot carry; use a cache dir without them`,
    );
  }
  return p;
}

/** The batch script of one job array. */
export function batchScript(b: BatchSpec): string {
  const o = b.slurm;
  const array = `0-${b.count - 1}${o.maxParallel ? `%${o.maxParallel}` : ""}`;
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=lrtl-${b.name.replace(/[^\w.-]+/g, "_")}`,
    `#SBATCH --array=${array}`,
    `#SBATCH --output=${sbatchPath(b.logDir)}/%A_%a.log`,
    `#SBATCH --chdir=${sbatchPath(PROJECT_ROOT)}`,
    "#SBATCH --ntasks=1",
  ];
  if (o.partition) lines.push(`#SBATCH --partition=${o.partition}`);
  if (o.gpusPerTask) lines.push(`#SBATCH --gpus-per-task=${o.gpusPerTask}`);
  if (o.cpusPerTask) lines.push(`#SBATCH --cpus-per-task=${o.cpusPerTask}`);
  if (o.time) lines.push(`#SBATCH --time=${o.time}`);
  // An early warning before the time limit: SIGTERM to the task (the script execs lrtl), which
  // stops a training at the next step with a checkpoint; the resubmitted task resumes from it.
  lines.push(`#SBATCH --signal=B:TERM@${SLURM_WARNING_SECONDS}`);
  lines.push(
    "# lrtl: one stage instance per array task; the index file maps the task id to the instance.",
    "set -euo pipefail",
    "export NO_COLOR=1",
    `index=${shq(b.indexFile)}`,
    // Line i + 1 is task i: "<task file>\t<instance id>"; the task holds the expected key.
    'line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$index")',
    '[ -n "$line" ] || { echo "lrtl: no instance for array task $SLURM_ARRAY_TASK_ID in $index" >&2; exit 2; }',
    "task=${line%%$'\\t'*}",
    "id=${line#*$'\\t'}",
    'echo "lrtl: $id on $(hostname) as ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}" >&2',
    `exec ${shq(Deno.execPath())} run -A --v8-flags=--max-old-space-size=16384 ${
      shq(MAIN)
    } run-stage --task "$task"`,
    "",
  );
  return lines.join("\n");
}

/** Runs a Slurm client command (argument array, no shell); returns stdout or throws with stderr. */
async function slurmCommand(cmd: string, args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    throw new Error(
      `Slurm executor: cannot run ${cmd} (${(e as Error).message}); is Slurm installed?`,
    );
  }
  const dec = new TextDecoder();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${dec.decode(out.stderr).trim()}`);
  }
  return dec.decode(out.stdout);
}

/** Expands an `ArrayTaskId` value: `3`, `0-7%2`, `1,3-4`. */
function expandTaskIds(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.replace(/%\d+$/, "").split(",")) {
    const [a, b] = part.split("-").map(Number);
    if (!Number.isFinite(a)) continue;
    for (let i = a; i <= (Number.isFinite(b) ? b : a); i++) out.push(i);
  }
  return out;
}

/** State of one array task, as Slurm reports it. */
interface TaskState {
  state: string;
  exit?: string;
  reason?: string;
}

/** States of an array's tasks: `scontrol show job`, or `sacct` once the job left slurmctld. */
async function arrayStates(jobId: string): Promise<Map<number, TaskState> | null> {
  const states = new Map<number, TaskState>();
  try {
    const text = await slurmCommand("scontrol", ["show", "job", "-o", jobId]);
    for (const line of text.split("\n")) {
      const task = /\bArrayTaskId=(\S+)/.exec(line)?.[1];
      const state = /\bJobState=(\S+)/.exec(line)?.[1];
      if (!task || !state) continue;
      const s = {
        state,
        exit: /\bExitCode=(\S+)/.exec(line)?.[1],
        reason: /\bReason=(\S+)/.exec(line)?.[1],
      };
      for (const i of expandTaskIds(task)) states.set(i, s);
    }
    if (states.size) return states;
  } catch { /* purged from slurmctld (MinJobAge): ask the accounting database */ }
  try {
    const text = await slurmCommand("sacct", [
      "-n",
      "-P",
      "-X",
      "-j",
      jobId,
      "-o",
      "JobID,State,ExitCode",
    ]);
    for (const line of text.split("\n")) {
      const [id, state, exit] = line.split("|");
      const m = /_(\d+)$/.exec(id ?? "");
      if (m && state) states.set(Number(m[1]), { state: state.split(" ")[0], exit });
    }
    return states.size ? states : null;
  } catch {
    return null;
  }
}

/** The bytes of a file from `offset` on (empty when it does not exist yet). */
async function readFrom(path: string, offset: number): Promise<Uint8Array> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch {
    return new Uint8Array();
  }
  try {
    await file.seek(offset, Deno.SeekMode.Start);
    const chunks: Uint8Array[] = [];
    for await (const c of file.readable) chunks.push(c);
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) out.set(c, (at += c.length) - c.length);
    return out;
  } catch {
    try {
      file.close();
    } catch { /* the stream closed it */ }
    return new Uint8Array();
  }
}

/** An instance waiting for, or running in, an array task. */
interface Item {
  inst: Instance;
  job: DelegatedJob;
  attempt: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** A submitted array task. */
interface Task {
  item: Item;
  jobId: string;
  index: number;
  log: string;
  offset: number;
  shown: string;
}

/** `lrtl run` flags of the Slurm executor, as commander hands them over. */
export interface SlurmFlags {
  partition?: string;
  gpusPerTask?: string;
  cpusPerTask?: string;
  time?: string;
  slurmMaxParallel?: string;
  slurmRetries?: string;
}

/** Validates the Slurm flags; errors name the flag and the value. */
export function parseSlurmFlags(f: SlurmFlags): SlurmOptions {
  const int = (flag: string, v: string | undefined, min: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      throw new Error(`${flag} must be an integer ≥ ${min}, got "${v}"`);
    }
    return n;
  };
  if (f.time !== undefined && !/^(\d+-)?\d+(:\d+){0,2}$/.test(f.time)) {
    throw new Error(`--time must look like HH:MM:SS (or D-HH:MM:SS, MM), got "${f.time}"`);
  }
  if (f.partition !== undefined && !/^[\w.,-]+$/.test(f.partition)) {
    throw new Error(`--partition must be a partition name (or a comma list), got "${f.partition}"`);
  }
  return {
    partition: f.partition,
    gpusPerTask: int("--gpus-per-task", f.gpusPerTask, 1),
    cpusPerTask: int("--cpus-per-task", f.cpusPerTask, 1),
    time: f.time,
    maxParallel: int("--slurm-max-parallel", f.slurmMaxParallel, 1),
    retries: int("--slurm-retries", f.slurmRetries, 0),
  };
}

/** Options of {@link slurmExecutor}. */
export interface SlurmExecutorOptions {
  req: RunRequest;
  slurm: SlurmOptions;
  /** Where lines about submissions and failures go. */
  log: (line: string) => void;
  /** How long delegated instances are collected into one array (ms; default 1500). */
  windowMs?: number;
  /** Poll interval of `scontrol` (ms; default 2000). */
  pollMs?: number;
}

/** Submits delegated heavy instances as Slurm job arrays and waits for them. */
export async function slurmExecutor(o: SlurmExecutorOptions): Promise<Executor> {
  // Fail before anything runs when this machine cannot submit.
  await slurmCommand("sbatch", ["--version"]);
  const dir = join(o.req.cacheDir, "slurm");
  const stamp = `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${
    crypto.randomUUID().slice(0, 6)
  }`;
  const cache = new Cache(o.req.cacheDir);
  const retries = o.slurm.retries ?? 1;
  const queue: Item[] = [];
  const tasks = new Map<string, Task>();
  const jobs = new Set<string>();
  let batches = 0;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let polling: Promise<void> = Promise.resolve();
  let pollRunning = false;
  let closed = false;

  const submit = async (batch: Item[]) => {
    const n = ++batches;
    await Deno.mkdir(dir, { recursive: true });
    const indexFile = join(dir, `${stamp}-b${n}.ids`);
    const scriptFile = join(dir, `${stamp}-b${n}.sh`);
    const stages = [...new Set(batch.map((b) => b.inst.stage.name))].join("+");
    const lines: string[] = [];
    for (const [i, b] of batch.entries()) {
      const taskFile = join(dir, `${stamp}-b${n}-${i}.task.json`);
      await Deno.writeTextFile(taskFile, JSON.stringify(b.job.task));
      lines.push(`${taskFile}\t${b.inst.id}`);
    }
    await Deno.writeTextFile(indexFile, lines.join("\n") + "\n");
    await Deno.writeTextFile(
      scriptFile,
      batchScript({
        name: stages,
        count: batch.length,
        indexFile,
        logDir: dir,
        slurm: o.slurm,
      }),
    );
    const jobId = (await slurmCommand("sbatch", ["--parsable", scriptFile])).trim().split(";")[0];
    if (!/^\d+$/.test(jobId)) throw new Error(`sbatch answered "${jobId}", not a job id`);
    jobs.add(jobId);
    o.log(
      `slurm: submitted job ${jobId}: ${batch.length} task(s) of ${stages} (logs ${dir}/${jobId}_<task>.log)`,
    );
    batch.forEach((item, index) => {
      tasks.set(`${jobId}_${index}`, {
        item,
        jobId,
        index,
        log: join(dir, `${jobId}_${index}.log`),
        offset: 0,
        shown: "",
      });
      item.job.progress(0, 1, `queued as ${jobId}_${index}`);
    });
    if (!pollRunning) {
      pollRunning = true;
      polling = poll();
    }
  };

  const flush = () => {
    flushTimer = undefined;
    const batch = queue.splice(0);
    if (closed) {
      for (const b of batch) b.reject(new Error("the Slurm executor was closed"));
      return;
    }
    if (!batch.length) return;
    submit(batch).catch((e) => {
      for (const b of batch) b.reject(e instanceof Error ? e : new Error(String(e)));
    });
  };

  /** Forwards a task's new progress and log lines (JSON lines of `run-stage`). */
  const follow = async (t: Task) => {
    const bytes = await readFrom(t.log, t.offset);
    const end = bytes.lastIndexOf(10) + 1; // complete lines only
    if (!end) return;
    t.offset += end;
    for (const line of new TextDecoder().decode(bytes.subarray(0, end)).split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const m = JSON.parse(line);
        if (m.progress) t.item.job.progress(m.progress[0], m.progress[1], m.progress[2]);
        else if (m.log) t.item.job.log(m.log);
      } catch { /* not a progress line */ }
    }
  };

  const logTail = async (path: string) => {
    const size = await Deno.stat(path).then((s) => s.size, () => 0);
    const text = new TextDecoder().decode(await readFrom(path, Math.max(0, size - 16_384)));
    return text.trim().split("\n").filter((l) => !l.startsWith("{")).slice(-6).join("\n");
  };

  /** A task ended: resolve if its artifact is there, else retry or report. */
  const ended = async (name: string, t: Task, s: TaskState | undefined) => {
    tasks.delete(name);
    await follow(t);
    const check = await cache.check(t.item.job.key);
    if (check.ok) return t.item.resolve();
    const what = s
      ? `${s.state}${s.exit ? ` (exit ${s.exit})` : ""}${
        s.reason && s.reason !== "None" ? `, ${s.reason}` : ""
      }`
      : "ended (state unknown)";
    if (t.item.attempt < retries && !closed) {
      o.log(`slurm: task ${name} (${t.item.inst.id}) ${what}; resubmitting. Log: ${t.log}`);
      enqueue({ ...t.item, attempt: t.item.attempt + 1 });
      return;
    }
    const tail = await logTail(t.log);
    t.item.reject(
      new Error(
        `Slurm task ${name} ${what}${
          s?.state === "COMPLETED" ? " but left no artifact" : ""
        }; log: ${t.log}${tail ? `\n${tail}` : ""}`,
      ),
    );
  };

  const poll = async () => {
    try {
      await pollLoop();
    } finally {
      pollRunning = false;
    }
  };

  const pollLoop = async () => {
    let failures = 0;
    while (tasks.size && !closed) {
      await new Promise((r) => setTimeout(r, o.pollMs ?? 2000));
      const live = new Set([...tasks.values()].map((t) => t.jobId));
      const states = new Map<string, Map<number, TaskState> | null>();
      for (const j of live) states.set(j, await arrayStates(j));
      if ([...states.values()].every((s) => s === null)) {
        if (++failures >= 30) {
          const err = new Error(
            "Slurm executor: neither scontrol nor sacct answers about jobs " +
              [...live].join(", "),
          );
          for (const [name, t] of tasks) {
            tasks.delete(name);
            t.item.reject(err);
          }
        }
        continue;
      }
      failures = 0;
      for (const [name, t] of [...tasks]) {
        const byTask = states.get(t.jobId);
        const s = byTask?.get(t.index);
        if (!s || TERMINAL.has(s.state)) {
          // Gone from the controller without a state: the cache decides.
          await ended(name, t, s).catch((e) => t.item.reject(e));
          continue;
        }
        if (s.state === "RUNNING") await follow(t);
        const shown = s.state === "PENDING" ? `pending (${s.reason})` : s.state.toLowerCase();
        if (shown !== t.shown && s.state !== "RUNNING") t.item.job.progress(0, 1, shown);
        t.shown = shown;
      }
    }
  };

  function enqueue(item: Item) {
    queue.push(item);
    flushTimer ??= setTimeout(flush, o.windowMs ?? 1500);
  }

  const cancelAll = async () => {
    if (!jobs.size) return;
    await slurmCommand("scancel", [...jobs]).catch((e) => o.log(`slurm: ${e.message}`));
  };

  return {
    kind: "slurm",
    // Every ready instance goes to the scheduler at once; `--slurm-max-parallel` throttles.
    jobs: 1_000_000,
    delegate: (inst, job) =>
      new Promise<void>((resolve, reject) => {
        if (job.signal?.aborted) return reject(new Error("interrupted"));
        job.signal?.addEventListener("abort", () => {
          if (!closed) {
            closed = true;
            cancelAll();
          }
          reject(new Error("interrupted; Slurm jobs cancelled"));
        }, { once: true });
        enqueue({ inst, job, attempt: 0, resolve, reject });
      }),
    close: async () => {
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      const unfinished = tasks.size > 0 || queue.length > 0;
      closed = true;
      if (unfinished) await cancelAll();
      await polling;
    },
  };
}

/**
 * For `lrtl run --executor slurm --dry-run`: the arrays a run would submit, each with its
 * batch script. Batch 1 holds the stale heavy instances whose inputs are cached or built in the
 * driver; batch k + 1 those that wait for batch k (submitted when their own inputs finish).
 */
export function slurmDryRun(
  plan: Plan,
  summary: RunSummary,
  req: RunRequest,
  slurm: SlurmOptions,
): string[] {
  const dir = join(req.cacheDir, "slurm");
  const depth = new Map<string, number>();
  for (const inst of plan.ordered()) {
    const r = summary.results.get(inst.id);
    if (r?.status !== "stale") continue;
    let d = 0;
    for (const up of [...inst.inputs.values()].flat()) {
      const u = plan.instances.get(up)!;
      const du = depth.get(up);
      if (du !== undefined) d = Math.max(d, du + (u.stage.cost === "heavy" ? 1 : 0));
    }
    depth.set(inst.id, d);
  }
  const batches: string[][] = [];
  for (const [id, d] of depth) {
    if (plan.instances.get(id)!.stage.cost !== "heavy") continue;
    (batches[d] ??= []).push(id);
  }
  const out: string[] = [];
  batches.filter(Boolean).forEach((ids, k) => {
    const indexFile = join(dir, `<run>-b${k + 1}.ids`);
    out.push(
      `# batch ${k + 1}: ${ids.length} task(s)${
        k ? ", submitted as their inputs (batch " + k + ") finish" : ""
      }; ${basename(indexFile)} lists:`,
      ...ids.map((id, i) => `#   ${i}\t${id}`),
      batchScript({
        name: [...new Set(ids.map((id) => plan.instances.get(id)!.stage.name))].join("+"),
        count: ids.length,
        indexFile,
        logDir: dir,
        slurm,
      }),
    );
  });
  if (!out.length) out.push("# slurm: nothing to submit: no heavy stage instance is stale");
  return out;
}
