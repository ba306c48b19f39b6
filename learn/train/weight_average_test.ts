import assert from "node:assert/strict";
import { averageDecay, WeightAverage } from "./weight_average.ts";
import type { NamedArray } from "../net/types.ts";

const weights = (values: number[][]): NamedArray[] =>
  values.map((v, i) => ({ name: `w${i}`, shape: [v.length], data: Float32Array.from(v) }));

Deno.test("WeightAverage: follows the float64 recursion avg ← d_t·avg + (1 − d_t)·w", () => {
  const decay = 0.9;
  const avg = new WeightAverage(decay);
  assert.equal(avg.state(), null);
  // a slow drift plus alternating noise, in two arrays of different sizes
  const at = (t: number) => [[t, -2 * t + (t % 2 ? 0.5 : -0.5)], [Math.sin(t), 1e-6 * t, 3]];
  let ref: number[][] = [];
  for (let t = 1; t <= 40; t++) {
    const w = at(t);
    avg.update(weights(w), t);
    const d = t === 1 ? 0 : Math.min(decay, t / (t + 9));
    ref = t === 1 ? w : ref.map((a, i) => a.map((x, j) => d * x + (1 - d) * w[i][j]));
  }
  const got = avg.state()!;
  for (let i = 0; i < ref.length; i++) {
    for (let j = 0; j < ref[i].length; j++) {
      const tol = 1e-5 * Math.max(1, Math.abs(ref[i][j]));
      assert.ok(
        Math.abs(got[i].data[j] - ref[i][j]) <= tol,
        `w${i}[${j}] ${got[i].data[j]} vs ${ref[i][j]}`,
      );
    }
  }
  // constant weights stay exactly constant (the average of one value is that value)
  const still = new WeightAverage(0.999);
  for (let t = 1; t <= 5; t++) still.update(weights([[0.1, -7]]), t);
  assert.deepEqual(Array.from(still.state()![0].data), Array.from(Float32Array.from([0.1, -7])));
});

Deno.test("WeightAverage: the warm-up decay, a resumed state, and mismatched arrays", () => {
  assert.equal(averageDecay(0.999, 1), 0.1);
  assert.equal(averageDecay(0.999, 91), 0.91);
  assert.equal(averageDecay(0.5, 91), 0.5);
  const a = new WeightAverage(0.8);
  a.update(weights([[1, 2]]), 1);
  a.update(weights([[3, 5]]), 2);
  const b = new WeightAverage(0.8, a.state());
  a.update(weights([[4, 4]]), 3);
  b.update(weights([[4, 4]]), 3);
  assert.deepEqual(b.state(), a.state());
  // state() is a copy: changing it does not change the average
  a.state()![0].data[0] = 99;
  assert.notEqual(a.state()![0].data[0], 99);
  assert.throws(() => a.update(weights([[1, 2], [3]]), 4), /2 arrays, the average has 1/);
  assert.throws(
    () => a.update([{ name: "other", shape: [2], data: new Float32Array(2) }], 4),
    /array 0 is "other", expected "w0"/,
  );
  assert.throws(() => new WeightAverage(1), /decay must be in \(0, 1\)/);
  assert.throws(() => new WeightAverage(0), /decay must be in \(0, 1\)/);
});
