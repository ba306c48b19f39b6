/**
 * A `runs` row for tests that write a results store: empty provenance, overridable.
 * @module
 */
import type { RunRow } from "../pipeline/results_schema.ts";

/** A run `run_id` of profile smoke started now (or as `over` says). */
export function testRunRow(run_id: string, over: Partial<RunRow> = {}): RunRow {
  return {
    run_id,
    started: new Date(),
    git_commit: "",
    git_dirty: false,
    runtime: "",
    tfjs: "",
    backend: "wasm",
    profile: "smoke",
    experiments: "main",
    data_root: "",
    params_json: "{}",
    ...over,
  };
}
