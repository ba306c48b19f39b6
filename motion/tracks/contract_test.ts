/**
 * One contract suite run against every point tracker available here.
 */
import assert from "node:assert/strict";
import { occluderSequence, type SceneTracks, translatingSequence } from "../_test_scenes.ts";
import { availableFlowEstimators, createFlowEstimator } from "../flow/create.ts";
import type { FlowEstimator } from "../flow/estimator.ts";
import type { Tracks } from "../types.ts";
import { FlowChainTracker } from "./flow_chain.ts";
import { GtTracker } from "./gt_tracker.ts";
import { KltTracker } from "./klt.ts";
import type { PointTracker, TrackQueries } from "./tracker.ts";

const haveNative = availableFlowEstimators().some((e) => e.name === "dis" && e.available);

/** Tracker factories; `scene` gives the oracle its ground truth. */
const trackers: Record<
  string,
  (scene: SceneTracks) => Promise<{ tr: PointTracker; est?: FlowEstimator }>
> = {
  "flow-chain (farneback)": async () => {
    const est = await createFlowEstimator("farneback");
    return { tr: new FlowChainTracker({ estimator: est }), est };
  },
  "klt (opencv-js)": () => Promise.resolve({ tr: new KltTracker({ backend: "opencv-js" }) }),
  gt: (scene) => Promise.resolve({ tr: new GtTracker((q: TrackQueries) => scene(q)) }),
};
if (haveNative) {
  trackers["flow-chain (dis)"] = async () => {
    const est = await createFlowEstimator("dis");
    return { tr: new FlowChainTracker({ estimator: est }), est };
  };
  trackers["klt (native)"] = () => Promise.resolve({ tr: new KltTracker({ backend: "native" }) });
}

function pos(t: Tracks, n: number, f: number): [number, number] {
  const o = 2 * (n * t.numFrames + f);
  return [t.xy[o], t.xy[o + 1]];
}

for (const [name, make] of Object.entries(trackers)) {
  Deno.test(`tracker contract [${name}]: translation, shapes, leaving the frame`, async () => {
    const W = 72, H = 56, T = 6;
    const { frames, gt } = translatingSequence(W, H, T, 2.5, 1.0);
    const { tr, est } = await make(gt);
    try {
      let last = [0, 0];
      const tracks = await tr.track(frames, {
        stride: 8,
        queryFrames: [0, 3],
        onProgress: (d, tot) => (last = [d, tot]),
      });
      const truth = gt({ frame: tracks.queryFrame, xy: firstPositions(tracks) });
      assert.equal(tracks.numFrames, T);
      assert.equal(tracks.width, W);
      assert.equal(tracks.numTracks, 2 * 9 * 7);
      assert.ok(tracks.xy instanceof Float32Array && tracks.xy.length === tracks.numTracks * T * 2);
      assert.ok(
        tracks.visible instanceof Uint8Array && tracks.visible.length === tracks.numTracks * T,
      );
      assert.ok(tracks.queryFrame instanceof Int32Array);
      assert.equal(tracks.queryFrame[0], 0);
      assert.equal(tracks.queryFrame[tracks.numTracks - 1], 3);
      if (name !== "gt") assert.equal(last[0], last[1]);
      // Accuracy on points visible in both (interior: away from the border's flow artefacts).
      let err = 0, cnt = 0, visOutside = 0, truthOutside = 0, keptInside = 0, truthInside = 0;
      for (let n = 0; n < tracks.numTracks; n++) {
        for (let f = 0; f < T; f++) {
          const [gx, gy] = pos(truth, n, f);
          const [x, y] = pos(tracks, n, f);
          const v = tracks.visible[n * T + f];
          if (!truth.visible[n * T + f]) {
            truthOutside++;
            if (v) visOutside++;
            continue;
          }
          if (gx > 8 && gx < W - 9 && gy > 8 && gy < H - 9) {
            truthInside++;
            if (v) {
              keptInside++;
              err += Math.hypot(x - gx, y - gy);
              cnt++;
            }
          }
        }
      }
      assert.ok(truthOutside > 20, "scene must move points out of the frame");
      assert.equal(visOutside, 0, `${name}: ${visOutside} out-of-frame points marked visible`);
      assert.ok(keptInside / truthInside > 0.85, `${name}: kept ${keptInside}/${truthInside}`);
      assert.ok(err / cnt < 0.5, `${name}: mean position error ${(err / cnt).toFixed(3)} px`);
      // Query positions are exactly the grid.
      assert.deepEqual(pos(tracks, 0, 0), [4, 4]);
    } finally {
      tr.dispose();
      est?.dispose();
    }
  });

  Deno.test(`tracker contract [${name}]: occluded points become invisible`, async () => {
    const W = 80, H = 48, T = 8;
    const scene = occluderSequence(W, H, T, 20, 3, 2);
    const { tr, est } = await make(scene.gt);
    try {
      const tracks = await tr.track(scene.frames, { stride: 4, queryFrames: [0] });
      // Background points (not under the square at t=0) that the square covers later, deep inside.
      let covered = 0, hidden = 0, free = 0, freeVisible = 0;
      for (let n = 0; n < tracks.numTracks; n++) {
        const [x0, y0] = pos(tracks, n, 0);
        if (scene.covered(x0, y0, 0) > -3) continue; // on or next to the square at t=0
        for (let f = 1; f < T; f++) {
          const m = scene.covered(x0, y0, f);
          if (m > 3) {
            covered++;
            if (!tracks.visible[n * T + f]) hidden++;
          } else if (m < -6 && x0 > 6 && x0 < W - 7 && y0 > 6 && y0 < H - 7) {
            // never near the square up to f
            let near = false;
            for (let g = 0; g <= f; g++) if (scene.covered(x0, y0, g) > -6) near = true;
            if (!near) {
              free++;
              if (tracks.visible[n * T + f]) freeVisible++;
            }
          }
        }
      }
      assert.ok(covered > 20 && free > 50, `scene: covered ${covered}, free ${free}`);
      // Smooth Farneback flow and KLT windows drag some points along with the occluder.
      const minHidden = name === "gt"
        ? 1
        : name.startsWith("klt")
        ? 0.5
        : name.includes("farneback")
        ? 0.7
        : 0.8;
      assert.ok(
        hidden / covered >= minHidden,
        `${name}: only ${hidden}/${covered} occluded hidden`,
      );
      assert.ok(freeVisible / free > 0.9, `${name}: only ${freeVisible}/${free} free visible`);
    } finally {
      tr.dispose();
      est?.dispose();
    }
  });
}

function firstPositions(t: Tracks): Float32Array {
  const xy = new Float32Array(2 * t.numTracks);
  for (let n = 0; n < t.numTracks; n++) {
    const [x, y] = pos(t, n, t.queryFrame[n]);
    xy[2 * n] = x;
    xy[2 * n + 1] = y;
  }
  return xy;
}

Deno.test("trackers: explicit queries keep their order and positions", async () => {
  const { frames } = translatingSequence(40, 32, 3, 1, 0);
  const queries = {
    frame: Int32Array.from([2, 0, 1]),
    xy: Float32Array.from([10, 11, 20, 5.5, 30, 20]),
  };
  const tr = new KltTracker({ backend: "opencv-js" });
  const t = await tr.track(frames, { queries });
  assert.deepEqual(Array.from(t.queryFrame), [2, 0, 1]);
  assert.deepEqual(pos(t, 0, 2), [10, 11]);
  assert.deepEqual(pos(t, 1, 0), [20, 5.5]);
  assert.deepEqual(pos(t, 2, 1), [30, 20]);
  await assert.rejects(
    () => tr.track(frames, { queries: { frame: Int32Array.from([3]), xy: new Float32Array(2) } }),
    /outside/,
  );
});
