/**
 * What a run is asked to do, and what it needs from the app: the request `lrtl run` builds, the
 * app's stages and dataset discovery.
 * @module
 */
import type { OverrideLayer, Params, PlanDataset, StageDef } from "../../pipeline/mod.ts";
import type { ExecutorKind, SlurmOptions } from "../../pipeline/executor.ts";
import type { DatasetSelector } from "../experiment.ts";

/** What `lrtl run` asks for. */
export interface RunRequest {
  /** Experiment names, `reproduce` (all of them) or stage names. */
  targets: string[];
  profile: string;
  dataRoot: string;
  cacheDir: string;
  dbPath: string;
  jobs: number;
  dryRun: boolean;
  force: string[];
  /** Extra layers after the profile: a params file, then `--set` values. */
  layers: OverrideLayer[];
  /** Only these datasets (names), if given. */
  datasets?: string[];
  /** Where heavy stage instances run: `local` (default) or `slurm`. */
  executor?: ExecutorKind;
  /** Settings of the Slurm executor. */
  slurm?: SlurmOptions;
  /** `--data-root` (or LRTL_DATA_ROOT) was given: it must exist. */
  dataRootExplicit?: boolean;
  /** `--sweep` axes: a one-off experiment over their cartesian product (table `sweep`). */
  sweep?: SweepAxis[];
  /** A name and a note for the run (`--name`, `--note`), shown by `lrtl runs` / `lrtl show`. */
  name?: string;
  note?: string;
}

/** How the pipeline finds datasets; the stages module provides the real one. */
export interface DatasetDiscovery {
  /** Datasets an experiment's selector covers, given the resolved params. */
  select(selector: DatasetSelector, params: Params, dataRoot: string): Promise<PlanDataset[]>;
  /** Why a requested dataset was not found, in words (what was looked for, and where). */
  missing?(name: string, dataRoot: string): Promise<string>;
}

/** What a run needs from the app: its stages and dataset discovery. */
export interface App {
  stages: readonly StageDef[];
  discovery: DatasetDiscovery;
  /** Versions that change numbers, entering every cache key. */
  env: Record<string, string>;
}

/** One axis of `--sweep key=v1,v2,…`. */
export interface SweepAxis {
  key: string;
  values: unknown[];
}
