import assert from "node:assert/strict";
import { adjustedRandIndex, foregroundARI, hungarian, misclassificationRate } from "./metrics.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

Deno.test("misclassificationRate uses the best permutation", () => {
  close(misclassificationRate([0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1]), 0);
  close(misclassificationRate([0, 0, 0, 1, 1, 1], [1, 1, 0, 0, 0, 0]), 1 / 6);
  // More predicted groups than true: the extra group counts as errors.
  close(misclassificationRate([0, 0, 0, 0], [0, 0, 1, 2]), 0.5);
  // Fewer predicted groups than true.
  close(misclassificationRate([0, 0, 1, 1, 2, 2], [0, 0, 0, 0, 0, 0]), 4 / 6);
});

Deno.test("hungarian finds the minimum-cost assignment (checked by brute force)", () => {
  const cost = new Float64Array([4, 1, 3, 2, 0, 5, 3, 2, 2]);
  const a = hungarian(cost, 3, 3);
  let best = Infinity;
  for (const p of [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]) {
    best = Math.min(best, cost[p[0]] + cost[3 + p[1]] + cost[6 + p[2]]);
  }
  close(cost[a[0]] + cost[3 + a[1]] + cost[6 + a[2]], best);
  close(best, 5);
});

Deno.test("adjustedRandIndex matches hand-computed values", () => {
  close(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]), 1);
  // Contingency [[1,1],[0,2]]: index 1, a: C(2,2)+C(2,2)=2, b: C(1,2)+C(3,2)=3, total C(4,2)=6.
  // expected 2*3/6 = 1, max 2.5 → (1-1)/(2.5-1) = 0.
  close(adjustedRandIndex([0, 0, 1, 1], [0, 1, 1, 1]), 0);
  // Contingency [[2,1],[0,3]]: index 1+3=4, a=3+3=6, b=C(2,2)+C(4,2)=7, total 15:
  // expected 42/15=2.8, max 6.5 → 1.2/3.7.
  close(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]), 1.2 / 3.7);
  close(adjustedRandIndex([0, 0, 0], [0, 0, 0]), 1);
  assert.throws(() => adjustedRandIndex([0, 1], [0]), RangeError);
});

Deno.test("foregroundARI ignores background points; no foreground scores 1", () => {
  // Background points (label 0) are wrong, foreground ones perfect up to renaming.
  close(foregroundARI([5, 6, 3, 3, 4, 4], [0, 0, 1, 1, 2, 2]), 1);
  assert.ok(adjustedRandIndex([0, 0, 1, 1, 2, 2], [5, 6, 3, 3, 4, 4]) < 1);
  close(foregroundARI([0, 0, 1, 1, 1], [9, 1, 1, 2, 2], 9), 0);
  close(foregroundARI([1, 1], [0, 0]), 1);
});
