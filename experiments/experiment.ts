/**
 * An experiment is one table (or figure) of the paper: a list of runs, each a set of param
 * overrides, whose target stage's metrics fill the table's rows. Declarative: no code runs
 * until the planner expands it; identical points across experiments are computed once.
 * @module
 */

/** One row (or one seed of a row) of a table. */
export interface ExperimentRun {
  /** Row label; when empty the stage's own sub-row label (e.g. a clustering method) is used. */
  label: string;
  overrides: Record<string, unknown>;
  /** Numeric sweep position (rank r, components k, …). */
  x?: number;
  seed?: number;
  /** Show the qualitative figures its stage writes in the report (default false). */
  figures?: boolean;
  /** Only on these of the experiment's datasets (default: all it covers); a CPU-budget cut. */
  datasets?: readonly string[];
}

import type { TableSpec } from "../reports/tables.ts";
import type { PaperNumber } from "../reports/table_model.ts";
import type { RowMeans } from "../pipeline/results_query.ts";

// The selector lives with the dataset discovery (stages/datasets.ts), so that editing an
// experiment declaration never enters a stage's code hash.
import type { DatasetSelector } from "../stages/datasets.ts";
export type { DatasetSelector };

export interface Experiment {
  name: string;
  /** `metrics.table_name` of its rows; the report's registry keys on it. */
  table: string;
  /** The table's section heading (also what `lrtl list experiments` prints). */
  title: string;
  /** One or two sentences: what the table measures (shown under the heading). */
  description: string;
  /** Stage whose metrics fill the table. */
  stage: string;
  datasets: DatasetSelector;
  runs(profile: string): ExperimentRun[];
  /** Where and why our setting differs from the paper's (shown under the table). */
  note?: string;
  /**
   * How the report shows `table` (chart, metrics, row order), on the experiment that owns the
   * table; experiments that add rows to another's table leave it out.
   */
  present?: Omit<TableSpec, "title" | "description">;
  /** Reference numbers of `table`, each with its kind and source (own columns in the report). */
  paper?: readonly Omit<PaperNumber, "table">[];
  /** The paper's findings on `table`, checked on each run's own numbers (notes under it). */
  findings?: readonly FindingSpec[];
}

/** What a finding decides on one run: the claim, whether it holds and the numbers why. */
export interface Verdict {
  claim: string;
  /**
   * `paper`: a finding of the paper (the default); `check`: a bar of this reproduction that is
   * not the paper's (the learning-free floor, the J target on real video).
   */
  kind?: "paper" | "check";
  /** null when the run lacks the rows to decide. */
  holds: boolean | null;
  evidence: string;
}

/**
 * A finding of the paper (or a floor the method must clear) on its experiment's table: the
 * means of the table's rows for `metric` on each dataset go to `decide` (experiments/findings.ts
 * evaluates them all, generically).
 */
export interface FindingSpec {
  metric: string;
  /** The datasets to decide it on: these, or every dataset where the table has row `having`. */
  datasets: readonly string[] | { having: string };
  /** The verdict on `dataset`, or null for no finding here (the rows it compares are absent). */
  decide(means: RowMeans, dataset: string): Verdict | null;
}

/** Identity helper that type-checks an experiment declaration. */
export function defineExperiment(e: Experiment): Experiment {
  return e;
}

/** One run per seed, labelled the same (the report shows mean ± std over seeds). */
export function overSeeds(
  seeds: readonly number[],
  label: string,
  overrides: Record<string, unknown>,
  x?: number,
): ExperimentRun[] {
  return seeds.map((seed) => ({
    label,
    overrides: { ...overrides, "runtime.seed": seed },
    seed,
    x,
  }));
}
