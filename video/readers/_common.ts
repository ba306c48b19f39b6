/**
 * Shared helpers of the dataset readers: listing frame files, reading frames and masks with
 * size checks and optional resizing.
 * @module
 */

import { join, relative } from "node:path";
import {
  readImage,
  resizeLabel,
  resizeRgb,
  type Size,
  toGrey,
  toRgb,
} from "../../formats/image.ts";
import type { LabelImage, RgbImage } from "../types.ts";

/** Options of a sequence load. */
export interface LoadOptions {
  /** Load only the first `maxFrames` frames. */
  maxFrames?: number;
  /** Resize frames (Lanczos-3) and masks (nearest neighbour) to this size. */
  resize?: Size;
  /** Called after each frame is read. */
  onProgress?: (done: number, total: number) => void;
}

/** Image file extensions the readers accept. */
export const IMAGE_EXT = /\.(jpe?g|png|ppm|pgm|bmp)$/i;

/** Natural sort: digit runs compare as numbers (`a2` < `a10`). */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** True when `path` is an existing directory. */
export function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** True when `path` is an existing file. */
export function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Sub-directory names of `dir`, naturally sorted (hidden ones skipped). */
export function listDirs(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory && !e.name.startsWith(".")) out.push(e.name);
  }
  return out.sort(naturalCompare);
}

/** Image file names in `dir` (not recursive), naturally sorted. */
export function listImages(dir: string, ext: RegExp = IMAGE_EXT): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile && !e.name.startsWith(".") && ext.test(e.name)) out.push(e.name);
  }
  return out.sort(naturalCompare);
}

/** Throw unless `dir` is a directory: `Cannot load <what>: missing folder "<dir>"`. */
export function requireDir(dir: string, what: string, root?: string): void {
  if (!isDir(dir)) {
    throw new Error(`Cannot load ${what}: missing folder "${root ? relative(root, dir) : dir}"`);
  }
}

/** Read a frame as RGB at its native size. */
export async function readFrame(path: string): Promise<RgbImage> {
  return toRgb(await readImage(path));
}

/** Read an annotation as one channel (grey as stored, RGB as luma). */
export async function readMaskGrey(path: string): Promise<LabelImage> {
  return toGrey(await readImage(path));
}

/** Apply `f` to every byte: a new label image. */
export function mapLabel(img: LabelImage, f: (v: number) => number): LabelImage {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(img.data[i]);
  return { width: img.width, height: img.height, data };
}

/** Throw when a mask's size differs from its frame's. */
export function checkSameSize(
  frame: { width: number; height: number },
  mask: { width: number; height: number },
  maskPath: string,
  framePath: string,
): void {
  if (frame.width !== mask.width || frame.height !== mask.height) {
    throw new Error(
      `Cannot read mask "${maskPath}": size ${mask.width}x${mask.height} differs from frame "${framePath}" (${frame.width}x${frame.height})`,
    );
  }
}

/** Read frames (native size checked to be constant), then resize if asked. */
export async function readFrames(
  dir: string,
  names: string[],
  opts: LoadOptions,
): Promise<{ frames: RgbImage[]; native: Size }> {
  const frames: RgbImage[] = [];
  let native: Size | null = null;
  for (let t = 0; t < names.length; t++) {
    const path = join(dir, names[t]);
    let f = await readFrame(path);
    if (!native) native = { width: f.width, height: f.height };
    else if (f.width !== native.width || f.height !== native.height) {
      throw new Error(
        `Cannot read frame "${path}": size ${f.width}x${f.height} differs from the sequence's first frame (${native.width}x${native.height})`,
      );
    }
    if (opts.resize) f = await resizeRgb(f, opts.resize);
    frames.push(f);
    opts.onProgress?.(t + 1, names.length);
  }
  if (!native) throw new Error(`Cannot load frames: no image files in "${dir}"`);
  return { frames, native };
}

/** Resize a mask if asked (nearest neighbour). */
export function maybeResizeMask(m: LabelImage, opts: LoadOptions): LabelImage {
  return opts.resize ? resizeLabel(m, opts.resize) : m;
}

/** Clip a frame list to `maxFrames`. */
export function clip<T>(items: T[], opts: LoadOptions): T[] {
  if (opts.maxFrames === undefined) return items;
  if (!Number.isInteger(opts.maxFrames) || opts.maxFrames < 1) {
    throw new RangeError(`maxFrames must be a positive integer, got ${opts.maxFrames}`);
  }
  return items.slice(0, opts.maxFrames);
}
