import assert from "node:assert/strict";
import { flowError, interiorMask } from "./flow_metrics.ts";

Deno.test("flowError: EPE, thresholds and the valid mask", () => {
  const gt = { width: 2, height: 2, uv: new Float32Array(8) };
  const est = {
    width: 2,
    height: 2,
    uv: new Float32Array([0.5, 0, 3, 4, 0, 2, 10, 0]),
  }; // errors 0.5, 5, 2, 10
  const all = flowError(est, gt);
  assert.equal(all.count, 4);
  assert.ok(Math.abs(all.epe - 17.5 / 4) < 1e-9);
  assert.equal(all.within1, 0.25);
  assert.equal(all.within3, 0.5);
  assert.equal(all.within5, 0.5); // 5 is not < 5
  const masked = flowError(est, gt, { valid: new Uint8Array([1, 0, 1, 0]) });
  assert.equal(masked.count, 2);
  assert.ok(Math.abs(masked.epe - 1.25) < 1e-9);
  assert.equal(masked.within3, 1);
});

Deno.test("flowError: unknown GT skipped, NaN estimate counts as a miss", () => {
  const gt = { width: 2, height: 1, uv: new Float32Array([1e10, 0, 1, 1]) };
  const est = { width: 2, height: 1, uv: new Float32Array([0, 0, NaN, 1]) };
  const e = flowError(est, gt);
  assert.equal(e.count, 1);
  assert.equal(e.epe, Infinity);
  assert.equal(e.within5, 0);
  assert.throws(() => flowError(est, { width: 1, height: 2, uv: gt.uv }), /2×1/);
});

Deno.test("interiorMask: border excluded", () => {
  const m = interiorMask(5, 4, 1);
  assert.deepEqual(Array.from(m), [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
});
