import assert from "node:assert/strict";
import {
  adjustedRandIndex,
  argmaxLabels,
  davisJ,
  foregroundARI,
  jaccard,
  pooledJ,
} from "./metrics.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

Deno.test("jaccard: hand-computed cases", () => {
  close(jaccard([1, 1, 0, 0], [1, 0, 1, 0]), 1 / 3);
  close(jaccard([1, 1, 0, 0], [255, 255, 0, 0]), 1);
  close(jaccard([0, 0], [0, 0]), 1);
  close(jaccard([1, 0], [0, 0]), 0);
  assert.throws(() => jaccard([1], [1, 0]), /1 pixels, GT 2/);
});

Deno.test("davisJ excludes frames 0 and 1; pooledJ pools frames", () => {
  const seqs = [
    { name: "a", frames: [0, 1, 2, 3], scores: [0, 0, 0.5, 1] }, // mean 0.75
    { name: "b", frames: [0, 1, 2], scores: [1, 1, 0.25] }, // mean 0.25
  ];
  const d = davisJ(seqs);
  close(d.mean, 0.5);
  assert.deepEqual(d.perSequence, [0.75, 0.25]);
  // pooled: (0 + 0 + 0.5 + 1 + 1 + 1 + 0.25) / 7
  close(pooledJ(seqs), 3.75 / 7);
  assert.throws(() => davisJ([{ name: "c", frames: [0, 1], scores: [1, 1] }]), /"c" has no frame/);
});

Deno.test("ARI: hand-computed values", () => {
  close(adjustedRandIndex([0, 0, 1, 1], [5, 5, 7, 7]), 1);
  // a = [0,0,0,1,1,1], b = [0,0,1,1,2,2]: index = 1+0+0+1 = 2 (cells 2,1,1,2 → C2: 1,0,0,1)
  // sumA = 3+3 = 6, sumB = 1+1+1 = 3, expected = 18/15 = 1.2, max = 4.5 → (2−1.2)/(4.5−1.2)
  close(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 0.8 / 3.3);
  close(adjustedRandIndex([0, 0, 0], [1, 1, 1]), 1);
  // FG-ARI ignores background pixels (gt 0): foreground split matches exactly
  close(foregroundARI([3, 1, 1, 2, 2], [0, 1, 1, 2, 2]), 1);
  // everything predicted as one label on 2 fg objects → ARI 0
  close(foregroundARI([1, 1, 1, 1], [1, 1, 2, 2]), 0);
});

Deno.test("argmaxLabels picks the largest component", () => {
  assert.deepEqual([...argmaxLabels([0.1, 0.9, 0.7, 0.3, 0.2, 0.8], 2)], [1, 0, 1]);
});
