import assert from "node:assert/strict";
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { readTracks } from "../../formats/tracks.ts";
import { readFlo } from "../../formats/flo.ts";
import { readGrey, readRgb } from "../../formats/image.ts";
import type { RgbImage } from "../types.ts";
import { compose, invert } from "./affine.ts";
import { buildScene, generateSequence, presetSpecs, writeSyntheticDataset } from "./mod.ts";

const small = { numFrames: 8, width: 96, height: 54 };

function bilinear(img: RgbImage, x: number, y: number, c: number): number {
  const x0 = Math.min(Math.floor(x), img.width - 2), y0 = Math.min(Math.floor(y), img.height - 2);
  const fx = x - x0, fy = y - y0;
  const at = (xx: number, yy: number) => img.data[3 * (yy * img.width + xx) + c];
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
    (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}

Deno.test("synthetic: same seed gives identical bytes, another seed differs", () => {
  const a = generateSequence({ name: "a", seed: 7, ...small, numObjects: 3 });
  const b = generateSequence({ name: "a", seed: 7, ...small, numObjects: 3 });
  const c = generateSequence({ name: "a", seed: 8, ...small, numObjects: 3 });
  for (let t = 0; t < small.numFrames; t++) {
    assert.deepEqual(a.sequence.frames[t].data, b.sequence.frames[t].data);
    assert.deepEqual(a.sequence.masks[t]!.data, b.sequence.masks[t]!.data);
    assert.deepEqual(a.flows.fwd[1][t]?.uv, b.flows.fwd[1][t]?.uv);
  }
  assert.deepEqual(a.tracks.xy, b.tracks.xy);
  assert.deepEqual(a.tracks.visible, b.tracks.visible);
  assert.notDeepEqual(a.sequence.frames[0].data, c.sequence.frames[0].data);
  // objects are present and the frames are textured (not flat)
  const fg = a.sequence.masks[0]!.data.filter((v) => v > 0).length / (96 * 54);
  assert.ok(fg > 0.02 && fg < 0.9, `foreground fraction ${fg}`);
  const d = a.sequence.frames[0].data;
  let mean = 0, sq = 0;
  for (const v of d) mean += v;
  mean /= d.length;
  for (const v of d) sq += (v - mean) ** 2;
  assert.ok(Math.sqrt(sq / d.length) > 20, "frame has too little texture");
});

Deno.test("synthetic: GT flow warps frame t onto frame t±g on visible pixels", () => {
  const s = generateSequence({
    name: "f",
    seed: 11,
    numFrames: 6,
    width: 192,
    height: 108,
    numObjects: 3,
  });
  for (const [dir, g] of [["fwd", 1], ["fwd", 2], ["bwd", 1]] as const) {
    const t = 3, target = dir === "fwd" ? t + g : t - g;
    const f = s.flows[dir][g][t]!;
    const a = s.sequence.frames[t], b = s.sequence.frames[target];
    let err = 0, errZero = 0, n = 0, nValid = 0;
    for (let y = 0; y < a.height; y++) {
      for (let x = 0; x < a.width; x++) {
        const i = y * a.width + x;
        if (!f.valid[i]) continue;
        nValid++;
        const tx = x + f.uv[2 * i], ty = y + f.uv[2 * i + 1];
        for (let c = 0; c < 3; c++) {
          err += Math.abs(bilinear(b, tx, ty, c) - a.data[3 * i + c]);
          errZero += Math.abs(b.data[3 * i + c] - a.data[3 * i + c]);
          n++;
        }
      }
    }
    assert.ok(nValid > 0.5 * a.width * a.height, `too few valid pixels ${nValid}`);
    assert.ok(
      nValid < a.width * a.height,
      "some pixels should be invalid (occlusion/out of frame)",
    );
    err /= n;
    errZero /= n;
    assert.ok(err < 4, `${dir} g${g}: warp error ${err.toFixed(2)}`);
    assert.ok(
      err < 0.4 * errZero,
      `${dir} g${g}: warp ${err.toFixed(2)} vs zero flow ${errZero.toFixed(2)}`,
    );
  }
  assert.equal(s.flows.fwd[1][5], null);
  assert.equal(s.flows.bwd[2][1], null);
});

Deno.test("synthetic: tracks keep their colour while visible and sit on their object's mask", () => {
  const s = generateSequence({ name: "t", seed: 5, ...small, numObjects: 4, trackQueryEvery: 4 });
  const { tracks, trackObject } = s;
  const T = tracks.numFrames;
  let colErr = 0, colN = 0, agree = 0, vis = 0, fgVis = 0;
  for (let n = 0; n < tracks.numTracks; n++) {
    const q = tracks.queryFrame[n];
    const qx = tracks.xy[2 * (n * T + q)], qy = tracks.xy[2 * (n * T + q) + 1];
    assert.equal(tracks.visible[n * T + q], 1);
    for (let t = 0; t < T; t++) {
      if (!tracks.visible[n * T + t]) continue;
      const x = tracks.xy[2 * (n * T + t)], y = tracks.xy[2 * (n * T + t) + 1];
      vis++;
      if (trackObject[n] > 0) fgVis++;
      const m = s.sequence.masks[t]!;
      if (m.data[Math.round(y) * m.width + Math.round(x)] === trackObject[n]) agree++;
      if (t !== q) {
        for (let c = 0; c < 3; c++) {
          colErr += Math.abs(
            bilinear(s.sequence.frames[t], x, y, c) - bilinear(s.sequence.frames[q], qx, qy, c),
          );
          colN++;
        }
      }
    }
  }
  assert.ok(fgVis > 50, `few visible foreground track points: ${fgVis}`);
  assert.ok(agree / vis > 0.97, `mask/track agreement ${agree / vis}`);
  assert.ok(colErr / colN < 10, `track colour drift ${colErr / colN}`);
  // some tracks must be occluded or leave the frame at some point
  assert.ok(tracks.visible.some((v) => v === 0));
});

function singularValues(rows: number[][]): number[] {
  return new SingularValueDecomposition(new Matrix(rows), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
  })
    .diagonal;
}

Deno.test("synthetic: triangle trajectories have rank ≤ 3, with the background more", () => {
  const s = generateSequence({
    name: "triangle",
    seed: 3,
    kind: "triangle",
    numFrames: 12,
    width: 96,
    height: 54,
    camera: "full",
    trackQueryEvery: 6,
    trackStride: 3,
  });
  const { tracks, trackObject } = s;
  const T = tracks.numFrames;
  const matrix = (pick: (n: number) => boolean): number[][] => {
    const cols: number[] = [];
    for (let n = 0; n < tracks.numTracks; n++) {
      if (tracks.queryFrame[n] === 0 && pick(n)) cols.push(n);
    }
    const rows: number[][] = [];
    for (const k of [0, 1]) {
      for (let t = 0; t < T; t++) rows.push(cols.map((n) => tracks.xy[2 * (n * T + t) + k]));
    }
    return rows;
  };
  const tri = matrix((n) => trackObject[n] === 1);
  assert.ok(tri[0].length >= 10, `triangle has ${tri[0].length} tracks`);
  const sv = singularValues(tri);
  assert.ok(sv[3] / sv[0] < 1e-5, `triangle σ4/σ1 = ${sv[3] / sv[0]}`);
  assert.ok(
    sv[2] / sv[0] > 1e-4,
    `triangle σ3/σ1 = ${sv[2] / sv[0]} (rotation should give rank 3)`,
  );
  const all = singularValues(matrix(() => true));
  assert.ok(all[3] / all[0] > 1e-4, `triangle + background σ4/σ1 = ${all[3] / all[0]}`);
});

Deno.test("synthetic: intermittent objects stop in the world; articulated limbs move relative to the body", () => {
  let checkedPause = false, checkedLimb = false;
  for (let seed = 1; seed < 20 && !(checkedPause && checkedLimb); seed++) {
    const scene = buildScene({
      name: "m",
      seed,
      numFrames: 30,
      width: 64,
      height: 36,
      numObjects: 4,
    });
    const bg = scene.surfaces[scene.surfaces.length - 1];
    for (const o of scene.objects) {
      const body = scene.surfaces.find((s) => s.objectId === o.id && s.part === "body")!;
      const world = (t: number) => compose(invert(bg.toImage[t]), body.toImage[t]);
      if (o.features.includes("intermittent") && o.pausedFrames.length >= 2) {
        const t = o.pausedFrames[1];
        const a = world(t - 1), b = world(t);
        if (o.pausedFrames.includes(t - 1)) {
          a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, "paused object moved"));
          checkedPause = true;
        }
      }
      const limb = scene.surfaces.find((s) => s.objectId === o.id && s.part === "limb");
      if (limb) {
        const rel = (t: number) => compose(invert(body.toImage[t]), limb.toImage[t]);
        const d = rel(0).map((v, i) => Math.abs(v - rel(5)[i]));
        assert.ok(Math.max(...d) > 1e-3, "limb does not move relative to the body");
        checkedLimb = true;
      }
    }
  }
  assert.ok(checkedPause && checkedLimb);
});

Deno.test("synthetic: writes a DAVIS-like dataset that round-trips", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const progress: number[] = [];
    const out = await writeSyntheticDataset(dir, "smoke", {
      width: 48,
      height: 28,
      numFrames: 4,
      onProgress: (d) => progress.push(d),
    });
    assert.deepEqual(out.sequences, presetSpecs("smoke").map((s) => s.name));
    assert.deepEqual(progress, [1, 2]);
    const meta = JSON.parse(await Deno.readTextFile(`${dir}/meta.json`));
    assert.equal(meta.preset, "smoke");
    assert.equal(meta.sequences.length, 2);
    const seq = out.sequences[0];
    const s = generateSequence(meta.sequences[0].spec);
    const f = await readRgb(`${dir}/JPEGImages/480p/${seq}/00002.png`);
    assert.deepEqual(f.data, s.sequence.frames[2].data);
    const m = await readGrey(`${dir}/Annotations/480p/${seq}/00002.png`);
    assert.deepEqual(m.data, s.sequence.masks[2]!.data);
    const fl = await readFlo(`${dir}/Flow/${seq}/bwd_g2/00003.flo`);
    assert.deepEqual(fl.uv, s.flows.bwd[2][3]!.uv);
    const tr = await readTracks(`${dir}/Tracks/${seq}.lrtk`);
    assert.equal(tr.numTracks, s.tracks.numTracks);
    assert.deepEqual(tr.xy, s.tracks.xy);
    assert.deepEqual(tr.visible, s.tracks.visible);
    assert.deepEqual(await Deno.readFile(`${dir}/Tracks/${seq}.labels`), s.trackObject);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
