import assert from "node:assert/strict";
import { trackMetrics } from "./track_metrics.ts";
import type { Tracks } from "./types.ts";

function tracks(xy: number[], visible: number[], queryFrame: number[], T: number): Tracks {
  return {
    width: 256,
    height: 256,
    numTracks: queryFrame.length,
    numFrames: T,
    queryFrame: Int32Array.from(queryFrame),
    xy: Float32Array.from(xy),
    visible: Uint8Array.from(visible),
  };
}

Deno.test("trackMetrics: perfect prediction scores 1", () => {
  const gt = tracks([0, 0, 1, 1, 2, 2, 5, 5, 6, 6, 7, 7], [1, 1, 0, 1, 1, 1], [0, 1], 3);
  const m = trackMetrics(gt, gt);
  assert.equal(m.scored, 4); // query frames excluded
  assert.equal(m.gtVisible, 3);
  assert.deepEqual(m.within, [1, 1, 1, 1, 1]);
  assert.equal(m.occlusionAccuracy, 1);
  assert.equal(m.averageJaccard, 1);
});

Deno.test("trackMetrics: hand-computed thresholds, occlusion and Jaccard", () => {
  // One track, query at 0, T = 4. GT visible at 1, 2; occluded at 3.
  const gt = tracks([0, 0, 10, 0, 20, 0, 30, 0], [1, 1, 1, 0], [0], 4);
  // Errors: frame 1 → 3 px (visible), frame 2 → 0 px (predicted occluded), frame 3 visible (FP).
  const pred = tracks([0, 0, 13, 0, 20, 0, 30, 0], [1, 1, 0, 1], [0], 4);
  const m = trackMetrics(pred, gt);
  assert.deepEqual(m.within, [0.5, 0.5, 1, 1, 1]);
  assert.ok(Math.abs(m.occlusionAccuracy - 1 / 3) < 1e-12);
  // δ=1,2: TP 0, FP = frame 1 (too far) + frame 3 (GT occluded) = 2; J = 0 / (2 + 2) = 0.
  // δ≥4: TP 1 (frame 1), FP = frame 3 → J = 1 / (2 + 1).
  assert.deepEqual(m.jaccard.map((j) => Math.round(j * 1000) / 1000), [0, 0, 0.333, 0.333, 0.333]);
  assert.ok(Math.abs(m.deltaAvg - 0.8) < 1e-12);
});

Deno.test("trackMetrics: scaling to 256 and mismatched queries", () => {
  const gt = { ...tracks([0, 0, 0, 0], [1, 1], [0], 2), width: 512, height: 512 };
  const pred = { ...gt, xy: Float32Array.from([0, 0, 3, 0]) }; // 3 px at 512 → 1.5 at 256
  assert.deepEqual(trackMetrics(pred, gt).within, [0, 1, 1, 1, 1]);
  assert.deepEqual(trackMetrics(pred, gt, { scaleTo256: false }).within, [0, 0, 1, 1, 1]);
  assert.throws(
    () => trackMetrics({ ...pred, queryFrame: Int32Array.from([1]) }, gt),
    /query points must match/,
  );
});
