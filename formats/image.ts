/**
 * Image files: decode JPEG / PNG / PPM / PGM / BMP into {@link RgbImage} and {@link LabelImage},
 * encode PNG, resize with a proper filter.
 *
 * JPEG and PNG go through `sharp` (libvips; needs `--allow-ffi`), which refuses truncated files.
 * PPM/PGM (P5/P6) and uncompressed BMP are parsed here, because libvips builds from npm do not
 * read them. Every error names the file and the problem.
 * @module
 */

import sharp from "sharp";
import type { LabelImage, RgbImage } from "./types.ts";

/** A decoded image with 1 (grey) or 3 (RGB) interleaved 8-bit channels. */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/** Target size of a resize; the aspect ratio is not preserved (`fit: "fill"`). */
export interface Size {
  width: number;
  height: number;
}

/** Options for reading an RGB image. */
export interface ReadRgbOptions {
  /** Resize to this size with a Lanczos-3 filter (area-averaging when shrinking a lot). */
  resize?: Size;
}

/** Options for reading a label image. */
export interface ReadLabelOptions {
  /** Resize to this size with nearest-neighbour sampling (labels are never blended). */
  resize?: Size;
}

type Format = "png" | "jpeg" | "pnm" | "bmp" | "unknown";

function sniff(bytes: Uint8Array): Format {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e) {
    return "png";
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "jpeg";
  }
  if (bytes.length >= 2 && bytes[0] === 0x50 && (bytes[1] === 0x35 || bytes[1] === 0x36)) {
    return "pnm";
  }
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return "bmp";
  return "unknown";
}

function fail(name: string, problem: string): never {
  throw new Error(`Cannot read image "${name}": ${problem}`);
}

/**
 * Parse a binary PPM (P6) or PGM (P5) file. `maxval` up to 65535 (16-bit samples are scaled
 * to 8 bits). Comments (`#`) in the header are allowed.
 */
export function decodePnm(bytes: Uint8Array, name = "<buffer>"): RawImage {
  let pos = 0;
  const token = (): string => {
    // skip whitespace and comments
    while (pos < bytes.length) {
      const c = bytes[pos];
      if (c === 0x23) {
        while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
      } else if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
        pos++;
      } else break;
    }
    const start = pos;
    while (pos < bytes.length) {
      const c = bytes[pos];
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x23) break;
      pos++;
    }
    if (start === pos) fail(name, "PNM header is truncated");
    return new TextDecoder().decode(bytes.subarray(start, pos));
  };
  const magic = token();
  if (magic !== "P5" && magic !== "P6") {
    fail(name, `unsupported PNM type "${magic}" (need P5 or P6)`);
  }
  const channels = magic === "P6" ? 3 : 1;
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    fail(name, `bad PNM size ${width}x${height}`);
  }
  if (!Number.isInteger(maxval) || maxval <= 0 || maxval > 65535) {
    fail(name, `bad PNM maxval ${maxval}`);
  }
  pos++; // the single whitespace byte after maxval
  const bps = maxval > 255 ? 2 : 1;
  const n = width * height * channels;
  if (bytes.length - pos < n * bps) {
    fail(name, `file is truncated: ${bytes.length - pos} pixel bytes, expected ${n * bps}`);
  }
  const data = new Uint8Array(n);
  if (bps === 1 && maxval === 255) {
    data.set(bytes.subarray(pos, pos + n));
  } else {
    for (let i = 0; i < n; i++) {
      const v = bps === 1 ? bytes[pos + i] : (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1];
      data[i] = Math.round((Math.min(v, maxval) * 255) / maxval);
    }
  }
  return { width, height, channels, data };
}

/** Encode a binary PPM (P6) or PGM (P5). */
export function encodePnm(img: RawImage): Uint8Array {
  const header = new TextEncoder().encode(
    `${img.channels === 3 ? "P6" : "P5"}\n${img.width} ${img.height}\n255\n`,
  );
  const out = new Uint8Array(header.length + img.data.length);
  out.set(header, 0);
  out.set(img.data, header.length);
  return out;
}

/** Parse an uncompressed BMP (8-bit palette, 24- or 32-bit), as used by some SegTrackv2 files. */
export function decodeBmp(bytes: Uint8Array, name = "<buffer>"): RawImage {
  if (bytes.length < 54) fail(name, "BMP header is truncated");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  const width = dv.getInt32(18, true);
  const rawHeight = dv.getInt32(22, true);
  const bpp = dv.getUint16(28, true);
  const compression = dv.getUint32(30, true);
  if (compression !== 0 && !(compression === 3 && bpp === 32)) {
    fail(name, `compressed BMP (method ${compression}) is not supported`);
  }
  if (bpp !== 8 && bpp !== 24 && bpp !== 32) fail(name, `${bpp}-bit BMP is not supported`);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0) fail(name, `bad BMP size ${width}x${rawHeight}`);
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  if (bytes.length < offset + rowBytes * height) {
    fail(name, `file is truncated: ${bytes.length} bytes, expected ${offset + rowBytes * height}`);
  }
  const palette = 14 + headerSize;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const srcRow = offset + rowBytes * (rawHeight > 0 ? height - 1 - y : y);
    for (let x = 0; x < width; x++) {
      const o = 3 * (y * width + x);
      if (bpp === 8) {
        const p = palette + 4 * bytes[srcRow + x];
        data[o] = bytes[p + 2];
        data[o + 1] = bytes[p + 1];
        data[o + 2] = bytes[p];
      } else {
        const s = srcRow + x * (bpp / 8);
        data[o] = bytes[s + 2];
        data[o + 1] = bytes[s + 1];
        data[o + 2] = bytes[s];
      }
    }
  }
  return { width, height, channels: 3, data };
}

async function sharpDecode(bytes: Uint8Array, name: string): Promise<RawImage> {
  try {
    const { data, info } = await sharp(bytes, { failOn: "truncated" })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const px = info.width * info.height;
    if (info.channels === 3) {
      return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
    }
    // 1 or 2 channels (grey, grey+alpha that removeAlpha kept): take the first.
    const out = new Uint8Array(px);
    for (let i = 0; i < px; i++) out[i] = data[i * info.channels];
    return { width: info.width, height: info.height, channels: 1, data: out };
  } catch (e) {
    fail(name, (e as Error).message);
  }
}

/**
 * Decode image bytes (PNG, JPEG, PPM/PGM, BMP) as they are stored: 1 or 3 channels.
 * Note: libvips expands grey PNGs to 3 equal channels for some files; use {@link toGrey}
 * when one channel is needed.
 */
export async function decodeImage(bytes: Uint8Array, name = "<buffer>"): Promise<RawImage> {
  switch (sniff(bytes)) {
    case "pnm":
      return decodePnm(bytes, name);
    case "bmp":
      return decodeBmp(bytes, name);
    case "png":
    case "jpeg":
      return await sharpDecode(bytes, name);
    default:
      if (bytes.length === 0) fail(name, "file is empty");
      fail(name, "file is not a PNG, JPEG, PPM/PGM or BMP image");
  }
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) fail(path, "file not found");
    fail(path, (e as Error).message);
  }
}

/** Read any supported image file as stored (1 or 3 channels). */
export async function readImage(path: string): Promise<RawImage> {
  return await decodeImage(await readBytes(path), path);
}

/** Convert to RGB (grey is replicated). */
export function toRgb(img: RawImage): RgbImage {
  if (img.channels === 3) return { width: img.width, height: img.height, data: img.data };
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = img.data[i];
  return { width: img.width, height: img.height, data };
}

/** Convert to one channel: grey is kept, RGB becomes Rec.601 luma. */
export function toGrey(img: RawImage): LabelImage {
  if (img.channels === 1) return { width: img.width, height: img.height, data: img.data };
  const n = img.width * img.height;
  const data = new Uint8Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    const r = d[3 * i], g = d[3 * i + 1], b = d[3 * i + 2];
    data[i] = r === g && g === b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  return { width: img.width, height: img.height, data };
}

function checkSize(size: Size, what: string): void {
  if (
    !Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width <= 0 ||
    size.height <= 0
  ) {
    throw new RangeError(`${what}: bad size ${size.width}x${size.height}`);
  }
}

/** Resize an RGB image with a Lanczos-3 filter (sharp/libvips; shrinking averages first). */
export async function resizeRgb(img: RgbImage, size: Size): Promise<RgbImage> {
  checkSize(size, "resizeRgb");
  if (img.width === size.width && img.height === size.height) return img;
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(size.width, size.height, { kernel: "lanczos3", fit: "fill" })
    .raw()
    .toBuffer();
  return { width: size.width, height: size.height, data: new Uint8Array(data) };
}

/**
 * Resize a label image with nearest-neighbour sampling: output pixel (x, y) takes the source
 * pixel under its centre, `floor((x + 0.5) * W / w)`.
 */
export function resizeLabel(img: LabelImage, size: Size): LabelImage {
  checkSize(size, "resizeLabel");
  if (img.width === size.width && img.height === size.height) return img;
  const { width: w, height: h } = size;
  const data = new Uint8Array(w * h);
  const xs = new Int32Array(w);
  for (let x = 0; x < w; x++) {
    xs[x] = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / w));
  }
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / h));
    const src = sy * img.width, dst = y * w;
    for (let x = 0; x < w; x++) data[dst + x] = img.data[src + xs[x]];
  }
  return { width: w, height: h, data };
}

/** Read an image file as RGB, optionally resized (Lanczos-3). */
export async function readRgb(path: string, opts: ReadRgbOptions = {}): Promise<RgbImage> {
  const bytes = await readBytes(path);
  const fmt = sniff(bytes);
  if (opts.resize) checkSize(opts.resize, `readRgb "${path}"`);
  if ((fmt === "jpeg" || fmt === "png") && opts.resize) {
    // decode + resize in one libvips pipeline (faster than two passes)
    try {
      const { data, info } = await sharp(bytes, { failOn: "truncated" })
        .removeAlpha()
        .toColourspace("srgb")
        .resize(opts.resize.width, opts.resize.height, { kernel: "lanczos3", fit: "fill" })
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) {
        fail(path, `expected 3 channels after decoding, got ${info.channels}`);
      }
      return { width: info.width, height: info.height, data: new Uint8Array(data) };
    } catch (e) {
      if ((e as Error).message.startsWith("Cannot read image")) throw e;
      fail(path, (e as Error).message);
    }
  }
  const rgb = toRgb(await decodeImage(bytes, path));
  return opts.resize ? await resizeRgb(rgb, opts.resize) : rgb;
}

/** Read an image file as one grey channel (RGB files become luma), optionally resized (nearest). */
export async function readGrey(path: string, opts: ReadLabelOptions = {}): Promise<LabelImage> {
  const grey = toGrey(await readImage(path));
  return opts.resize ? resizeLabel(grey, opts.resize) : grey;
}

/** Encode an 8-bit grey ({@link LabelImage}) or RGB ({@link RgbImage}) image as PNG. */
export async function encodePng(
  img: RgbImage | LabelImage,
  channels: 1 | 3,
  opts: { compressionLevel?: number } = {},
): Promise<Uint8Array> {
  if (img.data.length !== img.width * img.height * channels) {
    throw new RangeError(
      `encodePng: data length ${img.data.length} does not match ${img.width}x${img.height}x${channels}`,
    );
  }
  const buf = await sharp(img.data, {
    raw: { width: img.width, height: img.height, channels },
  })
    .png({ compressionLevel: opts.compressionLevel ?? 6 })
    .toBuffer();
  return new Uint8Array(buf);
}

/** Write an RGB image as a PNG file. */
export async function writeRgbPng(path: string, img: RgbImage): Promise<void> {
  await Deno.writeFile(path, await encodePng(img, 3));
}

/** Write a grey / label image as an 8-bit grey PNG file. */
export async function writeGreyPng(path: string, img: LabelImage): Promise<void> {
  await Deno.writeFile(path, await encodePng(img, 1));
}
