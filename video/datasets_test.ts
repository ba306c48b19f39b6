import assert from "node:assert/strict";
import { join } from "node:path";
import { encodePng, encodePnm } from "../formats/image.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";
import { listDatasets, openDataset } from "./datasets.ts";
import { generateSequence, writeSyntheticDataset } from "./synthetic/mod.ts";
import type { LabelImage } from "./types.ts";

const root = sharedDataRoot();
const small = { width: 107, height: 60 };

function fgFraction(m: LabelImage): number {
  return m.data.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) / m.data.length;
}

async function withTemp(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("datasets: listDatasets finds the shared DAVIS and FBMS samples", async () => {
  const found = await listDatasets(root);
  const davis = found.find((d) => d.name === "davis2016")!;
  assert.ok(davis, `found ${found.map((d) => d.name)}`);
  assert.ok(davis.sequences.length >= 4);
  for (const s of davis.sequences) {
    assert.ok(s.frames >= 20 && s.frames === s.annotated, `${s.name}: ${s.frames}/${s.annotated}`);
  }
  const fbms = found.find((d) => d.name === "fbms59")!;
  const bear = fbms.sequences.find((s) => s.name === "bear01")!;
  assert.equal(bear.frames, 100);
  assert.equal(bear.annotated, 6);
  assert.ok(!found.some((d) => d.name === "segtrackv2" || d.name === "synthetic"));
});

Deno.test("datasets: DAVIS sequence loads with binary masks, resized", async () => {
  const ds = openDataset("davis2016", root);
  const name = ds.sequences()[0];
  const seq = await ds.load(name, { maxFrames: 4, resize: small });
  assert.equal(seq.frames.length, 4);
  assert.equal(seq.masks.length, 4);
  assert.equal(seq.width, small.width);
  for (const m of seq.masks) {
    assert.ok(m && m.width === small.width && m.data.every((v) => v <= 1));
    const fg = fgFraction(m);
    assert.ok(fg > 0.01 && fg < 0.7, `${name} foreground fraction ${fg}`);
  }
  const full = await ds.load(name, { maxFrames: 1 });
  assert.equal(full.frames[0].width, 854);
  assert.equal(full.masks[0]!.data.length, 854 * 480);
});

Deno.test("datasets: FBMS loads sparse non-white ground truth", async () => {
  const ds = openDataset("fbms59", root);
  const seq = await ds.load("bear01", { maxFrames: 25, resize: small });
  assert.equal(seq.frames.length, 25);
  const annotated = seq.masks.map((m, t) => (m ? t : -1)).filter((t) => t >= 0);
  assert.deepEqual(annotated, [0, 19]); // bear01_0001 and bear01_0020
  for (const t of annotated) {
    const fg = fgFraction(seq.masks[t]!);
    assert.ok(fg > 0.02 && fg < 0.7, `fg ${fg}`);
  }
});

Deno.test("datasets: synthetic layout round-trips through the reader with instance ids", async () => {
  await withTemp(async (dir) => {
    const out = join(dir, "synthetic");
    await writeSyntheticDataset(out, "smoke", { width: 48, height: 28, numFrames: 3 });
    const found = await listDatasets(dir);
    assert.deepEqual(found.map((d) => d.name), ["synthetic"]);
    const ds = openDataset("synthetic", dir);
    const meta = JSON.parse(await Deno.readTextFile(join(out, "meta.json")));
    const seq = await ds.load(ds.sequences()[0]);
    const gen = generateSequence(
      meta.sequences.find((s: { spec: { name: string } }) => s.spec.name === seq.name).spec,
    );
    assert.deepEqual(seq.frames[1].data, gen.sequence.frames[1].data);
    assert.deepEqual(seq.masks[1]!.data, gen.sequence.masks[1]!.data);
    assert.ok(Math.max(...seq.masks[0]!.data) >= 2, "expected several instance ids");
  });
});

async function writeGrey(path: string, w: number, h: number, f: (x: number, y: number) => number) {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
  await Deno.writeFile(path, await encodePng({ width: w, height: h, data }, 1));
}

async function writeRgb(path: string, w: number, h: number) {
  const data = new Uint8Array(w * h * 3).map((_, i) => (i * 13) % 251);
  await Deno.writeFile(path, await encodePng({ width: w, height: h, data }, 3));
}

Deno.test("datasets: SegTrackv2 merges object folders into one foreground", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(join(dir, "JPEGImages", "worm"), { recursive: true });
    for (const o of ["1", "2"]) {
      await Deno.mkdir(join(dir, "GroundTruth", "worm", o), { recursive: true });
    }
    for (let t = 0; t < 3; t++) {
      await writeRgb(join(dir, "JPEGImages", "worm", `worm_${t}.png`), 20, 10);
      await writeGrey(
        join(dir, "GroundTruth", "worm", "1", `worm_${t}.png`),
        20,
        10,
        (x) => (x < 5 ? 255 : 0),
      );
      await writeGrey(
        join(dir, "GroundTruth", "worm", "2", `worm_${t}.png`),
        20,
        10,
        (x) => (x >= 15 ? 255 : 0),
      );
    }
    const [info] = await listDatasets(dir);
    assert.equal(info.name, "segtrackv2");
    assert.deepEqual(info.sequences, [{ name: "worm", frames: 3, annotated: 3 }]);
    const seq = await openDataset("segtrackv2", dir).load("worm");
    assert.equal(seq.frames.length, 3);
    assert.equal(fgFraction(seq.masks[2]!), 0.5);
    assert.equal(seq.masks[2]!.data[0], 1);
    assert.equal(seq.masks[2]!.data[19], 1);
    assert.equal(seq.masks[2]!.data[10], 0);
  });
});

Deno.test("datasets: bad input errors name the file or folder and the problem", async () => {
  await withTemp(async (dir) => {
    const img = join(dir, "JPEGImages", "480p", "cat"),
      ann = join(dir, "Annotations", "480p", "cat");
    await Deno.mkdir(img, { recursive: true });
    const davis = () => openDataset("davis2016", dir);
    assert.throws(davis, /no davis2016 layout/);
    await Deno.mkdir(join(dir, "Annotations", "480p"), { recursive: true });
    await assert.rejects(() => davis().load("cat"), /missing folder "Annotations\/480p\/cat"/);
    await Deno.mkdir(ann);
    for (let t = 0; t < 2; t++) {
      await writeRgb(join(img, `0000${t}.png`), 16, 8);
      await writeGrey(join(ann, `0000${t}.png`), 16, 8, () => 255);
    }
    assert.equal((await davis().load("cat")).frames.length, 2);
    await writeRgb(join(img, "00002.png"), 16, 8);
    await assert.rejects(() => davis().load("cat"), /3 frames in .* but 2 masks/);
    await writeGrey(join(ann, "00002.png"), 12, 8, () => 0);
    await assert.rejects(
      () => davis().load("cat"),
      /Cannot read mask ".*00002.png": size 12x8 differs/,
    );
    await writeGrey(join(ann, "00002.png"), 16, 8, () => 0);
    const jpg = await Deno.readFile(join(root, "davis2016/JPEGImages/480p/blackswan/00000.jpg"));
    await Deno.writeFile(join(img, "00001.png"), jpg.subarray(0, 3000)); // truncated JPEG bytes
    await assert.rejects(() => davis().load("cat"), /Cannot read image ".*00001.png"/);
    await writeRgb(join(img, "00001.png"), 20, 8);
    await assert.rejects(
      () => davis().load("cat"),
      /".*00001.png": size 20x8 differs from the sequence's first frame/,
    );
    await writeRgb(join(img, "00001.png"), 16, 8);
    const png = await Deno.readFile(join(ann, "00001.png"));
    await Deno.writeFile(join(ann, "00001.png"), png.subarray(0, png.length - 20));
    await assert.rejects(() => davis().load("cat"), /Cannot read image ".*Annotations.*00001.png"/);
    await assert.rejects(() => davis().load("dog"), /missing folder "JPEGImages\/480p\/dog"/);
  });
  await withTemp(async (dir) => {
    const seq = join(dir, "Testset", "cars1"), gt = join(seq, "GroundTruth");
    await Deno.mkdir(gt, { recursive: true });
    for (let t = 1; t <= 3; t++) await writeRgb(join(seq, `cars1_${t}.png`), 10, 6);
    const ppm = encodePnm({
      width: 10,
      height: 6,
      channels: 3,
      data: new Uint8Array(180).fill(255),
    });
    await Deno.writeFile(join(gt, "cars1_2_gt.ppm"), ppm);
    const s = await openDataset("fbms59", dir).load("cars1");
    assert.deepEqual(s.masks.map((m) => (m ? fgFraction(m) : null)), [null, 0, null]);
    await Deno.writeFile(join(gt, "cars1_2_gt.ppm"), ppm.subarray(0, 100));
    await assert.rejects(
      () => openDataset("fbms59", dir).load("cars1"),
      /"[^"]*cars1_2_gt.ppm": file is truncated/,
    );
    await Deno.writeFile(join(gt, "cars1_2_gt.ppm"), ppm);
    await Deno.writeFile(join(gt, "cars1_9_gt.ppm"), ppm);
    await assert.rejects(
      () => openDataset("fbms59", dir).load("cars1"),
      /"[^"]*cars1_9_gt.ppm" matches no frame/,
    );
  });
  assert.throws(() => openDataset("kitti", root), /Unknown dataset "kitti"/);
  await assert.rejects(() => listDatasets("/nonexistent/x"), /missing folder/);
});
