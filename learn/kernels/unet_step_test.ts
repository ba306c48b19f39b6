import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { initBackend } from "../backend.ts";

/**
 * A small UNet-like step touching every op family a segmentation net needs (conv, stride-2
 * conv, transposed conv, bilinear resize (nearest: see the adjoint test), max/avg pool, batch norm, group-norm
 * style moments, relu, concat, softmax, gather): gradients on wasm must exist (no "kernel not
 * registered") and match the cpu backend. Square sizes: tfjs-backend-cpu 4.22's
 * ResizeBilinearGrad returns its result with height and width swapped in the shape (values in
 * the right order), so non-square resize gradients are checked by values below.
 */
function step(params: tf.Tensor[], x: tf.Tensor4D, idx: tf.Tensor1D): tf.Tensor[] {
  const [w1, w2, w3, wt, w4, gamma, beta] = params as tf.Tensor4D[];
  const f = (...p: tf.Tensor[]) => {
    const [a1, a2, a3, at, a4, g, b] = p as tf.Tensor4D[];
    const h1 = tf.relu(tf.conv2d(x, a1, 1, "same")); // [B,16,16,4]
    const h2 = tf.relu(tf.conv2d(tf.maxPool(h1, 2, 2, "same"), a2, 1, "same")); // [B,8,8,6]
    const m = tf.moments(h2, [0, 1, 2]);
    const h2n = tf.batchNorm(h2, m.mean, m.variance, b, g, 1e-5) as tf.Tensor4D;
    const h3 = tf.relu(tf.conv2d(tf.avgPool(h2n, 2, 2, "valid"), a3, 2, "same")); // [B,2,2,6]
    const up3 = tf.image.resizeBilinear(h3, [8, 8], false); // [B,8,8,6]
    const up2 = tf.conv2dTranspose(
      tf.concat([h2n, up3], 3) as tf.Tensor4D,
      at,
      [2, 16, 16, 4],
      2,
      "same",
    );
    const upN = tf.image.resizeBilinear(h2n, [16, 16], true);
    const logits = tf.conv2d(tf.concat([h1, up2, upN], 3) as tf.Tensor4D, a4, 1, "same"); // [B,16,16,3]
    const sm = tf.softmax(logits);
    const picked = tf.gather(tf.reshape(sm, [-1, 3]), idx);
    return tf.add(tf.mean(tf.square(sm)), tf.mean(tf.log(tf.add(picked, 0.1))));
  };
  return tf.grads(f)([w1, w2, w3, wt, w4, gamma, beta]);
}

function det(seed: number, n: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = s / 2147483648 - 0.5;
  }
  return a;
}

Deno.test("UNet-like training step: wasm gradients exist and match cpu", async () => {
  await initBackend("wasm");
  const shapes = [[3, 3, 3, 4], [3, 3, 4, 6], [3, 3, 6, 6], [2, 2, 4, 12], [3, 3, 14, 3], [6], [
    6,
  ]];
  const results: Float32Array[][] = [];
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const params = shapes.map((s, i) =>
      tf.tensor(det(i + 1, s.reduce((p, q) => p * q, 1)).map((v) => i === 5 ? v + 1 : v), s)
    );
    const x = tf.tensor4d(det(99, 2 * 16 * 16 * 3), [2, 16, 16, 3]);
    const idx = tf.tensor1d([0, 5, 5, 100, 511, 7], "int32");
    const grads = tf.tidy(() => step(params, x, idx));
    results.push(await Promise.all(grads.map(async (g) => new Float32Array(await g.data()))));
    tf.dispose([...grads, ...params, x, idx]);
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  }
  const [ref, got] = results;
  for (let i = 0; i < ref.length; i++) {
    let num = 0, den = 0;
    for (let j = 0; j < ref[i].length; j++) {
      num = Math.max(num, Math.abs(ref[i][j] - got[i][j]));
      den = Math.max(den, Math.abs(ref[i][j]));
    }
    assert.ok(den > 0, `gradient ${i} is all zero`);
    assert.ok(num / den <= 1e-4, `gradient ${i}: rel err ${num / den}`);
  }
});

Deno.test("wasm resize gradients are the adjoints of the forward resizes (non-square)", async () => {
  // tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad is not the adjoint of its forward op and
  // its ResizeBilinearGrad mislabels the shape, so the check is <resize(x), dy> = <x, grad(dy)>.
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  for (const [h, w, oh, ow] of [[3, 5, 7, 9], [6, 6, 3, 4], [4, 4, 8, 8]]) {
    for (const alignCorners of [false, true]) {
      for (const k of ["ResizeBilinear", "ResizeNearestNeighbor"]) {
        const [lhs, rhs] = tf.tidy(() => {
          const x = tf.tensor4d(det(h * w, 2 * h * w * 2), [2, h, w, 2]);
          const dy = tf.tensor4d(det(oh + ow, 2 * oh * ow * 2), [2, oh, ow, 2]);
          const y = k === "ResizeBilinear"
            ? tf.image.resizeBilinear(x, [oh, ow], alignCorners)
            : tf.image.resizeNearestNeighbor(x, [oh, ow], alignCorners);
          const g = tf.engine().runKernel(`${k}Grad`, { images: x, dy }, { alignCorners });
          return [tf.sum(tf.mul(y, dy)), tf.sum(tf.mul(x, g as tf.Tensor))];
        });
        const a = (await lhs.data())[0], b = (await rhs.data())[0];
        tf.dispose([lhs, rhs]);
        assert.ok(Math.abs(a - b) <= 1e-4 * (1 + Math.abs(a)), `${k} ${h}x${w}->${oh}x${ow}`);
      }
    }
  }
  assert.equal(tf.memory().numTensors, before);
});
