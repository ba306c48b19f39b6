import assert from "node:assert/strict";
import { consistencyMask, isConsistent } from "./consistency.ts";
import type { FlowField } from "../types.ts";

/** A 6×6 square moving 4 px right over a static background, as flow t→t+1 and back. */
function movingSquare(): { fwd: FlowField; bwd: FlowField; W: number; H: number } {
  const W = 24, H = 16;
  const fwd = { width: W, height: H, uv: new Float32Array(W * H * 2) };
  const bwd = { width: W, height: H, uv: new Float32Array(W * H * 2) };
  const inSquare = (x: number, y: number, x0: number) => x >= x0 && x < x0 + 6 && y >= 5 && y < 11;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (inSquare(x, y, 6)) fwd.uv[2 * p] = 4; // the square at t
      if (inSquare(x, y, 10)) bwd.uv[2 * p] = -4; // the square at t+1
    }
  }
  return { fwd, bwd, W, H };
}

Deno.test("isConsistent: Sundaram et al.'s test, scaled by the motion", () => {
  assert.ok(isConsistent(5, 0, -5, 0));
  assert.ok(isConsistent(0, 0, 0.7, 0), "0.49 px² < 0.5049: sub-pixel noise passes");
  assert.ok(!isConsistent(0, 0, 0.8, 0), "0.64 px² > 0.5064");
  assert.ok(!isConsistent(4, 0, 0, 0));
  assert.ok(isConsistent(30, 0, -30.5, 0), "0.25 px² < 0.01·1830.25 + 0.5");
  assert.ok(!isConsistent(30, 0, -36, 0), "36 px² > 0.01·2196 + 0.5");
  assert.ok(isConsistent(30, 0, -33, 0), "9 px² < 0.01·1989 + 0.5: large motions tolerate more");
});

Deno.test("consistencyMask: the background the square covers at t+1 fails, the rest passes", () => {
  const { fwd, bwd, W, H } = movingSquare();
  const m = consistencyMask(fwd, bwd);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // background at t under the square's t+1 position, outside its t position: occluded
      const occluded = x >= 12 && x < 16 && y >= 5 && y < 11;
      assert.equal(m[y * W + x], occluded ? 0 : 1, `(${x}, ${y})`);
    }
  }
  // backwards: the background the square uncovers (x 6..9 at t) fails
  const b = consistencyMask(bwd, fwd);
  assert.equal(b[7 * W + 7], 0);
  assert.equal(b[7 * W + 11], 1);
  assert.throws(
    () => consistencyMask(fwd, { width: W, height: H - 1, uv: new Float32Array(W * (H - 1) * 2) }),
    /flow is 24×16, its back-flow 24×15/,
  );
});
