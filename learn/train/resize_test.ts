import assert from "node:assert/strict";
import { resizeBilinear, resizeImage } from "./resize.ts";

Deno.test("resizeBilinear: identity, hand-computed 2x upsample, channel scale", () => {
  const src = [0, 1, 2, 3]; // 2x2, one channel
  assert.deepEqual([...resizeBilinear(src, 2, 2, 1, 2, 2)], src);
  // 1x2 → 1x4: centres at -0.25, 0.25, 0.75, 1.25 (clamped) → 0, 0.25, 0.75, 1
  assert.deepEqual([...resizeBilinear([0, 1], 1, 2, 1, 1, 4)], [0, 0.25, 0.75, 1]);
  const two = resizeBilinear([1, 10, 3, 30], 1, 2, 2, 1, 1, [2, 0.5]);
  assert.deepEqual([...two], [4, 10]);
  assert.throws(() => resizeBilinear([1, 2, 3], 2, 2, 1, 1, 1), /3 values/);
});

Deno.test("resizeImage: area average when shrinking, bilinear when growing", () => {
  // 1x4 → 1x2: each output is the mean of two inputs
  assert.deepEqual([...resizeImage([1, 3, 5, 7], 1, 4, 1, 1, 2)], [2, 6]);
  // 1x3 → 1x2: [0, 1.5) and [1.5, 3): (1·a + 0.5·b) / 1.5
  const r = resizeImage([0, 3, 6], 1, 3, 1, 1, 2);
  assert.ok(Math.abs(r[0] - 1) < 1e-6 && Math.abs(r[1] - 5) < 1e-6, `${[...r]}`);
  // 4x4 → 1x1 with a channel scale: the mean of everything, times the scale
  const flat = Array.from({ length: 16 }, (_, i) => i);
  assert.ok(Math.abs(resizeImage(flat, 4, 4, 1, 1, 1, [2])[0] - 15) < 1e-6);
  // a constant image stays constant at any ratio (weights sum to 1)
  const ones = new Float32Array(37 * 53 * 2).fill(0.25);
  for (const v of resizeImage(ones, 37, 53, 2, 10, 14)) assert.ok(Math.abs(v - 0.25) < 1e-7);
  // mixed: shrink width, grow height
  const m = resizeImage([0, 2, 4, 6], 1, 4, 1, 2, 2);
  assert.deepEqual([...m], [1, 5, 1, 5]);
  // neither axis shrinks: exactly resizeBilinear
  const up = resizeImage([0, 1, 2, 3], 2, 2, 1, 3, 5);
  assert.deepEqual([...up], [...resizeBilinear([0, 1, 2, 3], 2, 2, 1, 3, 5)]);
  assert.throws(() => resizeImage([1, 2, 3], 2, 2, 1, 1, 1), /3 values/);
});
