/**
 * Motion-input evaluation stages: `flow_eval` (EPE of every available flow estimator on the
 * synthetic ground truth and on Sintel) and `track_eval` (TAP-Vid metrics of every tracker
 * on the synthetic ground truth). Each row of their tables is an estimator or a tracker.
 * @module
 */
import { join } from "node:path";
import { defineStage, type MetricRow } from "../pipeline/mod.ts";
import type { PipelineParams } from "./schema.ts";
import { readFlo } from "../formats/flo.ts";
import { readGrey } from "../formats/image.ts";
import { readTracks } from "../formats/tracks.ts";
import {
  availableFlowEstimators,
  createFlowEstimator,
  createTracker,
  evaluateFlow,
  type FlowEstimatorName,
  type FlowGtPair,
  loadSintelLikePairs,
  type TrackerName,
  trackMetrics,
  type Tracks,
} from "../motion/mod.ts";
import { gap1Flows, readFlow, readFrames } from "./artifacts.ts";

/** Estimators scored: the portable and native ones that work here (TV-L1 is too slow: ~5 s/frame). */
function scoredEstimators(): FlowEstimatorName[] {
  const ok = new Set(availableFlowEstimators().filter((e) => e.available).map((e) => e.name));
  return (["farneback", "dis"] as const).filter((n) => ok.has(n));
}

/** Every `every`-th gap-1 forward pair of each synthetic sequence, with its visibility mask. */
async function syntheticPairs(
  synthDir: string,
  frameDirs: string[],
  every: number,
): Promise<FlowGtPair[]> {
  const pairs: FlowGtPair[] = [];
  for (const dir of frameDirs) {
    const { meta, frames } = await readFrames(dir);
    for (let t = 0; t + 1 < frames.length; t += every) {
      const stem = String(t).padStart(5, "0");
      const base = join(synthDir, "Flow", meta.sequence);
      const gt = await readFlo(join(base, "fwd_g1", `${stem}.flo`));
      const valid = (await readGrey(join(base, "fwd_g1_valid", `${stem}.png`))).data.map((
        v,
      ) => (v ? 1 : 0));
      pairs.push({ name: `${meta.sequence}/${stem}`, a: frames[t], b: frames[t + 1], gt, valid });
    }
  }
  return pairs;
}

export const flowEval = defineStage<PipelineParams>({
  name: "flow_eval",
  cost: "heavy",
  description: "end-point error of each flow estimator against ground truth",
  module: import.meta.url,
  scope: "dataset",
  params: [],
  inputs: ["frames", "synthesize"],
  applies: (s) => s.dataset === "synthetic" || s.dataset === "sintel",
  fingerprint: () => Promise.resolve(scoredEstimators().join(",")),
  async run(ctx) {
    const pairs = ctx.scope.dataset === "sintel"
      ? await loadSintelLikePairs(join(ctx.env.dataRoot, "flow", "sintel"))
      : await syntheticPairs(
        ctx.input("synthesize").dir,
        ctx.inputs("frames").map((a) => a.dir),
        4,
      );
    const rows: MetricRow[] = [];
    const names = scoredEstimators();
    for (const [i, name] of names.entries()) {
      const est = await createFlowEstimator(name);
      try {
        const r = await evaluateFlow(
          est,
          pairs,
          (d, t) => ctx.progress(i * t + d, names.length * t, name),
        );
        rows.push(
          { row: name, metric: "epe", value: r.meanEpe },
          { row: name, metric: "within_1px", value: 100 * r.within1 },
          { row: name, metric: "within_3px", value: 100 * r.within3 },
          { row: name, metric: "within_5px", value: 100 * r.within5 },
          { row: name, metric: "ms_per_pair", value: r.medianMs },
        );
        ctx.log(`${name}: EPE ${r.meanEpe.toFixed(2)} px on ${pairs.length} pairs`);
      } finally {
        est.dispose();
      }
    }
    ctx.metrics(rows);
  },
});

/** GT tracks seeded at every `every`-th frame (fewer queries: the trackers are scored, not trained on). */
function subsetByQuery(t: Tracks, every: number): Tracks {
  const keep: number[] = [];
  for (let n = 0; n < t.numTracks; n++) if (t.queryFrame[n] % every === 0) keep.push(n);
  const T = t.numFrames;
  const xy = new Float32Array(keep.length * T * 2);
  const visible = new Uint8Array(keep.length * T);
  keep.forEach((n, i) => {
    xy.set(t.xy.subarray(n * T * 2, (n + 1) * T * 2), i * T * 2);
    visible.set(t.visible.subarray(n * T, (n + 1) * T), i * T);
  });
  return {
    ...t,
    numTracks: keep.length,
    queryFrame: Int32Array.from(keep, (n) => t.queryFrame[n]),
    xy,
    visible,
  };
}

export const trackEval = defineStage<PipelineParams>({
  name: "track_eval",
  cost: "heavy",
  description: "TAP-Vid metrics of each tracker against the synthetic ground truth",
  module: import.meta.url,
  scope: "dataset",
  params: [],
  inputs: ["frames", "flow", "synthesize"],
  applies: (s) => s.dataset === "synthetic",
  async run(ctx) {
    const trackers: TrackerName[] = ["flow-chain", "klt"];
    const sums = new Map<string, Record<string, number>>();
    const frameArts = ctx.inputs("frames");
    const flowArts = ctx.inputs("flow");
    let done = 0;
    for (const [i, fa] of frameArts.entries()) {
      const { meta, frames } = await readFrames(fa.dir);
      const gt = subsetByQuery(
        await readTracks(join(ctx.input("synthesize").dir, "Tracks", `${meta.sequence}.lrtk`)),
        4,
      );
      const T = gt.numFrames;
      const qxy = new Float32Array(gt.numTracks * 2);
      for (let n = 0; n < gt.numTracks; n++) {
        const t = gt.queryFrame[n];
        qxy[2 * n] = gt.xy[2 * (n * T + t)];
        qxy[2 * n + 1] = gt.xy[2 * (n * T + t) + 1];
      }
      const flows = await readFlow(flowArts[i].dir);
      for (const name of trackers) {
        const tracker = name === "flow-chain"
          ? createTracker(name, { flows: gap1Flows(flows) })
          : createTracker(name);
        try {
          const pred = await tracker.track(frames, { queries: { frame: gt.queryFrame, xy: qxy } });
          const m = trackMetrics(pred, gt);
          const acc = sums.get(name) ?? {};
          const add = (k: string, v: number) => (acc[k] = (acc[k] ?? 0) + v);
          [1, 2, 4, 8, 16].forEach((d, j) => add(`delta_${d}`, 100 * m.within[j]));
          add("delta_avg", 100 * m.deltaAvg);
          add("occlusion_accuracy", 100 * m.occlusionAccuracy);
          add("average_jaccard", 100 * m.averageJaccard);
          sums.set(name, acc);
        } finally {
          tracker.dispose();
        }
        ctx.progress(++done, frameArts.length * trackers.length, name);
      }
    }
    ctx.metrics(
      [...sums].flatMap(([row, acc]) =>
        Object.entries(acc).map(([metric, v]) => ({ row, metric, value: v / frameArts.length }))
      ),
    );
  },
});
