import assert from "node:assert/strict";
import { imageGrid, renderOverlay } from "./overlay.ts";

Deno.test("renderOverlay blends component colours and outlines boundaries", () => {
  const frame = { width: 4, height: 1, data: new Uint8Array(12).fill(100) };
  const masks = { width: 4, height: 1, k: 2, data: new Float32Array([1, 0, 1, 0, 0, 1, 0, 1]) };
  const red: [number, number, number] = [200, 0, 0];
  const blue: [number, number, number] = [0, 0, 200];
  const img = renderOverlay(frame, masks, { alpha: 0.5, colors: [red, blue] });
  assert.deepEqual([...img.data.subarray(0, 3)], [150, 50, 50]); // blended
  assert.deepEqual([...img.data.subarray(3, 6)], [200, 0, 0]); // boundary pixel: full colour
  assert.deepEqual([...img.data.subarray(9, 12)], [50, 50, 150]);
  const plain = renderOverlay(frame, masks, { alpha: 0.5, colors: [red, blue], outline: false });
  assert.deepEqual([...plain.data.subarray(3, 6)], [150, 50, 50]);
});

Deno.test("imageGrid places cells with gaps", () => {
  const a = { width: 1, height: 1, data: new Uint8Array([1, 2, 3]) };
  const g = imageGrid([[a, null], [null, a]], { gap: 1, background: [0, 0, 0] });
  assert.equal(g.width, 3);
  assert.equal(g.height, 3);
  assert.deepEqual([...g.data.subarray(0, 3)], [1, 2, 3]);
  assert.deepEqual([...g.data.subarray(8 * 3, 9 * 3)], [1, 2, 3]);
  assert.deepEqual([...g.data.subarray(3, 6)], [0, 0, 0]);
});
