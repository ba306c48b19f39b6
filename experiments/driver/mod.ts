/**
 * The run driver: a request (request.ts) becomes a plan (plan.ts) that runs against the cache
 * with an executor behind the engine's `Executor` interface — the driver itself or local worker
 * processes (local.ts), or a Slurm array (slurm.ts) — and lands in the results store (run.ts).
 * @module
 */
export type { App, DatasetDiscovery, RunRequest, SweepAxis } from "./request.ts";
export {
  baseParams,
  buildPlan,
  parseSweep,
  pointLabel,
  resolveTargets,
  sweepPoints,
  withResolvedBackend,
} from "./plan.ts";
export { SWEEP_TABLE } from "../tables.ts";
export { runRequest, verifyRequest, type VerifyResult } from "./run.ts";
export { processDelegate, runStageWorker } from "./local.ts";
export {
  batchScript,
  parseSlurmFlags,
  SLURM_WARNING_SECONDS,
  slurmDryRun,
  slurmExecutor,
  type SlurmFlags,
} from "./slurm.ts";
