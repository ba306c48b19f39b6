/**
 * Motion stages: `flow` (forward and backward optical flow per gap) and `tracks` (long-term
 * point trajectories queried on a grid at every frame), both cached per sequence.
 * @module
 */
import { join } from "node:path";
import { defineStage, type Scope } from "../pipeline/mod.ts";
import type { PipelineParams } from "./schema.ts";
import { readFlo } from "../formats/flo.ts";
import { readTracks } from "../formats/tracks.ts";
import {
  availableFlowEstimators,
  computeSequenceFlow,
  createFlowEstimator,
  createTracker,
  type FlowEstimatorName,
  type FlowField,
} from "../motion/mod.ts";
import { gap1Flows, readFlow, readFrames, writeFlow, writeTracksArtifact } from "./artifacts.ts";
import { isVideoDataset } from "./datasets.ts";

/** The estimator that will really run for a requested one (DIS falls back when not built). */
export function effectiveEstimator(
  requested: string,
  log?: (m: string) => void,
): FlowEstimatorName {
  if (requested !== "dis") return requested as FlowEstimatorName;
  const dis = availableFlowEstimators().find((e) => e.name === "dis")!;
  if (dis.available) return "dis";
  log?.(`DIS flow is not available (${dis.reason}); using the portable Farneback estimator`);
  return "farneback";
}

const fallbackWarned = new Set<string>();

/** The synthetic generator's exact flow file of frame t (null when t ± gap is outside). */
async function gtFlow(
  synthDir: string,
  seq: string,
  t: number,
  gap: number,
  dir: "fwd" | "bwd",
  n: number,
) {
  const to = dir === "fwd" ? t + gap : t - gap;
  if (to < 0 || to >= n) return null;
  return await readFlo(
    join(synthDir, "Flow", seq, `${dir}_g${gap}`, `${String(t).padStart(5, "0")}.flo`),
  );
}

function requireSynthetic(scope: Scope, what: string) {
  if (scope.dataset !== "synthetic") {
    throw new Error(`${what} exists only for the synthetic dataset, not for "${scope.dataset}"`);
  }
}

export const flow = defineStage<PipelineParams>({
  name: "flow",
  cost: "heavy",
  description: "forward/backward optical flow for each gap",
  module: import.meta.url,
  scope: "sequence",
  params: ["flow.estimator", "flow.gaps", "flow.disFinestScale"],
  inputs: ["frames", "synthesize"],
  applies: (s) => isVideoDataset(s.dataset),
  // The estimator actually used enters the key (DIS may fall back to Farneback on this machine).
  fingerprint: (_s, params) =>
    Promise.resolve(effectiveEstimator(params["flow.estimator"] as string)),
  async run(ctx) {
    const { meta, frames } = await readFrames(ctx.input("frames").dir);
    const gaps = [...ctx.param("flow.gaps")];
    const requested = ctx.param("flow.estimator");
    const name = effectiveEstimator(requested, (m) => {
      if (!fallbackWarned.has(m)) ctx.log(m);
      fallbackWarned.add(m);
    });
    const n = frames.length;
    if (n < 2) {
      throw new Error(
        `Cannot compute flow for ${ctx.id}: the sequence has ${n} frame(s), need ≥ 2`,
      );
    }
    const fields = new Map<string, FlowField | null>();
    const k = (t: number, gap: number, dir: string) => `${dir}${gap}:${t}`;
    if (name === "gt") {
      requireSynthetic(ctx.scope, "Ground-truth flow");
      const synth = ctx.input("synthesize").dir;
      let done = 0;
      for (const gap of gaps) {
        for (const dir of ["fwd", "bwd"] as const) {
          for (let t = 0; t < n; t++) {
            fields.set(k(t, gap, dir), await gtFlow(synth, meta.sequence, t, gap, dir, n));
            ctx.progress(++done, gaps.length * 2 * n);
          }
        }
      }
    } else {
      const est = await createFlowEstimator(name, {
        finestScale: ctx.param("flow.disFinestScale"),
      });
      try {
        const all = await computeSequenceFlow(est, frames, {
          gaps,
          onProgress: (d, t) => ctx.progress(d, t, name),
        });
        for (const g of all) {
          g.forward.forEach((f, t) => fields.set(k(t, g.gap, "fwd"), f));
          g.backward.forEach((f, t) => fields.set(k(t, g.gap, "bwd"), f));
        }
      } finally {
        est.dispose();
      }
    }
    await writeFlow(
      ctx.outDir,
      { estimator: name, width: meta.width, height: meta.height, numFrames: n, gaps },
      (t, gap, dir) => fields.get(k(t, gap, dir)) ?? null,
    );
  },
});

export const tracks = defineStage<PipelineParams>({
  name: "tracks",
  cost: "heavy",
  description: "long-term point trajectories with visibility",
  module: import.meta.url,
  scope: "sequence",
  params: ["tracks.tracker", "tracks.stride"],
  inputs: ["frames", "flow", "synthesize"],
  applies: (s) => isVideoDataset(s.dataset),
  async run(ctx) {
    const { frames } = await readFrames(ctx.input("frames").dir);
    const name = ctx.param("tracks.tracker");
    const stride = ctx.param("tracks.stride");
    let tracker;
    if (name === "gt") {
      requireSynthetic(ctx.scope, "Ground-truth tracks");
      const gt = await readTracks(
        join(ctx.input("synthesize").dir, "Tracks", `${ctx.scope.sequence}.lrtk`),
      );
      tracker = createTracker("gt", { gt });
    } else if (name === "flow-chain") {
      tracker = createTracker("flow-chain", {
        flows: gap1Flows(await readFlow(ctx.input("flow").dir)),
      });
    } else {
      tracker = createTracker(name);
    }
    try {
      const t = await tracker.track(frames, {
        stride,
        onProgress: (d, total) => ctx.progress(d, total, name),
      });
      await writeTracksArtifact(ctx.outDir, name, t);
      ctx.log(`${t.numTracks} tracks over ${t.numFrames} frames (${name})`);
    } finally {
      tracker.dispose();
    }
  },
});
