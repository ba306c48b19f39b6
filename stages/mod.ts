/**
 * The pipeline's stages and how a run finds its datasets.
 * @module
 */
import type { StageDef } from "../pipeline/mod.ts";
import { frames, synthesize } from "./data.ts";
import { missingDataset, selectDatasets } from "./datasets.ts";
import { baselines } from "./baselines.ts";
import { motionFloor } from "./motion_floor.ts";
import { evaluate } from "./evaluate.ts";
import { trainStage } from "./learning.ts";
import { flow, tracks } from "./motion.ts";
import { flowEval, trackEval } from "./motion_eval.ts";
import { cluster, feasibility } from "./trajectories.ts";

/** Every stage, in no particular order (the graph orders them). */
export const STAGES: readonly StageDef[] = [
  synthesize,
  frames,
  flow,
  tracks,
  flowEval,
  trackEval,
  baselines,
  motionFloor,
  trainStage,
  evaluate,
  cluster,
  feasibility,
];

/** Versions that change numbers: they enter every cache key. */
export async function numericEnv(): Promise<Record<string, string>> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const tfjs = String(denoJson.imports["@tensorflow/tfjs-core"]).replace(
    /^npm:@tensorflow\/tfjs-core@/,
    "",
  );
  return { runtime: `deno ${Deno.version.deno}`, tfjs };
}

/** The app a run needs (the driver's `App`): every stage, dataset discovery, the numeric env. */
export async function createApp() {
  return {
    stages: STAGES,
    discovery: { select: selectDatasets, missing: missingDataset },
    env: await numericEnv(),
  };
}
