import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { AdamW, clipByGlobalNorm, learningRate } from "./adamw.ts";

Deno.test("AdamW: matches a hand-computed PyTorch AdamW update", async () => {
  await tf.setBackend("cpu");
  const p = tf.variable(tf.tensor1d([1, -2]));
  const start = tf.memory().numTensors;
  const opt = new AdamW([p], { weightDecay: 0.1 });
  assert.equal(tf.memory().numTensors - start, 2, "one m and one v tensor per variable");
  const before = tf.memory().numTensors;
  const lr = 0.01;
  const ref = [1, -2];
  const m = [0, 0];
  const v = [0, 0];
  const gs = [[0.5, -1], [0.25, 2]];
  for (let t = 1; t <= 2; t++) {
    const g = tf.tensor1d(gs[t - 1]);
    opt.apply([g], lr);
    g.dispose();
    for (let i = 0; i < 2; i++) {
      ref[i] *= 1 - lr * 0.1;
      m[i] = 0.9 * m[i] + 0.1 * gs[t - 1][i];
      v[i] = 0.999 * v[i] + 0.001 * gs[t - 1][i] ** 2;
      const mh = m[i] / (1 - 0.9 ** t);
      const vh = v[i] / (1 - 0.999 ** t);
      ref[i] -= lr * mh / (Math.sqrt(vh) + 1e-8);
    }
  }
  const got = await p.data();
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(got[i] - ref[i]) < 1e-6, `${got[i]} vs ${ref[i]}`);
  assert.equal(tf.memory().numTensors, before);
  // state round trip
  const q = tf.variable(tf.tensor1d([1, -2]));
  const opt2 = new AdamW([q], { weightDecay: 0.1 });
  opt2.setState(opt.getState());
  assert.equal(opt2.step, 2);
  assert.deepEqual(opt2.getState(), opt.getState());
  opt.dispose();
  opt2.dispose();
  p.dispose();
  q.dispose();
});

Deno.test("clipByGlobalNorm: scales to the max norm, leaves small gradients alone", async () => {
  await tf.setBackend("cpu");
  const a = tf.tensor1d([3, 0]);
  const b = tf.tensor1d([4]);
  const { clipped, norm } = clipByGlobalNorm([a, b], 1);
  assert.ok(Math.abs((await norm.data())[0] - 5) < 1e-6);
  assert.ok(Math.abs((await clipped[0].data())[0] - 0.6) < 1e-5);
  assert.ok(Math.abs((await clipped[1].data())[0] - 0.8) < 1e-5);
  const small = clipByGlobalNorm([a, b], 10);
  assert.ok(Math.abs((await small.clipped[1].data())[0] - 4) < 1e-6);
  tf.dispose([a, b, norm, small.norm, ...clipped, ...small.clipped]);
});

Deno.test("learningRate: linear warm-up then poly decay to zero", () => {
  const cfg = { lr: 1, warmup: 10, total: 110, power: 1 };
  assert.equal(learningRate(0, cfg), 0.1);
  assert.equal(learningRate(9, cfg), 1);
  assert.equal(learningRate(10, cfg), 1);
  assert.equal(learningRate(60, cfg), 0.5);
  assert.equal(learningRate(110, cfg), 0);
  assert.equal(learningRate(500, cfg), 0);
});

Deno.test("AdamW: clipAndApply over several variables = clip then per-element AdamW; a missing gradient leaves its variable and moments alone", async () => {
  await tf.setBackend("cpu");
  const init = [[0.5, -1, 2, 0.1, -0.3, 1.5], [3, -4, 0.2, 1]];
  const vars = [tf.variable(tf.tensor2d(init[0], [2, 3])), tf.variable(tf.tensor1d(init[1]))];
  const opt = new AdamW(vars, { weightDecay: 0.05 });
  const before = tf.memory().numTensors;
  const gs = [[1, -2, 3, 0.5, -0.5, 4], [2, 2, -6, 1]];
  const grads = [tf.tensor2d(gs[0], [2, 3]), tf.tensor1d(gs[1])];
  const lr = 0.02, maxNorm = 2;
  const norm = opt.clipAndApply(grads, lr, maxNorm);
  const n = Math.sqrt(gs.flat().reduce((s, g) => s + g * g, 0));
  assert.ok(Math.abs((await norm.data())[0] - n) < 1e-4);
  const factor = Math.min(1, maxNorm / (n + 1e-6));
  for (let i = 0; i < 2; i++) {
    const got = await vars[i].data();
    init[i].forEach((p, j) => {
      const g = gs[i][j] * factor;
      const mh = (0.1 * g) / 0.1, vh = (0.001 * g * g) / 0.001;
      const ref = p * (1 - lr * 0.05) - lr * mh / (Math.sqrt(vh) + 1e-8);
      assert.ok(Math.abs(got[j] - ref) < 1e-6, `var ${i}[${j}]: ${got[j]} vs ${ref}`);
    });
  }
  const state = opt.getState();
  const second = await vars[1].data();
  opt.apply([grads[0], undefined], lr);
  assert.deepEqual(await vars[1].data(), second, "no gradient: the variable is unchanged");
  const after = opt.getState();
  assert.deepEqual(after.moments[2], state.moments[2]);
  assert.deepEqual(after.moments[3], state.moments[3]);
  assert.notDeepEqual(after.moments[0], state.moments[0]);
  tf.dispose([norm, ...grads]);
  assert.equal(tf.memory().numTensors, before);
  opt.dispose();
  tf.dispose(vars);
});
