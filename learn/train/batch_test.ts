import assert from "node:assert/strict";
import { Rng } from "../../core/random.ts";
import { buildBatch, contextWindow, prepareSequences, reflectIndex } from "./batch.ts";
import { type ResolvedTrainConfig, resolveTrainConfig } from "./config.ts";
import { movingSquare, SCENE } from "./_synthetic_scene_test_util.ts";
import { consistencyMask } from "../../motion/flow/consistency.ts";

Deno.test("contextWindow: shifted inside the sequence, reflect-padded when short", () => {
  assert.deepEqual(contextWindow(5, 2, 20), [3, 4, 5, 6, 7]);
  assert.deepEqual(contextWindow(0, 2, 20), [0, 1, 2, 3, 4]);
  assert.deepEqual(contextWindow(19, 2, 20), [15, 16, 17, 18, 19]);
  assert.deepEqual(contextWindow(1, 3, 4), [2, 1, 0, 1, 2, 3, 2]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((i) => reflectIndex(i - 2, 3)), [2, 1, 0, 1, 2, 1, 0]);
  assert.equal(reflectIndex(5, 1), 0);
});

const resolved = resolveTrainConfig({
  net: {
    arch: "unet",
    width: 4,
    depth: 2,
    k: 2,
    inputHeight: SCENE.height,
    inputWidth: SCENE.width,
    seed: 0,
  },
  seed: 0,
  gaps: [1, 2],
  train: { groups: 2, context: 2, flipNegatesU: true },
  internals: { offset: 5, numTemporalTracks: 6 },
});
const N_TRACKS = 10, M_TRACKS = 6;

/** The config of these batches (10 tracks: below train.tracks' minimum, fine for a batch). */
function cfg(
  o: {
    flipProb?: number;
    flipNegatesU?: boolean;
    gaps?: number[];
    net?: { inputHeight: number; inputWidth: number };
  } = {},
): ResolvedTrainConfig {
  return {
    ...resolved,
    net: { ...resolved.net, ...o.net },
    gaps: o.gaps ?? resolved.gaps,
    train: { ...resolved.train, tracks: N_TRACKS, flipNegatesU: o.flipNegatesU ?? true },
    internals: { ...resolved.internals, flipProb: o.flipProb ?? resolved.internals.flipProb },
  };
}

Deno.test("buildBatch: group layout, flips negate u and mirror tracks, deterministic", async () => {
  const seq = movingSquare();
  const prepared = prepareSequences([seq], SCENE.height, SCENE.width, (t) => t.xy);
  for (const flipProb of [0, 1]) {
    const b = await buildBatch(prepared, cfg({ flipProb }), new Rng(3));
    assert.equal(b.size, 8);
    const G = 2;
    for (let j = 0; j < G; j++) {
      const t = b.frames[j].t;
      const g = b.frames[G + j].t - t;
      assert.ok(g === 1 || g === 2);
      assert.equal(b.frames[2 * G + j].t, t + 5);
      assert.equal(b.frames[3 * G + j].t, t + g + 5);
      assert.equal(b.frames[j].flipped, flipProb === 1);
    }
    // flow of the first frame: square pixels move by (+g, +g) working px = (854/W, 480/H)·g px
    // of the paper's frame; flipped → u negated, mirrored in x
    const W = SCENE.width;
    const t0 = b.frames[0].t;
    const g0 = b.frames[G].t - t0;
    const sx = SCENE.x0 + t0 + 1;
    const sy = SCENE.y0 + t0 + 1;
    const px = flipProb ? W - 1 - sx : sx;
    const o = 2 * (sy * W + px);
    const [ux, vy] = [(854 / W) * g0, (480 / SCENE.height) * g0];
    assert.ok(Math.abs(b.flow[o] - (flipProb ? -ux : ux)) < 1e-4, `u ${b.flow[o]}`);
    assert.ok(Math.abs(b.flow[o + 1] - vy) < 1e-4, `v ${b.flow[o + 1]}`);
    // a track's x at the frame (Lt) is mirrored: W − 1 − x; raw xy in network px equals it here
    const N = N_TRACKS;
    const T = b.window;
    for (let i = 0; i < N; i++) {
      const x = b.ltXY[2 * i];
      assert.ok(x >= -0.5 && x <= W - 0.5);
      // window frame index 2 (of T = 5) is t itself unless clamped; coords row = w * N + i
      assert.ok(Number.isFinite(b.ltCoords[i]) && Number.isFinite(b.ltCoords[(T + 1) * N + i]));
    }
    // Lr pairs: visible flags are 0/1, positions of b are 5 frames later
    assert.ok(b.lrVisible.every((v) => v === 0 || v === 1));
  }
  const a = await buildBatch(prepared, cfg({ flipProb: 0.5 }), new Rng(9));
  const c = await buildBatch(prepared, cfg({ flipProb: 0.5 }), new Rng(9));
  assert.deepEqual(a.ltCoords, c.ltCoords);
  assert.deepEqual(a.frames, c.frames);
  const quirk = await buildBatch(
    prepared,
    cfg({ flipProb: 1, flipNegatesU: false }),
    new Rng(3),
  );
  const ref = await buildBatch(prepared, cfg({ flipProb: 1 }), new Rng(3));
  let differs = 0;
  for (let i = 0; i < ref.flow.length; i += 2) {
    assert.equal(quirk.flow[i], ref.flow[i] === 0 ? 0 : -ref.flow[i]);
    if (ref.flow[i] !== 0) differs++;
  }
  assert.ok(differs > 0);
});

Deno.test("buildBatch units: flow at the flow resolution and Lt coordinates in 854×480 px", async () => {
  const seq = movingSquare();
  const [Hn, Wn] = [12, 16]; // network at half the working resolution
  const prepared = prepareSequences([seq], Hn, Wn, (t) => t.xy);
  const b = await buildBatch(
    prepared,
    cfg({ net: { inputHeight: Hn, inputWidth: Wn }, flipProb: 0 }),
    new Rng(5),
  );
  const { width: W, height: H } = SCENE;
  assert.equal(b.flow.length, b.size * H * W * 2);
  assert.deepEqual([b.flowHeight, b.flowWidth], [H, W]);
  const t0 = b.frames[0].t, g0 = b.frames[2].t - t0;
  const ref = (await seq.flow(t0, g0, "fwd"))!;
  for (let i = 0; i < H * W; i++) {
    assert.ok(Math.abs(b.flow[2 * i] - ref.uv[2 * i] * (854 / W)) < 1e-4);
    assert.ok(Math.abs(b.flow[2 * i + 1] - ref.uv[2 * i + 1] * (480 / H)) < 1e-4);
  }
  // every Lt coordinate is a working-frame coordinate of some track × (854/W, 480/H)
  const T = b.window, N = N_TRACKS;
  const tr = seq.tracks;
  const xs = new Set<number>(), ys = new Set<number>();
  for (let i = 0; i < tr.xy.length; i += 2) {
    xs.add(Math.fround(tr.xy[i] * (854 / W)));
    ys.add(Math.fround(tr.xy[i + 1] * (480 / H)));
  }
  for (let i = 0; i < N; i++) {
    assert.ok(xs.has(b.ltCoords[2 * T * N + i]), `x ${b.ltCoords[2 * T * N + i]}`);
    assert.ok(ys.has(b.ltCoords[(T + 1) * N + i]), `y ${b.ltCoords[(T + 1) * N + i]}`);
  }
  assert.equal(b.lrSplit, Math.ceil(M_TRACKS / 2));
});

Deno.test("prepareSequences / buildBatch: descriptive errors", async () => {
  const seq = movingSquare();
  assert.throws(() => prepareSequences([], 8, 8, (t) => t.xy), /no training sequences/);
  const short = { ...seq, frames: seq.frames.slice(0, 3) };
  assert.throws(
    () => prepareSequences([short], 8, 8, (t) => t.xy),
    /3 frames but its tracks cover 12/,
  );
  const p = prepareSequences([seq], SCENE.height, SCENE.width, (t) => t.xy);
  await assert.rejects(
    () => buildBatch(p, cfg({ flipProb: 0, gaps: [20] }), new Rng(1)),
    /no sequence is long enough/,
  );
});

Deno.test("buildBatch: batches from a warm memo equal batches from fresh sequences", async () => {
  const seq = movingSquare();
  // Lf at a network resolution below the flow's: the resampled flow is memoised
  const [Hn, Wn] = [12, 16];
  const c = cfg({ net: { inputHeight: Hn, inputWidth: Wn } });
  const lfAtNet = {
    ...c,
    loss: { ...c.loss, flowResolution: "network" as const, flowConsistency: true },
  };
  const warm = prepareSequences([seq], Hn, Wn, (t) => t.xy);
  const rngWarm = new Rng(9), rngFresh = new Rng(9);
  for (let i = 0; i < 12; i++) {
    const a = await buildBatch(warm, lfAtNet, rngWarm);
    const fresh = prepareSequences([seq], Hn, Wn, (t) => t.xy);
    const b = await buildBatch(fresh, lfAtNet, rngFresh);
    for (
      const k of [
        "images",
        "flow",
        "flowWeight",
        "ltCoords",
        "ltXY",
        "lrXYA",
        "lrXYB",
        "lrVisible",
      ] as const
    ) {
      assert.deepEqual(a[k], b[k], `batch ${i}: ${k}`);
    }
  }
  assert.ok([...warm[0].memo.keys()].some((k) => k.startsWith("flow:")));
  assert.ok([...warm[0].memo.keys()].some((k) => k.startsWith("valid:")));
});

Deno.test("buildBatch: loss.flowConsistency weighs each Lf pixel by its flow's forward-backward test", async () => {
  const seq = movingSquare();
  const prepared = prepareSequences([seq], SCENE.height, SCENE.width, (t) => t.xy);
  const off = await buildBatch(prepared, cfg({ flipProb: 0 }), new Rng(4));
  assert.equal(off.flowWeight.length, 0, "off by default");
  const { width: W, height: H } = SCENE;
  for (const flipProb of [0, 1]) {
    const c = cfg({ flipProb });
    const on = { ...c, loss: { ...c.loss, flowConsistency: true } };
    const b = await buildBatch(prepared, on, new Rng(4));
    assert.equal(b.flowWeight.length, b.size * H * W);
    let zeros = 0;
    for (let i = 0; i < b.size; i++) {
      const { t, flipped } = b.frames[i];
      assert.equal(flipped, flipProb === 1);
      const role = Math.floor(i / 2), gap = b.frames[2 + (i % 2)].t - b.frames[i % 2].t;
      const [dir, back, bt] = role % 2 === 0
        ? ["fwd", "bwd", t + gap] as const
        : ["bwd", "fwd", t - gap] as const;
      const want = consistencyMask(
        (await seq.flow(t, gap, dir))!,
        (await seq.flow(bt, gap, back))!,
      );
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const got = b.flowWeight[(i * H + y) * W + x];
          assert.equal(got, want[y * W + (flipped ? W - 1 - x : x)], `frame ${i} (${x}, ${y})`);
          if (got === 0) zeros++;
        }
      }
    }
    assert.ok(zeros > 0, "the moving square occludes some background");
  }
});
