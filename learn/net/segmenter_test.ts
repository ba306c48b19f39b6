import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { createSegmenter } from "./segmenter.ts";
import type { SegmenterConfig } from "./types.ts";

const base: SegmenterConfig = {
  arch: "unet",
  width: 4,
  depth: 3,
  k: 3,
  inputHeight: 12,
  inputWidth: 10,
  seed: 1,
};

function input(b: number): tf.Tensor4D {
  const n = b * base.inputHeight * base.inputWidth * 3;
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 7919) % 101) / 100;
  return tf.tensor4d(v, [b, base.inputHeight, base.inputWidth, 3]);
}

Deno.test("segmenter: softmax output of the right shape for every arch and norm", async () => {
  await tf.setBackend("cpu");
  const x = input(2);
  for (const arch of ["unet", "unet-small", "encdec"] as const) {
    for (const norm of ["batch", "instance", "none"] as const) {
      const net = createSegmenter({ ...base, arch, norm });
      const before = tf.memory().numTensors;
      const y = net.predict(x);
      assert.deepEqual(y.shape, [2, 12, 10, 3]);
      const sums = tf.sum(y, 3);
      const s = await sums.data();
      for (const v of s) assert.ok(Math.abs(v - 1) < 1e-5, `${arch}/${norm}: sum ${v}`);
      sums.dispose();
      y.dispose();
      assert.equal(tf.memory().numTensors, before, `${arch}/${norm} leaks tensors`);
      net.dispose();
    }
  }
  x.dispose();
});

Deno.test("segmenter: init is seeded, weights round-trip through plain arrays", async () => {
  await tf.setBackend("cpu");
  const start = tf.memory().numTensors;
  const a = createSegmenter(base);
  assert.equal(tf.memory().numTensors - start, a.getWeights().length, "init tensors leak");
  const b = createSegmenter(base);
  const c = createSegmenter({ ...base, seed: 2 });
  const wa = a.getWeights();
  const wb = b.getWeights();
  const wc = c.getWeights();
  assert.deepEqual(wa.map((w) => w.name), wb.map((w) => w.name));
  assert.deepEqual(wa[0].data, wb[0].data);
  assert.notDeepEqual(wa[0].data, wc[0].data);
  c.setWeights(wa);
  const x = input(1);
  const ya = a.predict(x);
  const yc = c.predict(x);
  assert.deepEqual(await ya.data(), await yc.data());
  assert.throws(() => c.setWeights(wa.slice(1)), /missing weight/);
  const bad = wa.map((w) => ({ ...w }));
  bad[0] = { ...bad[0], shape: [1, ...bad[0].shape] };
  assert.throws(() => c.setWeights(bad), /has shape/);
  for (const t of [x, ya, yc]) t.dispose();
  for (const n of [a, b, c]) n.dispose();
});

Deno.test("segmenter: every trainable variable gets a gradient; batch stats update", async () => {
  await tf.setBackend("cpu");
  const net = createSegmenter(base);
  const x = input(2);
  const before = tf.memory().numTensors;
  const target = tf.tidy(() => tf.oneHot(tf.zeros([2, 12, 10], "int32"), 3));
  const { value, grads } = tf.variableGrads(() => {
    const y = net.forward(x, { training: true });
    return tf.mean(tf.squaredDifference(y, target)) as tf.Scalar;
  }, net.trainableVariables);
  assert.equal(Object.keys(grads).length, net.trainableVariables.length);
  let nonzero = 0;
  for (const g of Object.values(grads)) {
    const m = tf.tidy(() => tf.max(tf.abs(g)));
    if ((await m.data())[0] > 0) nonzero++;
    m.dispose();
  }
  assert.ok(nonzero >= net.trainableVariables.length - 2, `only ${nonzero} non-zero grads`);
  const runVarBefore = net.getWeights().find((w) => w.name.endsWith("running_mean"))!.data;
  net.updateNormStats();
  const runVarAfter = net.getWeights().find((w) => w.name.endsWith("running_mean"))!.data;
  assert.notDeepEqual(runVarBefore, runVarAfter);
  value.dispose();
  tf.dispose(grads);
  target.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  net.dispose();
});

Deno.test("segmenter: invalid configs throw descriptive errors", () => {
  assert.throws(() => createSegmenter({ ...base, arch: "vit" as "unet" }), /unknown arch "vit"/);
  assert.throws(() => createSegmenter({ ...base, k: 1 }), /k must be an integer >= 2/);
  assert.throws(() => createSegmenter({ ...base, width: 2.5 }), /width/);
});
