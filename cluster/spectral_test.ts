import assert from "node:assert/strict";
import { kmeans, spectralClustering } from "./spectral.ts";
import { misclassificationRate } from "./metrics.ts";
import { Rng } from "../core/random.ts";

Deno.test("kmeans separates three blobs and is deterministic given the seed", () => {
  const rng = Rng.fromState(1);
  const n = 90;
  const x = new Float64Array(n * 2);
  const truth = new Int32Array(n);
  const centres = [[0, 0], [5, 5], [0, 8]];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    truth[i] = c;
    x[2 * i] = centres[c][0] + 0.5 * rng.normal();
    x[2 * i + 1] = centres[c][1] + 0.5 * rng.normal();
  }
  const a = kmeans(x, n, 2, 3, { seed: 7 });
  assert.equal(misclassificationRate(truth, a.labels), 0);
  const b = kmeans(x, n, 2, 3, { seed: 7 });
  assert.deepEqual(a.labels, b.labels);
  assert.throws(() => kmeans(x, n, 2, 0), RangeError);
});

Deno.test("spectralClustering finds two rings that k-means cannot", () => {
  const rng = Rng.fromState(2);
  const n = 120;
  const pts = new Float64Array(n * 2);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const ring = i < n / 2 ? 0 : 1;
    const r = ring === 0 ? 1 : 4;
    const a = rng.next() * 2 * Math.PI;
    truth[i] = ring;
    pts[2 * i] = r * Math.cos(a) + 0.05 * rng.normal();
    pts[2 * i + 1] = r * Math.sin(a) + 0.05 * rng.normal();
  }
  const aff = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d2 = (pts[2 * i] - pts[2 * j]) ** 2 + (pts[2 * i + 1] - pts[2 * j + 1]) ** 2;
      aff[i * n + j] = i === j ? 0 : Math.exp(-d2 / 0.5);
    }
  }
  assert.equal(misclassificationRate(truth, spectralClustering(aff, n, 2)), 0);
  assert.ok(misclassificationRate(truth, kmeans(pts, n, 2, 2).labels) > 0.2);
});
