import assert from "node:assert/strict";
import {
  bestNormalisedCut,
  foregroundFromGroups,
  type MaskStack,
  mergeByColour,
  mergeByMotion,
  normalEquations,
  oracleBipartition,
} from "./merge.ts";

/** 8×8 frame, K = 4 hard components: quadrant rows 0-3 / 4-7 × columns 0-3 / 4-7. */
function scene(): { masks: MaskStack; flowUV: Float32Array; rgb: Uint8Array } {
  const w = 8, h = 8, k = 4;
  const data = new Float32Array(w * h * k);
  const flowUV = new Float32Array(w * h * 2);
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const left = x < 4;
      const c = (left ? 0 : 2) + (y < 4 ? 0 : 1);
      data[i * k + c] = 1;
      // left half translates by (2, -1) with a slight rotation; right half is static
      flowUV[2 * i] = left ? 2 + 0.1 * y : 0;
      flowUV[2 * i + 1] = left ? -1 - 0.1 * x : 0;
      rgb[i * 3] = left ? 200 : 20;
      rgb[i * 3 + 2] = left ? 30 : 220;
    }
  }
  return { masks: { width: w, height: h, k, data }, flowUV, rgb };
}

Deno.test("bestNormalisedCut: splits a block affinity into its blocks", () => {
  const a = [
    1,
    0.9,
    0.1,
    0.05,
    0.9,
    1,
    0.05,
    0.1,
    0.1,
    0.05,
    1,
    0.8,
    0.05,
    0.1,
    0.8,
    1,
  ];
  const g = bestNormalisedCut(a, 4);
  assert.equal(g[0], g[1]);
  assert.equal(g[2], g[3]);
  assert.notEqual(g[0], g[2]);
});

Deno.test("mergeByMotion / mergeByColour group components that move / look alike", () => {
  const { masks, flowUV, rgb } = scene();
  for (
    const g of [
      mergeByMotion(masks, { width: 8, height: 8, uv: flowUV }),
      mergeByColour(masks, { width: 8, height: 8, data: rgb }),
    ]
  ) {
    assert.equal(g[0], g[1]);
    assert.equal(g[2], g[3]);
    assert.notEqual(g[0], g[2]);
  }
});

Deno.test("foregroundFromGroups picks the group with higher IoU; oracle finds the best union", () => {
  const { masks } = scene();
  // GT: right half, upsampled 2× (16×16)
  const gt = { width: 16, height: 16, data: new Uint8Array(256) };
  for (let y = 0; y < 16; y++) for (let x = 8; x < 16; x++) gt.data[y * 16 + x] = 1;
  const fg = foregroundFromGroups(masks, [1, 1, 0, 0], gt);
  assert.equal(fg.iou, 1);
  assert.equal(fg.mask[15], 1);
  // a bad grouping (top vs bottom) gives IoU 1/3 either way
  const bad = foregroundFromGroups(masks, [1, 0, 1, 0], gt);
  assert.ok(Math.abs(bad.iou - 1 / 3) < 1e-9, `${bad.iou}`);
  const oracle = oracleBipartition(masks, gt);
  assert.equal(oracle.iou, 1);
  assert.deepEqual([...oracle.groups], [0, 0, 1, 1]);
});

/** The plain-loop normal equations the unrolled `affineResidual` must reproduce exactly. */
function referenceNormalEquations(weights: Float64Array, uv: Float32Array, h: number, w: number) {
  const G = new Float64Array(9), bu = new Float64Array(3), bv = new Float64Array(3);
  let mass = 0, su = 0, sv = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const m = weights[i];
      if (m <= 0) continue;
      const f = [x / w, y / h, 1];
      const u = uv[2 * i], v = uv[2 * i + 1];
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) G[a * 3 + b] += m * f[a] * f[b];
        bu[a] += m * f[a] * u;
        bv[a] += m * f[a] * v;
      }
      mass += m;
      su += m * u * u;
      sv += m * v * v;
    }
  }
  return { G, bu, bv, mass, su, sv };
}

Deno.test("normalEquations: bit-identical to the plain loops", () => {
  const h = 13, w = 21;
  let s = 3;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const weights = Float64Array.from({ length: h * w }, () => (r() < 0.1 ? 0 : r()));
  const uv = Float32Array.from({ length: h * w * 2 }, () => 20 * r() - 10);
  assert.deepEqual(normalEquations(weights, uv, h, w), referenceNormalEquations(weights, uv, h, w));
});
