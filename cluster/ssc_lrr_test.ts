import assert from "node:assert/strict";
import { ssc, sscCoefficients } from "./ssc.ts";
import { lrr } from "./lrr.ts";
import { misclassificationRate } from "./metrics.ts";
import { affineMotions } from "./_synthetic_test_data.ts";

Deno.test("ssc separates three affine motions and its coefficients satisfy the constraints", () => {
  const { w, rows, cols, labels } = affineMotions(3, 25, 12, 5);
  const c = sscCoefficients(w, rows, cols);
  let inGroup = 0;
  let total = 0;
  for (let i = 0; i < cols; i++) {
    assert.equal(c[i * cols + i], 0);
    for (let j = 0; j < cols; j++) {
      const v = Math.abs(c[i * cols + j]);
      total += v;
      if (labels[i] === labels[j]) inGroup += v;
    }
  }
  assert.ok(inGroup / total > 0.9, `in-group coefficient mass ${inGroup / total}`);
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < cols; i++) s += c[i * cols + j];
    assert.ok(Math.abs(s - 1) < 0.05, `column ${j} sums to ${s}`);
  }
  assert.equal(misclassificationRate(labels, ssc(w, rows, cols, 3)), 0);
});

Deno.test("lrr separates three affine motions; both are deterministic", () => {
  const { w: pixels, rows, cols, labels } = affineMotions(3, 25, 12, 6);
  // λ = 4 is the reference setting for normalised coordinates (Hopkins `x`, ≈ ±1).
  const w = pixels.map((v) => v / 300);
  const a = lrr(w, rows, cols, 3);
  assert.equal(misclassificationRate(labels, a), 0);
  assert.deepEqual(a, lrr(w, rows, cols, 3));
  assert.throws(() => lrr(w, rows, cols - 1, 3), RangeError);
});
