/**
 * The provenance block of a report: where the numbers come from (commit, runtime, backend,
 * settings that change numbers, seeds, time, which stages ran and which came from the cache).
 *
 * @module
 */
import type { MetricRecord, RunRecord, StageRunRecord } from "../pipeline/results_schema.ts";

/** A parameter picked out of `params_json` for the provenance block. */
export interface PickedParam {
  key: string;
  value: string;
}

/** The provenance of one run. */
export interface Provenance {
  run: RunRecord;
  /** Flow estimator, tracker, architecture and seed settings found in `params_json`. */
  params: PickedParam[];
  /** All seeds seen in the run's metrics. */
  seeds: number[];
  stages: {
    total: number;
    ran: number;
    cached: number;
    failed: number;
    skipped: number;
    /** Seconds spent in stages that ran. */
    secondsRan: number;
  };
  stageRuns: StageRunRecord[];
}

/** Keys (last dotted segment) picked out of params_json. */
export const PICKED_PARAM =
  /(estimator|tracker|backbone|arch|architecture|seeds?|profile|valEvery|selectByVal)$/i;

/** Flattens nested JSON objects to dotted keys; arrays and scalars are leaves. */
export function flattenParams(value: unknown, prefix = ""): PickedParam[] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      flattenParams(v, prefix ? `${prefix}.${k}` : k)
    );
  }
  return [{ key: prefix, value: typeof value === "string" ? value : JSON.stringify(value) }];
}

/**
 * Builds the provenance of a run.
 * @throws Error when `params_json` is not valid JSON
 */
export function buildProvenance(
  run: RunRecord,
  stageRuns: readonly StageRunRecord[],
  metrics: readonly MetricRecord[],
): Provenance {
  let params: PickedParam[] = [];
  if (run.paramsJson.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(run.paramsJson);
    } catch (e) {
      throw new Error(
        `Cannot read params_json of run "${run.runId}": ${(e as Error).message}`,
      );
    }
    params = flattenParams(parsed).filter((p) => PICKED_PARAM.test(p.key.split(".").pop()!));
  }
  const seeds = [...new Set(metrics.map((m) => m.seed).filter((s): s is number => s !== null))]
    .sort((a, b) => a - b);
  const count = (status: string) => stageRuns.filter((s) => s.status === status).length;
  return {
    run,
    params,
    seeds,
    stages: {
      total: stageRuns.length,
      ran: count("ran"),
      cached: count("cached"),
      failed: count("failed"),
      skipped: count("skipped"),
      secondsRan: stageRuns.filter((s) => s.status === "ran")
        .reduce((a, s) => a + (s.seconds ?? 0), 0),
    },
    stageRuns: [...stageRuns],
  };
}

/** Formats seconds as `1 h 02 min`, `3 min 05 s` or `4.2 s`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0
    ? `${h} h ${String(m).padStart(2, "0")} min`
    : `${m} min ${String(r).padStart(2, "0")} s`;
}
