import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { initBackend } from "./backend.ts";
import { bilinearWeights, resizeBilinearTf, sampleAt } from "./sample.ts";
import { resizeBilinear } from "./train/resize.ts";

await initBackend("wasm");

Deno.test("sampleAt: exact at pixel centres, bilinear between, clamped at the border", async () => {
  const before = tf.memory().numTensors;
  const [b, h, w, c] = [2, 3, 4, 2];
  const vals = Float32Array.from({ length: b * h * w * c }, (_, i) => Math.sin(i) * 3);
  const at = (bb: number, y: number, x: number, cc: number) =>
    vals[((bb * h + y) * w + x) * c + cc];
  const maps = tf.tensor4d(vals, [b, h, w, c]);
  const pts = [[0, 0], [3, 2], [1.5, 0.5], [2.25, 1], [-5, 1], [10, 10], [0.5, 2]];
  const xy = tf.tensor3d([...pts, ...pts].flat(), [b, pts.length, 2]);
  const out = sampleAt(maps, xy);
  const got = await out.data();
  tf.dispose([maps, xy, out]);
  assert.equal(tf.memory().numTensors, before);
  const bil = (bb: number, x: number, y: number, cc: number) => {
    x = Math.min(Math.max(x, 0), w - 1);
    y = Math.min(Math.max(y, 0), h - 1);
    const x0 = Math.min(Math.floor(x), w - 2), y0 = Math.min(Math.floor(y), h - 2);
    const fx = x - x0, fy = y - y0;
    return (1 - fy) * ((1 - fx) * at(bb, y0, x0, cc) + fx * at(bb, y0, x0 + 1, cc)) +
      fy * ((1 - fx) * at(bb, y0 + 1, x0, cc) + fx * at(bb, y0 + 1, x0 + 1, cc));
  };
  for (let bb = 0; bb < b; bb++) {
    for (let i = 0; i < pts.length; i++) {
      for (let cc = 0; cc < c; cc++) {
        const g = got[(bb * pts.length + i) * c + cc];
        assert.ok(Math.abs(g - bil(bb, pts[i][0], pts[i][1], cc)) < 1e-5, `${bb} ${i} ${cc}`);
      }
    }
  }
  assert.ok(Math.abs(got[0] - at(0, 0, 0, 0)) < 1e-6);
  assert.ok(Math.abs(got[2] - at(0, 2, 3, 0)) < 1e-6);
});

Deno.test("sampleAt gradient w.r.t. maps matches the cpu backend (and is the bilinear weights)", async () => {
  const res: Float32Array[] = [];
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const maps = tf.tensor4d(Float32Array.from({ length: 2 * 5 * 6 * 3 }, (_, i) => i % 7), [
      2,
      5,
      6,
      3,
    ]);
    const xy = tf.tensor3d(
      Float32Array.from({ length: 2 * 50 * 2 }, (_, i) => ((i * 37) % 71) / 10 - 0.5),
      [2, 50, 2],
    );
    const wts = tf.tensor3d(Float32Array.from({ length: 2 * 50 * 3 }, (_, i) => (i % 5) - 2), [
      2,
      50,
      3,
    ]);
    const g = tf.grad((m: tf.Tensor) => tf.sum(tf.mul(sampleAt(m as tf.Tensor4D, xy), wts)))(
      maps,
    );
    res.push(new Float32Array(await g.data()));
    tf.dispose([maps, xy, wts, g]);
    assert.equal(tf.memory().numTensors, before, `${backend} leaked`);
  }
  let nz = 0;
  for (let i = 0; i < res[0].length; i++) {
    assert.ok(Math.abs(res[0][i] - res[1][i]) < 1e-4, `grad ${i}`);
    if (res[0][i] !== 0) nz++;
  }
  assert.ok(nz > 10);
});

Deno.test("resizeBilinearTf equals the plain-JS resize (half-pixel, clamped) and is differentiable", () => {
  const before = tf.memory().numTensors;
  const [b, h, w, c] = [2, 5, 7, 3];
  const vals = Float32Array.from({ length: b * h * w * c }, (_, i) => Math.cos(i * 0.7));
  for (const [oh, ow] of [[12, 17], [5, 7], [3, 4]]) {
    const x = tf.tensor4d(vals, [b, h, w, c]);
    const y = resizeBilinearTf(x, oh, ow);
    assert.deepEqual(y.shape, [b, oh, ow, c]);
    const got = y.dataSync();
    for (let bb = 0; bb < b; bb++) {
      const want = resizeBilinear(
        vals.subarray(bb * h * w * c, (bb + 1) * h * w * c),
        h,
        w,
        c,
        oh,
        ow,
      );
      want.forEach((v, i) => {
        assert.ok(Math.abs(got[bb * oh * ow * c + i] - v) < 1e-5, `${oh}x${ow} [${bb}, ${i}]`);
      });
    }
    // gradient of Σ y ⊙ g is Rᵀ g: check one entry against the weights
    const g = tf.grad((t: tf.Tensor) => tf.sum(resizeBilinearTf(t as tf.Tensor4D, oh, ow)))(x);
    const rx = bilinearWeights(w, ow), ry = bilinearWeights(h, oh);
    const colSum = (m: Float32Array, out: number, inp: number, j: number) => {
      let s = 0;
      for (let o = 0; o < out; o++) s += m[o * inp + j];
      return s;
    };
    const want = colSum(ry, oh, h, 2) * colSum(rx, ow, w, 3);
    assert.ok(Math.abs(g.dataSync()[(2 * w + 3) * c] - want) < 1e-5);
    tf.dispose([x, y, g]);
  }
  assert.equal(tf.memory().numTensors, before);
});
