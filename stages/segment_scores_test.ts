import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { initBackend } from "../learn/backend.ts";
import { createSegmenter } from "../learn/net/mod.ts";
import {
  asMaskStack,
  foregroundFromGroups,
  mergeByColour,
  mergeByMotion,
  oracleBipartition,
  predictMasks,
} from "../eval/mod.ts";
import { resizeRgb } from "../formats/image.ts";
import { openDataset } from "../video/datasets.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";
import type { FramesArtifact, SequenceFlow } from "./artifacts.ts";
import { scoreSequence } from "./_segment_scores.ts";
import { datasetJ } from "./scoring.ts";

const davis = join(sharedDataRoot(), "davis2016");
if (!existsSync(davis)) {
  console.log(
    `SKIP stages/segment_scores_test.ts (real DAVIS frames): ${davis} not found (set LRTL_SHARED_DATA or put ../shared beside the repository)`,
  );
}

Deno.test({
  name: "scoreSequence: the same J as the reference protocol on a real DAVIS sample",
  ignore: !existsSync(davis),
  async fn() {
    await initBackend("wasm");
    const ds = openDataset("davis2016", sharedDataRoot());
    const seq = await ds.load(ds.sequences()[0], { maxFrames: 6 });
    const frames = await Promise.all(
      seq.frames.map((f) => resizeRgb(f, { width: 128, height: 72 })),
    );
    const art: FramesArtifact = {
      meta: {
        dataset: "davis2016",
        sequence: seq.name,
        width: 128,
        height: 72,
        numFrames: frames.length,
        names: frames.map((_, t) => String(t).padStart(5, "0")),
        gtWidth: seq.width,
        gtHeight: seq.height,
        annotated: frames.map((_, t) => t),
        numObjects: 1,
      },
      frames,
      gt: seq.masks,
    };
    // A smooth synthetic flow field (the merge only needs one per frame).
    const uv = new Float32Array(128 * 72 * 2);
    for (let i = 0; i < 128 * 72; i++) {
      uv[2 * i] = ((i % 128) / 128) * 3;
      uv[2 * i + 1] = Math.floor(i / 128) / 72;
    }
    const flow = {
      meta: {} as SequenceFlow["meta"],
      get: (t: number) => (t < frames.length - 1 ? { width: 128, height: 72, uv } : null),
    } as SequenceFlow;
    // Trained-looking masks are not needed: an untrained net gives soft, mixed masks.
    const net = createSegmenter({
      arch: "unet",
      width: 4,
      depth: 2,
      k: 4,
      inputWidth: 64,
      inputHeight: 36,
      seed: 3,
    });
    try {
      // Every frame annotated (DAVIS), then sparse annotations (FBMS-like): only those frames
      // are predicted, in other batches, with the same result.
      for (const annotated of [frames.map((_, t) => t), [0, 3, 5]]) {
        await check({ ...art, meta: { ...art.meta, annotated } });
      }
    } finally {
      net.dispose();
    }
    async function check(art: FramesArtifact) {
      const fast = await scoreSequence(net, art, flow);
      const masks = await predictMasks(net, frames);
      const ref = { motion: [] as number[], colour: [] as number[], oracle: [] as number[] };
      for (const t of art.meta.annotated) {
        const stack = asMaskStack(net, masks[t]);
        const g = seq.masks[t]!;
        const f = flow.get(t, 1, "fwd") ?? flow.get(t, 1, "bwd");
        if (f) ref.motion.push(foregroundFromGroups(stack, mergeByMotion(stack, f), g).iou);
        ref.colour.push(foregroundFromGroups(stack, mergeByColour(stack, frames[t]), g).iou);
        ref.oracle.push(oracleBipartition(stack, g).iou);
      }
      for (const m of ["motion", "colour", "oracle"] as const) {
        assert.deepEqual(fast.scores[m].scores, ref[m], m);
        assert.equal(
          datasetJ("davis2016", [fast.scores[m]]),
          datasetJ("davis2016", [{ ...fast.scores[m], scores: ref[m] }]),
        );
      }
      assert.equal(
        fast.scores.motion.frames.length,
        art.meta.annotated.filter((t) => t < frames.length - 1).length,
      );
    }
  },
});
