import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { initBackend } from "../backend.ts";
import { registeredWasmGradKernels, registerWasmGradKernels } from "./mod.ts";
import { uniforms } from "../../core/random.ts";

/** Uniform numbers in [-0.5, 0.5). */
function rng(seed: number): () => number {
  const u = uniforms(seed);
  return () => u() - 0.5;
}

function randArray(n: number, r: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r();
  return a;
}

function relErr(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-30);
}

/** Runs `f` on `backend` with the given arrays as inputs; returns the outputs' values. */
async function runOn(
  backend: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor[],
  inputs: { shape: number[]; values: Float32Array | Int32Array }[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const xs = inputs.map((i) =>
    i.values instanceof Int32Array
      ? tf.tensor(i.values, i.shape, "int32")
      : tf.tensor(i.values, i.shape)
  );
  const outs = tf.tidy(() => f(...xs));
  const vals = await Promise.all(outs.map(async (o) => new Float32Array(await o.data())));
  tf.dispose(outs);
  tf.dispose(xs);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return vals;
}

await initBackend("wasm");

interface ConvCase {
  b: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  f: [number, number];
  s: number;
  pad: "same" | "valid";
}

const convCases: ConvCase[] = [
  { b: 2, h: 7, w: 8, ci: 3, co: 4, f: [3, 3], s: 1, pad: "same" },
  { b: 2, h: 7, w: 8, ci: 3, co: 4, f: [3, 3], s: 1, pad: "valid" },
  { b: 1, h: 8, w: 9, ci: 2, co: 5, f: [3, 3], s: 2, pad: "same" },
  { b: 3, h: 9, w: 6, ci: 4, co: 3, f: [3, 3], s: 2, pad: "valid" },
  { b: 2, h: 6, w: 6, ci: 3, co: 2, f: [3, 3], s: 2, pad: "valid" }, // unused last row/col
  { b: 2, h: 10, w: 7, ci: 3, co: 3, f: [2, 2], s: 2, pad: "same" }, // even filter
  { b: 1, h: 5, w: 6, ci: 2, co: 3, f: [4, 3], s: 1, pad: "same" }, // even, asymmetric pad
  { b: 2, h: 11, w: 8, ci: 3, co: 2, f: [5, 5], s: 2, pad: "same" },
  { b: 2, h: 6, w: 5, ci: 4, co: 6, f: [1, 1], s: 1, pad: "valid" },
  { b: 1, h: 8, w: 8, ci: 2, co: 2, f: [2, 2], s: 2, pad: "valid" }, // upsampling by transpose
];

Deno.test("Conv2D gradients (dX, dW) on wasm match cpu", async () => {
  assert.ok(registeredWasmGradKernels().includes("Conv2DBackpropFilter"));
  const r = rng(1);
  for (const c of convCases) {
    const xv = randArray(c.b * c.h * c.w * c.ci, r);
    const wv = randArray(c.f[0] * c.f[1] * c.ci * c.co, r);
    const probe = tf.tidy(() =>
      tf.conv2d(
        tf.zeros([c.b, c.h, c.w, c.ci]) as tf.Tensor4D,
        tf.zeros([...c.f, c.ci, c.co]) as tf.Tensor4D,
        c.s,
        c.pad,
      ).shape
    );
    const rv = randArray(probe.reduce((p, q) => p * q, 1), r);
    const f = (x: tf.Tensor, w: tf.Tensor, rr: tf.Tensor) => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), rr))
      );
      return g([x, w]);
    };
    const inputs = [
      { shape: [c.b, c.h, c.w, c.ci], values: xv },
      { shape: [...c.f, c.ci, c.co], values: wv },
      { shape: probe, values: rv },
    ];
    const ref = await runOn("cpu", f, inputs);
    const got = await runOn("wasm", f, inputs);
    const label = JSON.stringify(c);
    assert.ok(relErr(got[0], ref[0]) <= 1e-4, `dX ${label}: ${relErr(got[0], ref[0])}`);
    assert.ok(relErr(got[1], ref[1]) <= 1e-4, `dW ${label}: ${relErr(got[1], ref[1])}`);
  }
});

Deno.test("conv2dTranspose (Conv2DBackpropInput) on wasm matches cpu", async () => {
  const r = rng(2);
  for (
    const [h, w, s, pad] of [[4, 5, 2, "same"], [3, 3, 2, "valid"], [5, 4, 1, "same"]] as const
  ) {
    const xv = randArray(2 * h * w * 3, r);
    const wv = randArray(3 * 3 * 4 * 3, r); // [fh, fw, outC, inC]
    const oh = pad === "same" ? h * s : (h - 1) * s + 3;
    const ow = pad === "same" ? w * s : (w - 1) * s + 3;
    const f = (x: tf.Tensor, k: tf.Tensor) => [
      tf.conv2dTranspose(x as tf.Tensor4D, k as tf.Tensor4D, [2, oh, ow, 4], s, pad),
    ];
    const inputs = [{ shape: [2, h, w, 3], values: xv }, { shape: [3, 3, 4, 3], values: wv }];
    const ref = await runOn("cpu", f, inputs);
    const got = await runOn("wasm", f, inputs);
    assert.ok(relErr(got[0], ref[0]) <= 1e-4, `transpose ${h}x${w} s${s} ${pad}`);
  }
});

Deno.test("depthwise conv gradients on wasm match cpu", async () => {
  const r = rng(3);
  for (
    const [h, w, ci, m, s, pad] of [
      [7, 8, 3, 1, 1, "same"],
      [8, 7, 2, 2, 2, "same"],
      [9, 6, 3, 2, 2, "valid"],
    ] as const
  ) {
    const xv = randArray(2 * h * w * ci, r);
    const wv = randArray(3 * 3 * ci * m, r);
    const probe = tf.tidy(() =>
      tf.depthwiseConv2d(
        tf.zeros([2, h, w, ci]) as tf.Tensor4D,
        tf.zeros([3, 3, ci, m]) as tf.Tensor4D,
        s,
        pad,
      ).shape
    );
    const rv = randArray(probe.reduce((p, q) => p * q, 1), r);
    const f = (x: tf.Tensor, k: tf.Tensor, rr: tf.Tensor) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), rr))
      )([x, k]);
    const inputs = [
      { shape: [2, h, w, ci], values: xv },
      { shape: [3, 3, ci, m], values: wv },
      { shape: probe, values: rv },
    ];
    const ref = await runOn("cpu", f, inputs);
    const got = await runOn("wasm", f, inputs);
    assert.ok(relErr(got[0], ref[0]) <= 1e-4, `depthwise dX ${h} ${w} ${ci} ${m} ${s} ${pad}`);
    assert.ok(relErr(got[1], ref[1]) <= 1e-4, `depthwise dW ${h} ${w} ${ci} ${m} ${s} ${pad}`);
  }
});

Deno.test("UnsortedSegmentSum and the gather gradient on wasm match cpu", async () => {
  const r = rng(4);
  const xv = randArray(20 * 3, r);
  const ids = new Int32Array(20).map((_, i) => (i * 7) % 6); // duplicates, one id never used
  const seg = (x: tf.Tensor, i: tf.Tensor) => [tf.unsortedSegmentSum(x, i as tf.Tensor1D, 7)];
  const inputs = [{ shape: [20, 3], values: xv }, { shape: [20], values: ids }];
  const ref = await runOn("cpu", seg, inputs);
  const got = await runOn("wasm", seg, inputs);
  assert.ok(relErr(got[0], ref[0]) <= 1e-6);
  assert.equal(got[0].length, 21);

  const pv = randArray(10 * 4, r);
  const gi = new Int32Array([0, 3, 3, 9, 1, 3, 0, 7]);
  const gv = randArray(8 * 4, r);
  const gat = (p: tf.Tensor, i: tf.Tensor, g: tf.Tensor) => [
    tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, i as tf.Tensor1D), g)))(p),
  ];
  const gin = [
    { shape: [10, 4], values: pv },
    { shape: [8], values: gi },
    { shape: [8, 4], values: gv },
  ];
  const gref = await runOn("cpu", gat, gin);
  const ggot = await runOn("wasm", gat, gin);
  assert.ok(relErr(ggot[0], gref[0]) <= 1e-6);
});

Deno.test("registerWasmGradKernels is idempotent", async () => {
  await tf.setBackend("wasm");
  registerWasmGradKernels();
  registerWasmGradKernels();
  assert.deepEqual(registeredWasmGradKernels(), [
    "Conv2DBackpropFilter",
    "Conv2DBackpropInput",
    "DepthwiseConv2dNativeBackpropFilter",
    "DepthwiseConv2dNativeBackpropInput",
    "UnsortedSegmentSum",
  ]);
  registerWasmGradKernels({ nativeBackpropInput: true });
  assert.ok(!registeredWasmGradKernels().includes("Conv2DBackpropInput"));
  assert.ok(tf.getKernel("Conv2DBackpropInput", "wasm") !== undefined, "stock kernel restored");
  registerWasmGradKernels();
});
