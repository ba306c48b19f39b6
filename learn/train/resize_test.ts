import assert from "node:assert/strict";
import { resizeBilinear } from "./resize.ts";

Deno.test("resizeBilinear: identity, hand-computed 2x upsample, channel scale", () => {
  const src = [0, 1, 2, 3]; // 2x2, one channel
  assert.deepEqual([...resizeBilinear(src, 2, 2, 1, 2, 2)], src);
  // 1x2 → 1x4: centres at -0.25, 0.25, 0.75, 1.25 (clamped) → 0, 0.25, 0.75, 1
  assert.deepEqual([...resizeBilinear([0, 1], 1, 2, 1, 1, 4)], [0, 0.25, 0.75, 1]);
  const two = resizeBilinear([1, 10, 3, 30], 1, 2, 2, 1, 1, [2, 0.5]);
  assert.deepEqual([...two], [4, 10]);
  assert.throws(() => resizeBilinear([1, 2, 3], 2, 2, 1, 1, 1), /3 values/);
});
