import assert from "node:assert/strict";
import { initBackend } from "../learn/backend.ts";
import { createSegmenter } from "../learn/net/mod.ts";
import type { SegmenterConfig } from "../learn/net/types.ts";
import type { FramesArtifact, SequenceFlow } from "./artifacts.ts";
import { Validation } from "./_validation.ts";

/** Four 32×16 frames with a bright square (the GT) on a dark background. */
function tinySequence(): { art: FramesArtifact; flow: SequenceFlow } {
  const w = 32, h = 16, n = 4;
  const frames = [], gt = [];
  for (let t = 0; t < n; t++) {
    const rgb = new Uint8Array(w * h * 3), m = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const on = x >= 8 + t && x < 18 + t && y >= 4 && y < 12;
        m[y * w + x] = on ? 1 : 0;
        rgb.fill(on ? 220 : 30, (y * w + x) * 3, (y * w + x) * 3 + 3);
      }
    }
    frames.push({ width: w, height: h, data: rgb });
    gt.push({ width: w, height: h, data: m });
  }
  const uv = new Float32Array(w * h * 2);
  return {
    art: {
      meta: {
        dataset: "synthetic",
        sequence: "tiny",
        width: w,
        height: h,
        numFrames: n,
        names: ["00000", "00001", "00002", "00003"],
        gtWidth: w,
        gtHeight: h,
        annotated: [0, 1, 2, 3],
        numObjects: 1,
      },
      frames,
      gt,
    },
    flow: {
      meta: {} as SequenceFlow["meta"],
      get: () => ({ width: w, height: h, uv }),
    },
  };
}

const NET: SegmenterConfig = {
  arch: "unet",
  width: 4,
  depth: 2,
  k: 2,
  inputWidth: 32,
  inputHeight: 16,
  seed: 1,
};

Deno.test("Validation: scores steps once, keeps the best weights, resumes from its work folder", async () => {
  await initBackend("wasm");
  const workDir = await Deno.makeTempDir({ prefix: "lrtl-val-" });
  const seqs = [tinySequence()];
  const opts = {
    every: 5,
    select: true,
    merge: "colour" as const,
    dataset: "synthetic",
    workDir,
    net: NET,
  };
  const a = createSegmenter(NET), b = createSegmenter({ ...NET, seed: 2 });
  try {
    const v = await Validation.open(opts, seqs);
    assert.equal(v.checkpointEvery(15), 5);
    assert.ok(v.due(0, 12) && v.due(10, 12) && v.due(12, 12) && !v.due(3, 12));
    const ja = await v.record(0, a.getWeights());
    const jb = await v.record(5, b.getWeights());
    assert.equal(ja, await v.score(a));
    v.dispose();
    // A new run in the same work folder (a resumed training) keeps the history and the best.
    const again = await Validation.open(opts, seqs);
    assert.deepEqual(again.points, [[0, ja], [5, jb]]);
    assert.equal(await again.record(0, b.getWeights()), ja, "a recorded step is not rescored");
    const sel = await again.selected();
    assert.ok(sel);
    assert.equal(sel.step, jb > ja ? 5 : 0);
    assert.deepEqual(
      sel.net.getWeights().map((w) => [...w.data]),
      (jb > ja ? b : a).getWeights().map((w) => [...w.data]),
    );
    sel.net.dispose();
    again.dispose();
    // Without `select`, nothing is chosen.
    const plain = await Validation.open({ ...opts, select: false }, seqs);
    assert.equal(await plain.selected(), null);
    await assert.rejects(() => Validation.open({ ...opts, every: 0 }, seqs), RangeError);
  } finally {
    a.dispose();
    b.dispose();
    await Deno.remove(workDir, { recursive: true });
  }
});
