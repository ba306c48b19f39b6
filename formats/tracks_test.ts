import assert from "node:assert/strict";
import type { Tracks } from "./types.ts";
import { readTracks, readTracksInfo, readTracksQueriedAt, writeTracks } from "./tracks.ts";

/** Tracks with query frames in a scrambled order and a recognisable pattern. */
function makeTracks(numTracks: number, numFrames: number): Tracks {
  const queryFrame = new Int32Array(numTracks);
  const xy = new Float32Array(numTracks * numFrames * 2);
  const visible = new Uint8Array(numTracks * numFrames);
  for (let n = 0; n < numTracks; n++) {
    queryFrame[n] = (n * 7) % numFrames;
    for (let t = 0; t < numFrames; t++) {
      xy[2 * (n * numFrames + t)] = n + 0.25 * t;
      xy[2 * (n * numFrames + t) + 1] = -n + 0.5 * t + 0.125;
      visible[n * numFrames + t] = (n + t) % 3 === 0 ? 0 : 1;
    }
  }
  return { width: 64, height: 48, numTracks, numFrames, queryFrame, xy, visible };
}

/** Track n's data as a comparable object. */
function trackOf(t: Tracks, n: number) {
  const f = t.numFrames;
  return {
    q: t.queryFrame[n],
    xy: Array.from(t.xy.subarray(2 * n * f, 2 * (n + 1) * f)),
    vis: Array.from(t.visible.subarray(n * f, (n + 1) * f)),
  };
}

function sortedTracks(t: Tracks) {
  const list = Array.from({ length: t.numTracks }, (_, n) => trackOf(t, n));
  return list.sort((a, b) => a.q - b.q || a.xy[0] - b.xy[0]);
}

Deno.test("tracks: float32 round trip keeps every track (sorted by query frame)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const t = makeTracks(37, 13); // 13 frames: visibility rows are 2 bytes with padding
    const path = `${dir}/a.lrtk`;
    await writeTracks(path, t);
    const r = await readTracks(path);
    assert.equal(r.width, 64);
    assert.equal(r.height, 48);
    assert.equal(r.numTracks, 37);
    assert.equal(r.numFrames, 13);
    for (let n = 1; n < r.numTracks; n++) assert.ok(r.queryFrame[n - 1] <= r.queryFrame[n]);
    assert.deepEqual(sortedTracks(r), sortedTracks(t));
    const info = await readTracksInfo(path);
    assert.equal(info.perFrame.reduce((a, b) => a + b, 0), 37);
    assert.equal((await Deno.stat(path)).size, 32 + 8 * 13 + 37 * 13 * 8 + 37 * 2);
    // No temporary files left behind.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.lrtk"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tracks: float16 round trip within half-precision error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const t = makeTracks(20, 9);
    const path = `${dir}/h.lrtk`;
    await writeTracks(path, t, { dtype: "float16" });
    const r = await readTracks(path);
    const a = sortedTracks(r);
    const b = sortedTracks(t);
    for (let n = 0; n < a.length; n++) {
      assert.deepEqual(a[n].vis, b[n].vis);
      for (let i = 0; i < a[n].xy.length; i++) {
        assert.ok(Math.abs(a[n].xy[i] - b[n].xy[i]) <= 0.01 + Math.abs(b[n].xy[i]) * 1e-3);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tracks: partial read returns exactly the tracks queried at those frames", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const t = makeTracks(50, 10);
    const path = `${dir}/p.lrtk`;
    await writeTracks(path, t);
    const frames = [7, 3, 4, 3];
    const r = await readTracksQueriedAt(path, frames);
    const want = sortedTracks(t).filter((x) => [3, 4, 7].includes(x.q));
    assert.equal(r.numTracks, want.length);
    assert.ok(r.numTracks > 0);
    assert.deepEqual(sortedTracks(r), want);
    const none = await readTracksQueriedAt(path, []);
    assert.equal(none.numTracks, 0);
    await assert.rejects(() => readTracksQueriedAt(path, [10]), /query frame 10 is outside/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tracks: truncated and corrupt files fail with the file name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.lrtk`;
    await writeTracks(path, makeTracks(10, 5));
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 3));
    await assert.rejects(() => readTracks(path), /t\.lrtk.*truncated/);
    await Deno.writeFile(path, bytes.subarray(0, 10));
    await assert.rejects(() => readTracks(path), /t\.lrtk.*truncated/);
    const bad = bytes.slice();
    bad[0] = 0x58;
    await Deno.writeFile(path, bad);
    await assert.rejects(() => readTracks(path), /t\.lrtk.*bad magic/);
    const badIndex = bytes.slice();
    new DataView(badIndex.buffer).setUint32(32 + 4, 999, true);
    await Deno.writeFile(path, badIndex);
    await assert.rejects(() => readTracks(path), /t\.lrtk.*corrupt index/);
    await assert.rejects(() => readTracks(`${dir}/missing.lrtk`), /missing\.lrtk/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tracks: writer rejects inconsistent tracks", async () => {
  const t = makeTracks(4, 3);
  t.queryFrame[2] = 3;
  await assert.rejects(() => writeTracks("/nonexistent/x.lrtk", t), /queryFrame\[2\] = 3/);
});
