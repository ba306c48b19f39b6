import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { initBackend } from "../backend.ts";
import { LOSS_DEFAULTS, lrtlLoss, temporalRamp } from "./schedule.ts";
import { smoothTracks } from "./smooth.ts";
import { temporalLoss, temporalLossBothWays } from "./temporal.ts";

await initBackend("wasm");

Deno.test("temporalLoss: visibility-weighted mean of squared mask differences", () => {
  const before = tf.memory().numTensors;
  const ma = tf.tensor3d([[[1, 0], [0.5, 0.5], [0, 1]]]);
  const mb = tf.tensor3d([[[0, 1], [0.5, 0.5], [1, 0]]]);
  const vis = tf.tensor2d([[1, 1, 0]]);
  const l = temporalLoss(ma, mb, vis);
  assert.ok(Math.abs(l.dataSync()[0] - 1) < 1e-6); // (2 + 0) / 2
  const same = temporalLoss(ma, ma, vis);
  assert.equal(same.dataSync()[0], 0);
  const none = temporalLoss(ma, mb, tf.zeros([1, 3]) as tf.Tensor2D);
  assert.equal(none.dataSync()[0], 0);
  const g = tf.grad((x: tf.Tensor) => temporalLoss(x as tf.Tensor3D, mb, vis))(ma);
  const want = [1, -1, 0, 0, 0, 0]; // 2(ma-mb)/Σv, invisible: 0
  g.dataSync().forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `grad ${i}: ${v}`));
  tf.dispose([ma, mb, vis, l, same, none, g]);
  assert.ok(tf.memory().numTensors <= before + 1); // the zeros() above
});

Deno.test("temporalLossBothWays: the mean of the two directional means, not one pooled mean", () => {
  const before = tf.memory().numTensors;
  // a→b: tracks 0–2 (2 visible, squared distances 2 and 0); b→a: tracks 3–4 (1 visible: 0.5)
  const ma = tf.tensor3d([[[1, 0], [0.5, 0.5], [0, 1], [1, 0], [0, 1]]]);
  const mb = tf.tensor3d([[[0, 1], [0.5, 0.5], [1, 0], [0.5, 0.5], [1, 0]]]);
  const vis = tf.tensor2d([[1, 1, 0, 1, 0]]);
  const vis1 = tf.tensor2d([[1, 1, 0, 0, 0]]);
  const [lb, lp, l1] = [
    temporalLossBothWays(ma, mb, vis, 3),
    temporalLoss(ma, mb, vis),
    temporalLossBothWays(ma, mb, vis1, 3),
  ];
  const both = lb.dataSync()[0], pooled = lp.dataSync()[0], oneWay = l1.dataSync()[0];
  assert.ok(Math.abs(both - (1 + 0.5) / 2) < 1e-6, `both ways ${both}`);
  assert.ok(Math.abs(pooled - 2.5 / 3) < 1e-6, `pooled ${pooled}`);
  // a direction without visible tracks is left out
  assert.ok(Math.abs(oneWay - 1) < 1e-6, `one way ${oneWay}`);
  const g = tf.grad((x: tf.Tensor) => temporalLossBothWays(x as tf.Tensor3D, mb, vis, 3))(ma);
  // ∂/∂ma = 2(ma − mb) / (2 · visible tracks of its direction)
  const want = [0.5, -0.5, 0, 0, 0, 0, 0.5, -0.5, 0, 0];
  g.dataSync().forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `grad ${i}: ${v}`));
  assert.throws(() => temporalLossBothWays(ma, mb, vis, 5), RangeError);
  tf.dispose([ma, mb, vis, vis1, lb, lp, l1, g]);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("temporalRamp and LOSS_DEFAULTS follow the reference", () => {
  assert.equal(LOSS_DEFAULTS.lambdaFlow, 0.03);
  assert.equal(LOSS_DEFAULTS.lambdaTrajectory, 5e-5);
  assert.equal(LOSS_DEFAULTS.lambdaTemporal, 0.1);
  assert.equal(temporalRamp(0), 0.001);
  assert.ok(Math.abs(temporalRamp(20_000) - (0.001 + 0.999 / 8)) < 1e-12);
  assert.equal(temporalRamp(1e9), 1);
  assert.equal(temporalRamp(50, 100), 0.001 + 0.999 / 2);
  assert.throws(() => temporalRamp(1, 0), RangeError);
  const [a, b, c] = [tf.scalar(2), tf.scalar(3), tf.scalar(4)];
  const l = lrtlLoss({ flow: a, traj: b, temporal: c }, 80_000);
  const want = 0.03 * 2 + 5e-5 * 3 + 0.1 * (0.001 + 0.999 / 2) * 4;
  assert.ok(Math.abs(l.dataSync()[0] - want) < 1e-6);
  const only = lrtlLoss({ traj: b }, 0, { lambdaTrajectory: 1 });
  assert.equal(only.dataSync()[0], 3);
  assert.throws(() => lrtlLoss({}, 0), RangeError);
  tf.dispose([a, b, c, l, only]);
});

Deno.test("smoothTracks: 11-frame moving average that shrinks at the ends", () => {
  const T = 20;
  const xy = new Float32Array(2 * 2 * T);
  for (let t = 0; t < T; t++) {
    xy[2 * t] = t; // track 0: x = t (linear: interior average = t)
    xy[2 * t + 1] = 5;
    xy[2 * (T + t)] = t % 2; // track 1 alternates
    xy[2 * (T + t) + 1] = t * t;
  }
  const s = smoothTracks(xy, 2, T);
  assert.equal(s[2 * 10], 10);
  assert.equal(s[2 * 10 + 1], 5);
  assert.equal(s[0], (0 + 1 + 2 + 3 + 4 + 5) / 6); // window [0, 5] at t = 0
  assert.equal(s[2 * 19], (14 + 15 + 16 + 17 + 18 + 19) / 6);
  assert.ok(Math.abs(s[2 * (T + 10)] - 6 / 11) < 1e-6); // frames 5..15: 6 odd of 11
  const brute = (t: number) => {
    let sum = 0, n = 0;
    for (let u = Math.max(0, t - 5); u <= Math.min(T - 1, t + 5); u++, n++) sum += u * u;
    return sum / n;
  };
  for (let t = 0; t < T; t++) assert.ok(Math.abs(s[2 * (T + t) + 1] - brute(t)) < 1e-3);
  assert.throws(() => smoothTracks(xy, 3, T), RangeError);
  assert.deepEqual(smoothTracks(xy, 2, T, 1), xy);
});
