import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { createSegmenter } from "../learn/net/segmenter.ts";
import { asMaskStack, predictMasks } from "./predict.ts";

Deno.test("predictMasks: batched = one at a time, softmax, resized inputs, no leaks", async () => {
  await tf.setBackend("cpu");
  const net = createSegmenter({
    arch: "unet",
    width: 4,
    depth: 2,
    k: 3,
    inputHeight: 8,
    inputWidth: 12,
    seed: 3,
  });
  const frames = Array.from({ length: 5 }, (_, t) => ({
    width: 12,
    height: 8,
    data: Uint8Array.from({ length: 8 * 12 * 3 }, (_, i) => (i * 31 + t * 17) % 256),
  }));
  const before = tf.memory().numTensors;
  const progress: number[] = [];
  const a = await predictMasks(net, frames, { batchSize: 2, onProgress: (d) => progress.push(d) });
  const b = await predictMasks(net, frames, { batchSize: 5 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(progress, [2, 4, 5]);
  assert.equal(a.length, 5);
  for (let t = 0; t < 5; t++) {
    assert.equal(a[t].length, 8 * 12 * 3);
    for (let i = 0; i < a[t].length; i++) assert.ok(Math.abs(a[t][i] - b[t][i]) < 1e-5);
  }
  const s = asMaskStack(net, a[0]);
  assert.ok(Math.abs(s.data[0] + s.data[1] + s.data[2] - 1) < 1e-5);
  const big = await predictMasks(net, [{
    width: 24,
    height: 16,
    data: new Uint8Array(24 * 16 * 3),
  }]);
  assert.equal(big[0].length, 8 * 12 * 3);
  net.dispose();
});
