import assert from "node:assert/strict";
import { lowRankLoss } from "./lowrank_loss.ts";
import { Rng } from "../core/random.ts";

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = Rng.fromState(seed);
  return Float64Array.from({ length: rows * cols }, () => rng.next() * 2 - 1);
}

Deno.test("lowRankLoss: singular values of a known matrix, loss = tail sum", () => {
  // P = diag(3, 2, 1) padded with a zero column; weights scale columns.
  const p = new Float64Array([3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0]);
  const r = lowRankLoss(p, 3, 4, new Float64Array([1, 1, 1, 1]), 1);
  assert.deepEqual(Array.from(r.singularValues).map((v) => +v.toFixed(12)), [3, 2, 1]);
  assert.ok(Math.abs(r.value - 3) < 1e-12);
  const r2 = lowRankLoss(p, 3, 4, new Float64Array([1, 0.25, 1, 1]), 1);
  assert.ok(Math.abs(r2.value - (1 + 0.5)) < 1e-12);
  assert.equal(lowRankLoss(p, 3, 4, new Float64Array(4).fill(1), 3).value, 0);
  assert.throws(() => lowRankLoss(p, 3, 3, new Float64Array(3), 1), RangeError);
});

Deno.test("lowRankLoss: gradW and gradP match central finite differences", () => {
  const rows = 8;
  const cols = 30;
  const p = randomMatrix(rows, cols, 11);
  const rng = Rng.fromState(12);
  const w = Float64Array.from({ length: cols }, () => 0.2 + 0.8 * rng.next());
  for (const rank of [0, 2, 5]) {
    const r = lowRankLoss(p, rows, cols, w, rank, { gradP: true });
    const h = 1e-6;
    for (const c of [0, 7, 29]) {
      const wp = w.slice();
      const wm = w.slice();
      wp[c] += h;
      wm[c] -= h;
      const fd = (lowRankLoss(p, rows, cols, wp, rank).value -
        lowRankLoss(p, rows, cols, wm, rank).value) / (2 * h);
      assert.ok(Math.abs(fd - r.gradW![c]) < 1e-6 * Math.max(1, Math.abs(fd)), `w ${c} r ${rank}`);
    }
    for (const idx of [0, 45, rows * cols - 1]) {
      const pp = p.slice();
      const pm = p.slice();
      pp[idx] += h;
      pm[idx] -= h;
      const fd = (lowRankLoss(pp, rows, cols, w, rank).value -
        lowRankLoss(pm, rows, cols, w, rank).value) / (2 * h);
      assert.ok(Math.abs(fd - r.gradP![idx]) < 1e-6 * Math.max(1, Math.abs(fd)), `P ${idx}`);
    }
  }
});
