import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { initBackend } from "../backend.ts";
import { createSegmenter } from "./segmenter.ts";
import { adoptBatchStatistics } from "./norm_stats.ts";
import type { SegmenterConfig } from "./types.ts";
import { tensorflowStatus } from "../tfjs_node.ts";

// tensorflow: ignored where it is not built (the reason printed), except in CI (which builds it)
const tensorflow = tensorflowStatus("cpu");
const tensorflowMissing = !tensorflow.built && Deno.env.get("CI") !== "true";
if (tensorflowMissing) {
  console.log(`adoptBatchStatistics (tensorflow) skipped: ${tensorflow.reason}`);
}

const config: SegmenterConfig = {
  arch: "unet",
  width: 4,
  depth: 3,
  k: 3,
  inputHeight: 64,
  inputWidth: 96,
  seed: 3,
};

const maxAbsDiff = async (a: tf.Tensor, b: tf.Tensor) => {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
};

for (const backend of ["wasm", "tensorflow"] as const) {
  Deno.test({
    name: `adoptBatchStatistics (${backend}): inference then normalises x like training does`,
    ignore: backend === "tensorflow" && tensorflowMissing,
    fn: async () => {
      await initBackend(backend);
      const net = createSegmenter(config);
      // running statistics far from x's: a few steps on brighter, shifted inputs
      const other = tf.add(tf.mul(tf.randomUniform([6, 64, 96, 3], 0, 1, "float32", 1), 0.3), 0.6);
      for (let i = 0; i < 5; i++) {
        tf.tidy(() => void net.forward(other as tf.Tensor4D, { training: true }));
        net.updateNormStats();
      }
      const x = tf.randomUniform([5, 64, 96, 3], 0, 1, "float32", 2) as tf.Tensor4D;
      const trainingMode = tf.tidy(() => net.forward(x, { training: true }));
      net.updateNormStats();
      const start = net.getWeights();
      const tensors = tf.memory().numTensors;
      const runningBefore = net.predict(x);
      assert.ok(await maxAbsDiff(runningBefore, trainingMode) > 1e-2, "the statistics differ");

      const before = adoptBatchStatistics(net, x);
      assert.deepEqual(before, start);
      const adopted = net.predict(x);
      net.setWeights(before!);
      const restored = net.predict(x);
      assert.equal(await maxAbsDiff(restored, runningBefore), 0);
      // x twice over: the same biased statistics from twice the values n
      const twice = tf.concat([x, x]);
      adoptBatchStatistics(net, twice);
      const adoptedTwice = net.predict(x);
      net.setWeights(before!);
      // The masks of training-mode batch norm on x, up to the unbiased variance the network keeps
      // (n/(n − 1)): the gap is small and halves when n doubles, so it is that factor alone.
      const gap = await maxAbsDiff(adopted, trainingMode);
      const gapTwice = await maxAbsDiff(adoptedTwice, trainingMode);
      const runningGap = await maxAbsDiff(runningBefore, trainingMode);
      assert.ok(gap < 0.02 * runningGap, `gap ${gap} vs ${runningGap} with the running statistics`);
      assert.ok(
        Math.abs(gapTwice / gap - 0.5) < 0.1,
        `gap ${gap}, with twice the values ${gapTwice}`,
      );
      tf.dispose([runningBefore, adopted, restored, twice, adoptedTwice]);
      assert.equal(tf.memory().numTensors, tensors, "tensors leak");

      const plain = createSegmenter({ ...config, norm: "none" });
      assert.equal(adoptBatchStatistics(plain, x), null);
      tf.dispose([other, x, trainingMode]);
      plain.dispose();
      net.dispose();
    },
  });
}
