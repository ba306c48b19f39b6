/**
 * Metric regression check: compare a run's aggregate metrics with the committed baselines
 * (`experiments/baselines/<profile>.json`), each with a tolerance and a direction, print what
 * moved and fail on a regression. `--update "why"` rewrites the baselines from a run and
 * records why in the file's history.
 * @module
 */
import { join } from "node:path";
import { latestRunId, ResultsStore, seedMeans } from "../pipeline/mod.ts";

/** One guarded metric. */
export interface BaselineEntry {
  table: string;
  row: string;
  dataset: string;
  metric: string;
  value: number;
  /** Allowed change in the bad direction, absolute. */
  tolerance: number;
  /** Which way is better; `both` means any change beyond the tolerance is a regression. */
  better: "higher" | "lower" | "both";
}

export interface BaselineFile {
  profile: string;
  history: { date: string; run: string; commit: string; why: string }[];
  entries: BaselineEntry[];
}

export const BASELINE_DIR = new URL("./baselines/", import.meta.url).pathname;

/** Direction and tolerance of a metric (percentages: points; losses and errors: relative). */
export function policy(metric: string, value: number): Pick<BaselineEntry, "better" | "tolerance"> {
  if (
    /^(J|ari|fg_ari|delta_\d+|delta_avg|within_\dpx|average_jaccard|occlusion_accuracy)$/.test(
      metric,
    )
  ) {
    return { better: "higher", tolerance: 3 };
  }
  if (metric === "misclassification") return { better: "lower", tolerance: 3 };
  if (metric === "epe") {
    return { better: "lower", tolerance: Math.max(0.05, 0.2 * Math.abs(value)) };
  }
  return { better: "both", tolerance: Math.max(1e-9, 0.05 * Math.abs(value)) };
}

/** Metrics never guarded (timings depend on the machine). */
const UNGUARDED = /^(ms_per_pair|seconds)$/;

/** Aggregate metrics of a run that the baselines guard: mean over seeds of the dataset-level rows. */
export async function runAggregates(
  store: ResultsStore,
  runId: string,
): Promise<Omit<BaselineEntry, "tolerance" | "better">[]> {
  return (await seedMeans(store.connection, runId)).filter((r) => !UNGUARDED.test(r.metric));
}

export interface CheckResult {
  entry: BaselineEntry;
  now: number | null;
  status: "ok" | "improved" | "regressed" | "missing";
}

/** Compares run values with baseline entries. */
export function compare(
  entries: readonly BaselineEntry[],
  now: ReadonlyMap<string, number>,
): CheckResult[] {
  return entries.map((entry) => {
    const v = now.get(keyOf(entry));
    if (v === undefined || !Number.isFinite(v)) return { entry, now: null, status: "missing" };
    const d = v - entry.value;
    const bad = entry.better === "higher" ? -d : entry.better === "lower" ? d : Math.abs(d);
    const status = bad > entry.tolerance ? "regressed" : bad < -entry.tolerance ? "improved" : "ok";
    return { entry, now: v, status };
  });
}

export const keyOf = (e: { table: string; row: string; dataset: string; metric: string }) =>
  `${e.table} | ${e.row} | ${e.dataset} | ${e.metric}`;

/** A readable table of what moved (and every regression). */
export function formatResults(results: readonly CheckResult[]): string {
  const moved = results.filter((r) => r.status !== "ok");
  const lines = [
    `${results.length} metrics checked: ${
      results.filter((r) => r.status === "ok").length
    } within tolerance, ` +
    `${results.filter((r) => r.status === "improved").length} improved, ${
      results.filter((r) => r.status === "regressed").length
    } regressed, ` +
    `${results.filter((r) => r.status === "missing").length} missing.`,
  ];
  if (moved.length) {
    lines.push(
      "",
      `${"status".padEnd(10)} ${"metric".padEnd(70)} ${"baseline".padStart(10)} ${
        "now".padStart(10)
      } ${"tol".padStart(8)}`,
    );
    for (const r of moved) {
      lines.push(
        `${r.status.padEnd(10)} ${keyOf(r.entry).padEnd(70)} ${
          r.entry.value.toFixed(3).padStart(10)
        } ${(r.now === null ? "—" : r.now.toFixed(3)).padStart(10)} ${
          r.entry.tolerance.toFixed(3).padStart(8)
        }`,
      );
    }
  }
  return lines.join("\n");
}

async function git(args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output()
    .catch(() => null);
  return out?.success ? new TextDecoder().decode(out.stdout).trim() : "";
}

/**
 * `lrtl check`: without `runId`, first runs `reproduce --profile smoke` (cached work is
 * reused), then compares. Returns the exit code.
 */
export async function checkCommand(opts: {
  dbPath: string;
  runId?: string;
  update?: string;
  profile?: string;
  baselineDir?: string;
  run?: () => Promise<string>;
  log?: (s: string) => void;
}): Promise<number> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const profile = opts.profile ?? "smoke";
  let runId = opts.runId;
  if (!runId && opts.run) runId = await opts.run();
  const store = await ResultsStore.open(opts.dbPath, { readOnly: true });
  try {
    runId ??= await latestRunId(store.connection, { profile });
    const agg = await runAggregates(store, runId);
    const file = join(opts.baselineDir ?? BASELINE_DIR, `${profile}.json`);
    if (opts.update !== undefined) {
      if (!opts.update.trim()) {
        throw new Error('--update needs a reason: lrtl check --update "why"');
      }
      let history: BaselineFile["history"] = [];
      try {
        history = (JSON.parse(await Deno.readTextFile(file)) as BaselineFile).history;
      } catch { /* first baselines */ }
      const next: BaselineFile = {
        profile,
        history: [...history, {
          date: new Date().toISOString(),
          run: runId,
          commit: await git(["rev-parse", "HEAD"]),
          why: opts.update,
        }],
        entries: agg.map((a) => ({ ...a, ...policy(a.metric, a.value) })),
      };
      await Deno.mkdir(opts.baselineDir ?? BASELINE_DIR, { recursive: true });
      await Deno.writeTextFile(`${file}.tmp`, JSON.stringify(next, null, 1) + "\n");
      await Deno.rename(`${file}.tmp`, file);
      log(`Wrote ${next.entries.length} baselines of run ${runId} to ${file}: ${opts.update}`);
      return 0;
    }
    let base: BaselineFile;
    try {
      base = JSON.parse(await Deno.readTextFile(file));
    } catch (e) {
      throw new Error(
        `Cannot read baselines "${file}": ${
          (e as Error).message
        }. Create them with: lrtl check --update "why"`,
      );
    }
    const results = compare(base.entries, new Map(agg.map((a) => [keyOf(a), a.value])));
    log(`Checking run ${runId} against ${file}`);
    log(formatResults(results));
    const bad = results.filter((r) => r.status === "regressed" || r.status === "missing").length;
    log(bad ? `FAIL: ${bad} metric(s) regressed or missing.` : "OK: no metric regressed.");
    return bad ? 1 : 0;
  } finally {
    store.close();
  }
}
