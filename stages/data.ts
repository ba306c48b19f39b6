/**
 * Data stages: `synthesize` generates the embedded synthetic dataset; `frames` loads a
 * sequence of any dataset (synthetic or real), resizes it to the working resolution and keeps
 * its ground truth at full size.
 * @module
 */
import { defineStage, type Scope } from "../pipeline/mod.ts";
import type { PipelineParams } from "./schema.ts";
import { resizeRgb } from "../formats/image.ts";
import { openDataset } from "../video/datasets.ts";
import { writeSyntheticDataset } from "../video/synthetic/mod.ts";
import { type FramesMeta, writeFrames } from "./artifacts.ts";
import { datasetFingerprint, isVideoDataset } from "./datasets.ts";

export const synthesize = defineStage<PipelineParams>({
  name: "synthesize",
  cost: "heavy",
  description: "generate the synthetic videos with exact masks, flow and tracks",
  module: import.meta.url,
  scope: "dataset",
  params: ["data.preset", "data.seed", "data.width", "data.height", "data.maxFrames"],
  inputs: [],
  applies: (s) => s.dataset === "synthetic",
  async run(ctx) {
    const maxFrames = ctx.param("data.maxFrames");
    await writeSyntheticDataset(ctx.outDir, ctx.param("data.preset"), {
      seed: ctx.param("data.seed"),
      width: ctx.param("data.width"),
      height: ctx.param("data.height"),
      ...(maxFrames > 0 ? { numFrames: maxFrames } : {}),
      onProgress: (d, t) => ctx.progress(d, t, "sequences"),
    });
  },
});

/** The folder to read a sequence from: the synthesize artifact, or the data root. */
export function sourceRoot(scope: Scope, synthDir: string | undefined, dataRoot: string): string {
  return scope.dataset === "synthetic" ? synthDir! : dataRoot;
}

export const frames = defineStage<PipelineParams>({
  name: "frames",
  description: "decode a sequence, resize to the working resolution, keep full-size ground truth",
  module: import.meta.url,
  scope: "sequence",
  params: ["data.width", "data.height", "data.maxFrames"],
  inputs: ["synthesize"],
  applies: (s) => isVideoDataset(s.dataset),
  fingerprint: (scope, _params, env) =>
    scope.dataset === "synthetic"
      ? Promise.resolve("synthesize artifact")
      : datasetFingerprint(scope.dataset!, scope.sequence!, env.dataRoot),
  async run(ctx) {
    const { dataset, sequence } = ctx.scope as Required<Scope>;
    const synth = ctx.inputs("synthesize")[0]?.dir;
    const ds = openDataset(dataset, sourceRoot(ctx.scope, synth, ctx.env.dataRoot));
    const maxFrames = ctx.param("data.maxFrames");
    const seq = await ds.load(sequence, {
      ...(maxFrames > 0 ? { maxFrames } : {}),
      onProgress: (d, t) => ctx.progress(d, 2 * t, "decode"),
    });
    const size = {
      width: ctx.param("data.width"),
      height: ctx.param("data.height"),
    };
    const resized = [];
    for (const [t, f] of seq.frames.entries()) {
      resized.push(
        f.width === size.width && f.height === size.height ? f : await resizeRgb(f, size),
      );
      ctx.progress(seq.frames.length + t + 1, 2 * seq.frames.length, "resize");
    }
    const annotated = seq.masks.flatMap((m, t) => (m ? [t] : []));
    let numObjects = 0;
    for (const t of annotated) {
      for (const v of seq.masks[t]!.data) if (v > numObjects) numObjects = v;
    }
    const meta: FramesMeta = {
      dataset,
      sequence,
      ...size,
      numFrames: seq.frames.length,
      names: seq.frames.map((_, t) => String(t).padStart(5, "0")),
      gtWidth: seq.width,
      gtHeight: seq.height,
      annotated,
      numObjects,
    };
    await writeFrames(ctx.outDir, { meta, frames: resized, gt: seq.masks });
    ctx.log(
      `${seq.frames.length} frames ${seq.width}×${seq.height} → ${size.width}×${size.height}, ${annotated.length} annotated`,
    );
  },
});
