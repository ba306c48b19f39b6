import assert from "node:assert/strict";
import { symEig } from "./_sym_eig.ts";
import { Rng } from "../core/random.ts";

Deno.test("symEig reconstructs random symmetric matrices with orthonormal vectors", () => {
  const rng = Rng.fromState(3);
  for (const n of [1, 2, 5, 40]) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.next() * 2 - 1;
    }
    const { values, vectors: v } = symEig(a, n);
    for (let i = 1; i < n; i++) assert.ok(values[i] >= values[i - 1]);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rec = 0;
        let dot = 0;
        for (let k = 0; k < n; k++) {
          rec += v[i * n + k] * values[k] * v[j * n + k];
          dot += v[k * n + i] * v[k * n + j];
        }
        assert.ok(Math.abs(rec - a[i * n + j]) < 1e-10, `A[${i},${j}] n=${n}`);
        assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-10);
      }
    }
  }
});

Deno.test("symEig handles rank-deficient and diagonal matrices", () => {
  const a = new Float64Array([1, 1, 1, 1, 1, 1, 1, 1, 1]);
  const { values } = symEig(a, 3);
  assert.ok(Math.abs(values[0]) < 1e-12 && Math.abs(values[1]) < 1e-12);
  assert.ok(Math.abs(values[2] - 3) < 1e-12);
  const d = symEig(new Float64Array([3, 0, 0, 1]), 2);
  assert.deepEqual(Array.from(d.values), [1, 3]);
});
