import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { initBackend } from "../learn/backend.ts";
import { createSegmenter } from "../learn/net/segmenter.ts";
import { predictMasks } from "./predict.ts";
import { evenlySpaced, useSequenceStatistics } from "./sequence_stats.ts";
import type { RgbImage } from "../video/types.ts";

Deno.test("evenlySpaced: all indices when few, else n spread from first to last", () => {
  assert.deepEqual(evenlySpaced(3, 32), [0, 1, 2]);
  assert.deepEqual(evenlySpaced(10, 4), [0, 3, 6, 9]);
  assert.deepEqual(evenlySpaced(100, 2), [0, 99]);
  assert.deepEqual(evenlySpaced(7, 1), [0]);
});

Deno.test("useSequenceStatistics: the masks change while it holds and are restored exactly after", async () => {
  await initBackend("wasm");
  const net = createSegmenter({
    arch: "unet",
    width: 4,
    depth: 2,
    k: 2,
    inputHeight: 12,
    inputWidth: 20,
    seed: 1,
  });
  // a dark sequence, far from the initial running statistics (mean 0, variance 1)
  const frames: RgbImage[] = Array.from({ length: 9 }, (_, t) => ({
    width: 40,
    height: 24,
    data: Uint8Array.from({ length: 40 * 24 * 3 }, (_, i) => (i * 7 + t * 13) % 40),
  }));
  const tensors = tf.memory().numTensors;
  const [plain] = await predictMasks(net, frames.slice(0, 1));
  const restore = useSequenceStatistics(net, frames, 4);
  const [adapted] = await predictMasks(net, frames.slice(0, 1));
  restore();
  const [again] = await predictMasks(net, frames.slice(0, 1));
  assert.ok(plain.some((v, i) => Math.abs(v - adapted[i]) > 1e-3), "no effect");
  assert.deepEqual(again, plain);
  assert.equal(tf.memory().numTensors, tensors);
  assert.throws(() => useSequenceStatistics(net, []), /no frames/);
  net.dispose();
});
