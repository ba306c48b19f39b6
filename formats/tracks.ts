/**
 * LRTK: a compact binary file for the point tracks of one sequence.
 *
 * All integers are little-endian unsigned 32-bit. Layout:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | magic `"LRTK"` (ASCII) |
 * | 4 | 4 | version (1) |
 * | 8 | 4 | width (px) |
 * | 12 | 4 | height (px) |
 * | 16 | 4 | numTracks N |
 * | 20 | 4 | numFrames T |
 * | 24 | 4 | position dtype: 1 = float32, 2 = float16 |
 * | 28 | 4 | reserved (0) |
 * | 32 | 8·T | index: for each query frame t, `start` and `count` (track numbers) |
 * | 32 + 8T | N·T·2·b | positions, track-major: x, y of track n at frame t at `(n·T + t)·2` (b = 4 or 2 bytes) |
 * | … | N·⌈T/8⌉ | visibility bits, one row of ⌈T/8⌉ bytes per track; bit `t % 8` (LSB first) of byte `⌊t/8⌋` |
 *
 * Tracks are stored sorted by query frame (stable), so the tracks seeded at frame t are the
 * contiguous run `start … start + count − 1` and both their positions and their visibility are
 * one contiguous byte range each: {@link readTracksQueriedAt} reads only those ranges.
 * The file size must equal the size the header implies; anything else is reported as truncated
 * or corrupt, naming the file.
 *
 * @example
 * ```ts
 * await writeTracks("out/blackswan.lrtk", tracks);
 * const near = await readTracksQueriedAt("out/blackswan.lrtk", [9, 10, 11]);
 * ```
 * @module
 */

import type { Tracks } from "./types.ts";

/** Position storage type of an LRTK file. */
export type TrackPositionDtype = "float32" | "float16";

/** Options of {@link writeTracks}. */
export interface WriteTracksOptions {
  /** Position dtype (default float32; float16 halves the size, ~0.03 px error at 854 px). */
  dtype?: TrackPositionDtype;
}

const MAGIC = "LRTK";
const VERSION = 1;
const HEADER_BYTES = 32;

interface Header {
  width: number;
  height: number;
  numTracks: number;
  numFrames: number;
  bytesPerValue: number;
  /** index[2t] = start, index[2t+1] = count. */
  index: Uint32Array;
  positionsOffset: number;
  visibilityOffset: number;
  visRowBytes: number;
  fileSize: number;
}

function checkTracks(t: Tracks): void {
  const { numTracks: n, numFrames: f } = t;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(f) || f < 1) {
    throw new RangeError(`Tracks need numTracks ≥ 0 and numFrames ≥ 1, got ${n} and ${f}`);
  }
  if (t.xy.length !== n * f * 2) {
    throw new RangeError(`Tracks.xy has length ${t.xy.length}, expected ${n * f * 2}`);
  }
  if (t.visible.length !== n * f) {
    throw new RangeError(`Tracks.visible has length ${t.visible.length}, expected ${n * f}`);
  }
  if (t.queryFrame.length !== n) {
    throw new RangeError(`Tracks.queryFrame has length ${t.queryFrame.length}, expected ${n}`);
  }
  for (let i = 0; i < n; i++) {
    const q = t.queryFrame[i];
    if (q < 0 || q >= f) {
      throw new RangeError(`Tracks.queryFrame[${i}] = ${q} is outside 0…${f - 1}`);
    }
  }
}

/** Stable order of track numbers sorted by query frame. */
function orderByQueryFrame(t: Tracks): { order: Uint32Array; counts: Uint32Array } {
  const counts = new Uint32Array(t.numFrames);
  for (let i = 0; i < t.numTracks; i++) counts[t.queryFrame[i]]++;
  const next = new Uint32Array(t.numFrames);
  for (let f = 1; f < t.numFrames; f++) next[f] = next[f - 1] + counts[f - 1];
  const order = new Uint32Array(t.numTracks);
  for (let i = 0; i < t.numTracks; i++) order[next[t.queryFrame[i]]++] = i;
  return { order, counts };
}

/**
 * Write tracks to an LRTK file atomically (temporary file, then rename). Tracks are stored
 * sorted by query frame (stable), so {@link readTracks} returns them in that order.
 */
export async function writeTracks(
  path: string,
  t: Tracks,
  opts: WriteTracksOptions = {},
): Promise<void> {
  checkTracks(t);
  const dtype = opts.dtype ?? "float32";
  const bytesPerValue = dtype === "float32" ? 4 : 2;
  const { numTracks: n, numFrames: f } = t;
  const { order, counts } = orderByQueryFrame(t);
  const visRowBytes = Math.ceil(f / 8);
  const posBytes = n * f * 2 * bytesPerValue;
  const indexBytes = 8 * f;
  const total = HEADER_BYTES + indexBytes + posBytes + n * visRowBytes;
  const buf = new Uint8Array(total);
  const dv = new DataView(buf.buffer);
  buf.set(new TextEncoder().encode(MAGIC), 0);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, t.width, true);
  dv.setUint32(12, t.height, true);
  dv.setUint32(16, n, true);
  dv.setUint32(20, f, true);
  dv.setUint32(24, dtype === "float32" ? 1 : 2, true);
  let start = 0;
  for (let q = 0; q < f; q++) {
    dv.setUint32(HEADER_BYTES + 8 * q, start, true);
    dv.setUint32(HEADER_BYTES + 8 * q + 4, counts[q], true);
    start += counts[q];
  }
  const posOffset = HEADER_BYTES + indexBytes;
  const row = f * 2;
  if (dtype === "float32") {
    const out = new Float32Array(buf.buffer, posOffset, n * row);
    for (let k = 0; k < n; k++) {
      out.set(t.xy.subarray(order[k] * row, (order[k] + 1) * row), k * row);
    }
  } else {
    const out = new Float16Array(buf.buffer, posOffset, n * row);
    for (let k = 0; k < n; k++) {
      out.set(t.xy.subarray(order[k] * row, (order[k] + 1) * row), k * row);
    }
  }
  const visOffset = posOffset + posBytes;
  for (let k = 0; k < n; k++) {
    const src = order[k] * f;
    const dst = visOffset + k * visRowBytes;
    for (let j = 0; j < f; j++) {
      if (t.visible[src + j]) buf[dst + (j >> 3)] |= 1 << (j & 7);
    }
  }
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeFile(tmp, buf);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Cannot write tracks "${path}": ${(err as Error).message}`, { cause: err });
  }
}

async function readExactly(file: Deno.FsFile, pos: number, out: Uint8Array, path: string) {
  await file.seek(pos, Deno.SeekMode.Start);
  let got = 0;
  while (got < out.length) {
    const r = await file.read(out.subarray(got));
    if (r === null) {
      throw new Error(
        `Cannot read tracks "${path}": file is truncated (needed ${out.length} bytes at ${pos})`,
      );
    }
    got += r;
  }
}

async function readHeader(file: Deno.FsFile, path: string): Promise<Header> {
  const fileSize = (await file.stat()).size;
  const bad = (what: string) => new Error(`Cannot read tracks "${path}": ${what}`);
  if (fileSize < HEADER_BYTES) {
    throw bad(`file is truncated (${fileSize} bytes, the header alone has ${HEADER_BYTES})`);
  }
  const head = new Uint8Array(HEADER_BYTES);
  await readExactly(file, 0, head, path);
  if (new TextDecoder().decode(head.subarray(0, 4)) !== MAGIC) {
    throw bad(`not an LRTK track file (bad magic)`);
  }
  const dv = new DataView(head.buffer);
  const version = dv.getUint32(4, true);
  if (version !== VERSION) throw bad(`unsupported version ${version} (expected ${VERSION})`);
  const width = dv.getUint32(8, true);
  const height = dv.getUint32(12, true);
  const numTracks = dv.getUint32(16, true);
  const numFrames = dv.getUint32(20, true);
  const dtypeCode = dv.getUint32(24, true);
  if (dtypeCode !== 1 && dtypeCode !== 2) throw bad(`unknown position dtype code ${dtypeCode}`);
  if (numFrames < 1) throw bad(`numFrames is 0`);
  const bytesPerValue = dtypeCode === 1 ? 4 : 2;
  const visRowBytes = Math.ceil(numFrames / 8);
  const positionsOffset = HEADER_BYTES + 8 * numFrames;
  const visibilityOffset = positionsOffset + numTracks * numFrames * 2 * bytesPerValue;
  const expected = visibilityOffset + numTracks * visRowBytes;
  if (fileSize < expected) {
    throw bad(`file is truncated (${fileSize} bytes, the header implies ${expected})`);
  }
  if (fileSize > expected) {
    throw bad(`file has ${fileSize - expected} trailing bytes (the header implies ${expected})`);
  }
  const indexBytes = new Uint8Array(8 * numFrames);
  await readExactly(file, HEADER_BYTES, indexBytes, path);
  const index = new Uint32Array(2 * numFrames);
  const idv = new DataView(indexBytes.buffer);
  let next = 0;
  for (let q = 0; q < numFrames; q++) {
    index[2 * q] = idv.getUint32(8 * q, true);
    index[2 * q + 1] = idv.getUint32(8 * q + 4, true);
    if (index[2 * q] !== next) {
      throw bad(`corrupt index: frame ${q} starts at track ${index[2 * q]}, expected ${next}`);
    }
    next += index[2 * q + 1];
  }
  if (next !== numTracks) {
    throw bad(`corrupt index: counts sum to ${next}, header says ${numTracks} tracks`);
  }
  return {
    width,
    height,
    numTracks,
    numFrames,
    bytesPerValue,
    index,
    positionsOffset,
    visibilityOffset,
    visRowBytes,
    fileSize,
  };
}

/** Read the runs of tracks `[start, start+count)` into `out` at track offset `at`. */
async function readRun(
  file: Deno.FsFile,
  h: Header,
  path: string,
  start: number,
  count: number,
  out: Tracks,
  at: number,
): Promise<void> {
  if (count === 0) return;
  const f = h.numFrames;
  const row = 2 * f;
  const posBytes = new Uint8Array(count * row * h.bytesPerValue);
  await readExactly(file, h.positionsOffset + start * row * h.bytesPerValue, posBytes, path);
  const vals = h.bytesPerValue === 4
    ? new Float32Array(posBytes.buffer)
    : new Float16Array(posBytes.buffer);
  out.xy.set(vals, at * row);
  const visBytes = new Uint8Array(count * h.visRowBytes);
  await readExactly(file, h.visibilityOffset + start * h.visRowBytes, visBytes, path);
  for (let k = 0; k < count; k++) {
    const src = k * h.visRowBytes;
    const dst = (at + k) * f;
    for (let j = 0; j < f; j++) out.visible[dst + j] = (visBytes[src + (j >> 3)] >> (j & 7)) & 1;
  }
}

/** Read every track of an LRTK file (sorted by query frame). */
export async function readTracks(path: string): Promise<Tracks> {
  const all = await readHeaderOnly(path);
  return await readTracksQueriedAt(path, Array.from({ length: all.numFrames }, (_, i) => i));
}

/** Read only the header of an LRTK file: size, number of tracks and frames, tracks per frame. */
export async function readTracksInfo(
  path: string,
): Promise<
  { width: number; height: number; numTracks: number; numFrames: number; perFrame: Uint32Array }
> {
  const h = await readHeaderOnly(path);
  const perFrame = new Uint32Array(h.numFrames);
  for (let q = 0; q < h.numFrames; q++) perFrame[q] = h.index[2 * q + 1];
  return {
    width: h.width,
    height: h.height,
    numTracks: h.numTracks,
    numFrames: h.numFrames,
    perFrame,
  };
}

async function readHeaderOnly(path: string): Promise<Header> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    throw new Error(`Cannot read tracks "${path}": ${(err as Error).message}`, { cause: err });
  }
  try {
    return await readHeader(file, path);
  } finally {
    file.close();
  }
}

/**
 * Read only the tracks whose query frame is in `frames` (each over the whole sequence), reading
 * just their byte ranges. Frames are deduplicated and returned in increasing order.
 */
export async function readTracksQueriedAt(path: string, frames: number[]): Promise<Tracks> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    throw new Error(`Cannot read tracks "${path}": ${(err as Error).message}`, { cause: err });
  }
  try {
    const h = await readHeader(file, path);
    const wanted = [...new Set(frames)].sort((a, b) => a - b);
    for (const q of wanted) {
      if (!Number.isInteger(q) || q < 0 || q >= h.numFrames) {
        throw new RangeError(
          `Cannot read tracks "${path}": query frame ${q} is outside 0…${h.numFrames - 1}`,
        );
      }
    }
    let n = 0;
    for (const q of wanted) n += h.index[2 * q + 1];
    const f = h.numFrames;
    const out: Tracks = {
      width: h.width,
      height: h.height,
      numTracks: n,
      numFrames: f,
      queryFrame: new Int32Array(n),
      xy: new Float32Array(n * f * 2),
      visible: new Uint8Array(n * f),
    };
    // Merge adjacent frames into one contiguous read.
    let at = 0;
    let i = 0;
    while (i < wanted.length) {
      let j = i;
      while (j + 1 < wanted.length && wanted[j + 1] === wanted[j] + 1) j++;
      const start = h.index[2 * wanted[i]];
      const end = h.index[2 * wanted[j]] + h.index[2 * wanted[j] + 1];
      await readRun(file, h, path, start, end - start, out, at);
      for (let q = wanted[i]; q <= wanted[j]; q++) {
        out.queryFrame.fill(q, at, at + h.index[2 * q + 1]);
        at += h.index[2 * q + 1];
      }
      i = j + 1;
    }
    return out;
  } finally {
    file.close();
  }
}
