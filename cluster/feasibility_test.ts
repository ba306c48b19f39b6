import assert from "node:assert/strict";
import type { Tracks } from "../motion/types.ts";
import type { LabelImage } from "../video/types.ts";
import { feasibilityStudy, prepareFeasibility, structuralEdit } from "./feasibility.ts";
import { Rng } from "../core/random.ts";

/** Background + 2 rectangles, each moving with its own random affine motion (+0.02 px noise: with 0 px noise splits cost nothing, with ≥ 0.1 px the
 * noise tail dominates the loss and softer masks or merges lower it). */
function scene(): { tracks: Tracks; mask: LabelImage; query: number } {
  const width = 96;
  const height = 64;
  const frames = 16;
  const query = 5;
  const mask: LabelImage = { width, height, data: new Uint8Array(width * height) };
  const rects = [[10, 10, 40, 30, 1], [55, 25, 85, 55, 2]];
  for (const [x0, y0, x1, y1, l] of rects) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask.data[y * width + x] = l;
  }
  const rng = Rng.fromState(9);
  const motions: number[][][] = [0, 1, 2].map(() => {
    const seq: number[][] = [];
    let a = [1, 0, 0, 0, 1, 0];
    for (let t = 0; t < frames; t++) {
      seq.push(a);
      a = a.map((v, i) => v + (i === 2 || i === 5 ? 2 * rng.normal() : 0.02 * rng.normal()));
    }
    return seq;
  });
  const pts: [number, number][] = [];
  for (let y = 2; y < height; y += 4) {
    for (let x = 2; x < width; x += 4) pts.push([x + 0.5, y + 0.5]);
  }
  const n = pts.length;
  const xy = new Float32Array(2 * n * frames);
  pts.forEach(([x, y], i) => {
    const g = mask.data[Math.floor(y) * width + Math.floor(x)];
    const q = motions[g][query];
    for (let t = 0; t < frames; t++) {
      const a = motions[g][t];
      // Positions relative to the query frame: the point sits at (x, y) at `query`.
      const dx = x - q[2];
      const dy = y - q[5];
      xy[2 * (i * frames + t)] = a[0] * dx + a[1] * dy + a[2] + 0.02 * rng.normal();
      xy[2 * (i * frames + t) + 1] = a[3] * dx + a[4] * dy + a[5] + 0.02 * rng.normal();
    }
    xy[2 * (i * frames + query)] = x;
    xy[2 * (i * frames + query) + 1] = y;
  });
  const tracks: Tracks = {
    width,
    height,
    numTracks: n,
    numFrames: frames,
    queryFrame: new Int32Array(n).fill(query),
    xy,
    visible: new Uint8Array(n * frames).fill(1),
  };
  return { tracks, mask, query };
}

Deno.test("feasibility: the true masks have the lowest loss on every axis, and it grows", () => {
  const { tracks, mask, query } = scene();
  const rows = feasibilityStudy(tracks, mask, { queryFrame: query, window: 11, rank: 5 });
  const axis = (a: string) => rows.filter((r) => r.axis === a);
  const noise = axis("noise");
  assert.equal(noise[0].x, 0);
  for (let i = 1; i < noise.length; i++) {
    assert.ok(noise[i].loss > noise[i - 1].loss, `η ${noise[i].x}`);
  }
  const temp = axis("temperature");
  for (let i = 1; i < temp.length; i++) {
    assert.ok(temp[i].loss >= temp[i - 1].loss * (1 - 1e-9), `τ ${temp[i].x}`);
  }
  assert.ok(temp[temp.length - 1].loss > 2 * temp[0].loss);
  const structure = axis("structure");
  assert.deepEqual(structure.map((r) => r.x), [-2, -1, 0, 1, 2]);
  const at = (s: number) => structure.find((r) => r.x === s)!.loss;
  assert.ok(at(-1) > at(0) && at(-2) > at(-1), "merging raises the loss");
  assert.ok(at(1) > at(0) && at(2) > at(1), "splitting raises the loss");
  // The noise-free, untouched masks agree across axes.
  assert.ok(Math.abs(noise[0].loss - at(0)) < 1e-9 * at(0));
});

Deno.test("feasibility: data preparation and edits", () => {
  const { tracks, mask, query } = scene();
  const d = prepareFeasibility(tracks, mask, query, 11);
  assert.equal(d.numObjects, 2);
  assert.equal(d.rows, 22);
  assert.equal(d.cols, tracks.numTracks);
  const split = structuralEdit(d, 1);
  assert.equal(split.components, 4);
  const inNew = split.labels.filter((l) => l === 3).length;
  const inOld = split.labels.filter((l) => l === 1).length;
  assert.ok(Math.abs(inNew - inOld) <= 8, `${inNew} vs ${inOld}`);
  assert.ok(structuralEdit(d, -2).labels.every((l) => l === 0));
  assert.throws(() => structuralEdit(d, 3), RangeError);
  assert.throws(() => prepareFeasibility(tracks, mask, 99), RangeError);
});
