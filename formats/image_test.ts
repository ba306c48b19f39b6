import assert from "node:assert/strict";
import {
  decodeBmp,
  decodeImage,
  decodePnm,
  encodePng,
  encodePnm,
  readGrey,
  readImage,
  readRgb,
  resizeLabel,
  resizeRgb,
} from "./image.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";

const davis = `${sharedDataRoot()}/davis2016`;

Deno.test("image: PNG round trip, grey and RGB, lossless", async () => {
  const rgb = { width: 7, height: 5, data: new Uint8Array(105).map((_, i) => (i * 37) % 256) };
  const back = await decodeImage(await encodePng(rgb, 3));
  assert.equal(back.channels, 3);
  assert.deepEqual(back.data, rgb.data);
  const grey = { width: 7, height: 5, data: new Uint8Array(35).map((_, i) => i * 7) };
  const g = await decodeImage(await encodePng(grey, 1));
  const first = g.channels === 1 ? g.data : g.data.filter((_, i) => i % 3 === 0);
  assert.deepEqual(Array.from(first), Array.from(grey.data));
});

Deno.test("image: reads DAVIS JPEG and mask, resizes", async () => {
  const f = await readRgb(`${davis}/JPEGImages/480p/blackswan/00000.jpg`);
  assert.equal(f.width, 854);
  assert.equal(f.height, 480);
  assert.equal(f.data.length, 854 * 480 * 3);
  const small = await readRgb(`${davis}/JPEGImages/480p/blackswan/00000.jpg`, {
    resize: { width: 214, height: 120 },
  });
  assert.equal(small.data.length, 214 * 120 * 3);
  const viaRaw = await resizeRgb(f, { width: 214, height: 120 });
  let diff = 0;
  for (let i = 0; i < viaRaw.data.length; i++) diff += Math.abs(viaRaw.data[i] - small.data[i]);
  assert.ok(diff / viaRaw.data.length < 3, `resize paths disagree: ${diff / viaRaw.data.length}`);
  const m = await readGrey(`${davis}/Annotations/480p/blackswan/00000.png`);
  assert.equal(m.data.length, 854 * 480);
  const values = new Set(m.data);
  assert.ok(values.has(0) && values.has(255), `mask values ${[...values]}`);
  const r = resizeLabel(m, { width: 100, height: 50 });
  assert.ok(r.data.every((v) => v === 0 || v === 255));
});

Deno.test("image: PPM/PGM parser (P6, P5, comments, 16-bit) and FBMS sample", () => {
  const rgb = {
    width: 3,
    height: 2,
    channels: 3 as const,
    data: new Uint8Array(18).map((_, i) => i * 9),
  };
  assert.deepEqual(decodePnm(encodePnm(rgb)).data, rgb.data);
  const p5 = new TextEncoder().encode("P5\n# comment\n2 1\n65535\n");
  const img = decodePnm(new Uint8Array([...p5, 0xff, 0xff, 0x80, 0x00]), "a.pgm");
  assert.deepEqual(Array.from(img.data), [255, 128]);
  assert.throws(() => decodePnm(encodePnm(rgb).subarray(0, 15), "t.ppm"), /"t.ppm".*truncated/);
});

Deno.test("image: FBMS PPM ground truth through readImage", async () => {
  const gt = await readImage(
    `${sharedDataRoot()}/fbms59/Trainingset/bear01/GroundTruth/bear01_0001_gt.ppm`,
  );
  assert.equal(gt.channels, 3);
  assert.equal(gt.width, 960);
  assert.equal(gt.height, 540);
});

Deno.test("image: BMP 24-bit bottom-up", () => {
  // 2x2, rows padded to 8 bytes
  const header = new Uint8Array(54);
  const dv = new DataView(header.buffer);
  header[0] = 0x42;
  header[1] = 0x4d;
  dv.setUint32(10, 54, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, 2, true);
  dv.setInt32(22, 2, true);
  dv.setUint16(28, 24, true);
  const px = [1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0]; // BGR, bottom row first
  const img = decodeBmp(new Uint8Array([...header, ...px]), "a.bmp");
  assert.deepEqual(Array.from(img.data), [9, 8, 7, 12, 11, 10, 3, 2, 1, 6, 5, 4]);
  assert.throws(() => decodeBmp(new Uint8Array([...header, 1, 2]), "b.bmp"), /"b.bmp".*truncated/);
});

Deno.test("image: corrupt, truncated and missing files name the file", async () => {
  const jpg = await Deno.readFile(`${davis}/JPEGImages/480p/blackswan/00000.jpg`);
  await assert.rejects(
    () => decodeImage(jpg.subarray(0, jpg.length >> 1), "x/half.jpg"),
    /"x\/half.jpg"/,
  );
  const png = await Deno.readFile(`${davis}/Annotations/480p/blackswan/00000.png`);
  await assert.rejects(
    () => decodeImage(png.subarray(0, png.length >> 1), "x/half.png"),
    /"x\/half.png"/,
  );
  await assert.rejects(
    () => decodeImage(new Uint8Array(64).fill(7), "x/g.png"),
    /"x\/g.png": file is not a/,
  );
  await assert.rejects(
    () => decodeImage(new Uint8Array(0), "x/e.png"),
    /"x\/e.png": file is empty/,
  );
  await assert.rejects(
    () => readRgb("/nonexistent/zz.jpg"),
    /"\/nonexistent\/zz.jpg": file not found/,
  );
});
