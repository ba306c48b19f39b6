import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { createSegmenter, normRelu } from "./segmenter.ts";
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

Deno.test("normRelu: value and gradients equal autodiff of moments + affine + relu", async () => {
  await tf.setBackend("cpu");
  const x = tf.randomNormal([3, 5, 4, 6], 0.3, 2, "float32", 1) as tf.Tensor4D;
  const gamma = tf.randomNormal([6], 1, 0.5, "float32", 2) as tf.Tensor1D;
  const beta = tf.randomNormal([6], 0, 0.5, "float32", 3) as tf.Tensor1D;
  const w = tf.randomNormal([3, 5, 4, 6], 0, 1, "float32", 4);
  const before = tf.memory().numTensors;
  for (const axes of [[0, 1, 2], [1, 2]]) {
    const reference = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, axes, true);
      const y = tf.relu(
        tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b),
      );
      return tf.sum(tf.mul(y, w));
    };
    const ours = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const r = normRelu(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, axes);
      tf.dispose([r.mean, r.variance]);
      return tf.sum(tf.mul(r.y, w));
    };
    const ref = tf.valueAndGrads(reference)([x, gamma, beta]);
    const got = tf.valueAndGrads(ours)([x, gamma, beta]);
    const close = async (a: tf.Tensor, b: tf.Tensor, what: string) => {
      const [da, db] = [await a.data(), await b.data()];
      let worst = 0, scale = 0;
      for (let i = 0; i < da.length; i++) {
        worst = Math.max(worst, Math.abs(da[i] - db[i]));
        scale = Math.max(scale, Math.abs(db[i]));
      }
      assert.ok(
        worst <= 2e-5 * Math.max(1, scale),
        `${what} axes ${axes}: ${worst} (scale ${scale})`,
      );
    };
    await close(got.value, ref.value, "value");
    for (let i = 0; i < 3; i++) await close(got.grads[i], ref.grads[i], `grad ${i}`);
    tf.dispose([ref.value, got.value, ...ref.grads, ...got.grads]);
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, gamma, beta, w]);
});
