/**
 * Executors: where the heavy stage instances of a run execute. `local` is the runner itself
 * (in-process, or worker processes with `--jobs N`); `slurm` hands them to a cluster scheduler
 * (`experiments/driver/slurm.ts`). Either way an executor is a {@link RunOptions.delegate} plus the
 * concurrency the runner should allow, and every artifact lands in the one shared cache.
 * @module
 */
import type { Instance } from "./graph.ts";
import type { DelegatedJob } from "./runner.ts";

/** The executors `lrtl run --executor` accepts. */
export const EXECUTORS = ["local", "slurm"] as const;

/** An executor's name. */
export type ExecutorKind = typeof EXECUTORS[number];

/** What `executePlan` needs from an executor. */
export interface Executor {
  readonly kind: ExecutorKind;
  /** Instances the runner may have in flight at once (a scheduler throttles on its own). */
  readonly jobs: number;
  /** Runs a heavy instance elsewhere; absent: in the driver process. */
  readonly delegate?: (inst: Instance, job: DelegatedJob) => Promise<void>;
  /** Releases what the executor holds (queued cluster jobs, request files). Idempotent. */
  close(): Promise<void>;
}

/** Settings of the Slurm executor (`lrtl run --executor slurm …`). */
export interface SlurmOptions {
  /** `--partition`; the cluster's default when absent. */
  partition?: string;
  /** `--gpus-per-task` for every array task. */
  gpusPerTask?: number;
  /** `--cpus-per-task` for every array task. */
  cpusPerTask?: number;
  /** `--time` limit per task, `HH:MM:SS` (or any form sbatch accepts). */
  time?: string;
  /** Array throttle: at most this many tasks of one array run at once (`--array=0-9%N`). */
  maxParallel?: number;
  /** How often a failed, cancelled or timed-out task is resubmitted before it is reported. */
  retries?: number;
}

/**
 * The local executor: heavy instances run in the driver (`jobs` = 1) or, given a delegate,
 * in worker processes (`--jobs N`).
 */
export function localExecutor(
  jobs: number,
  delegate?: (inst: Instance, job: DelegatedJob) => Promise<void>,
  cleanup?: () => Promise<void>,
): Executor {
  let closed = false;
  return {
    kind: "local",
    jobs,
    delegate,
    close: async () => {
      if (closed) return;
      closed = true;
      await cleanup?.();
    },
  };
}
