/**
 * FBMS-59: `Trainingset|Testset/<seq>/<seq>_NNNN.jpg` frames, sparse ground truth in
 * `<seq>/GroundTruth/<seq>_NNNN_gt.ppm|pgm|png`. Background is white; any other colour is an
 * object, merged into one foreground: a pixel is foreground when `(255 − min channel) / 255 >
 * 0.1`. Ground truth is matched to frames by frame number (the last digit run of the file name
 * before `_gt`); frames without ground truth get a `null` mask.
 * @module
 */

import { join } from "node:path";
import { readImage } from "../../formats/image.ts";
import type { LabelImage, Sequence } from "../types.ts";
import {
  checkSameSize,
  clip,
  isDir,
  listDirs,
  listImages,
  type LoadOptions,
  maybeResizeMask,
  readFrames,
  requireDir,
} from "./_common.ts";
import type { DatasetReader } from "./reader.ts";

const SPLITS = ["Trainingset", "Testset"];

function seqDir(root: string, seq: string): string {
  for (const s of SPLITS) if (isDir(join(root, s, seq))) return join(root, s, seq);
  throw new Error(
    `Cannot load fbms59 sequence "${seq}": missing folder "Trainingset/${seq}" or "Testset/${seq}"`,
  );
}

function frameNumber(name: string): number | null {
  const m = name.replace(/_gt(\.[^.]*)?$/i, "").replace(/\.[^.]*$/, "").match(/(\d+)(?!.*\d)/);
  return m ? Number(m[1]) : null;
}

/** Foreground of an FBMS ground-truth image: non-white pixels (`(255 − min) / 255 > 0.1`). */
export function fbmsForeground(
  img: { width: number; height: number; channels: 1 | 3; data: Uint8Array },
): LabelImage {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const c = img.channels;
  for (let i = 0; i < n; i++) {
    let lo = img.data[i * c];
    for (let k = 1; k < c; k++) lo = Math.min(lo, img.data[i * c + k]);
    out[i] = (255 - lo) / 255 > 0.1 ? 1 : 0;
  }
  return { width: img.width, height: img.height, data: out };
}

/** FBMS-59 reader (both splits; sparse masks). */
export const fbms59Reader: DatasetReader = {
  name: "fbms59",
  detect(root) {
    return SPLITS.some((s) => isDir(join(root, s)));
  },
  sequences(root) {
    const out: string[] = [];
    for (const s of SPLITS) if (isDir(join(root, s))) out.push(...listDirs(join(root, s)));
    if (out.length === 0 && !SPLITS.some((s) => isDir(join(root, s)))) {
      throw new Error(
        `Cannot list fbms59 dataset "${root}": missing folder "Trainingset" or "Testset"`,
      );
    }
    return [...new Set(out)];
  },
  count(root, seq) {
    const dir = seqDir(root, seq);
    const gt = join(dir, "GroundTruth");
    return { frames: listImages(dir).length, annotated: isDir(gt) ? listImages(gt).length : 0 };
  },
  async load(root: string, seq: string, opts: LoadOptions = {}): Promise<Sequence> {
    const what = `fbms59 sequence "${seq}"`;
    const dir = seqDir(root, seq);
    const gtDir = join(dir, "GroundTruth");
    requireDir(gtDir, what, root);
    const all = listImages(dir);
    if (all.length === 0) throw new Error(`Cannot load ${what}: no frames in "${dir}"`);
    const index = new Map<number, number>();
    all.forEach((n, t) => {
      const k = frameNumber(n);
      if (k === null) {
        throw new Error(`Cannot load ${what}: frame file "${join(dir, n)}" has no frame number`);
      }
      if (index.has(k)) {
        throw new Error(`Cannot load ${what}: two frames numbered ${k} in "${dir}"`);
      }
      index.set(k, t);
    });
    const gtFor = new Map<number, string>();
    for (const g of listImages(gtDir)) {
      const k = frameNumber(g);
      const t = k === null ? undefined : index.get(k);
      if (t === undefined) {
        throw new Error(`Cannot load ${what}: ground truth "${join(gtDir, g)}" matches no frame`);
      }
      gtFor.set(t, g);
    }
    if (gtFor.size === 0) throw new Error(`Cannot load ${what}: no ground truth in "${gtDir}"`);
    const fn = clip(all, opts);
    const { frames, native } = await readFrames(dir, fn, opts);
    const masks: (LabelImage | null)[] = [];
    for (let t = 0; t < fn.length; t++) {
      const g = gtFor.get(t);
      if (!g) {
        masks.push(null);
        continue;
      }
      const path = join(gtDir, g);
      const img = await readImage(path);
      checkSameSize(native, img, path, join(dir, fn[t]));
      masks.push(maybeResizeMask(fbmsForeground(img), opts));
    }
    const { width, height } = frames[0];
    return { dataset: "fbms59", name: seq, width, height, frames, masks };
  },
};
