/**
 * SegTrackv2: `JPEGImages/<seq>/*` frames and `GroundTruth/<seq>/*` masks, or, for sequences with
 * several objects, `GroundTruth/<seq>/<object>/*`. Objects are merged into one foreground
 * (mask value > 127 in any object → 1). Masks are matched to frames by sorted order.
 * @module
 */

import { join } from "node:path";
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
  readMaskGrey,
  requireDir,
} from "./_common.ts";
import type { DatasetReader } from "./reader.ts";

function objectDirs(gtDir: string): string[] {
  const files = listImages(gtDir);
  if (files.length > 0) return [gtDir];
  return listDirs(gtDir).map((d) => join(gtDir, d));
}

/** SegTrackv2 reader (objects merged into one foreground). */
export const segtrackv2Reader: DatasetReader = {
  name: "segtrackv2",
  detect(root) {
    return isDir(join(root, "JPEGImages")) && isDir(join(root, "GroundTruth")) &&
      !isDir(join(root, "JPEGImages", "480p"));
  },
  sequences(root) {
    requireDir(join(root, "JPEGImages"), `segtrackv2 dataset "${root}"`);
    return listDirs(join(root, "JPEGImages"));
  },
  count(root, seq) {
    const fdir = join(root, "JPEGImages", seq), gdir = join(root, "GroundTruth", seq);
    const frames = isDir(fdir) ? listImages(fdir).length : 0;
    const dirs = isDir(gdir) ? objectDirs(gdir) : [];
    return {
      frames,
      annotated: dirs.length ? Math.min(...dirs.map((d) => listImages(d).length)) : 0,
    };
  },
  async load(root: string, seq: string, opts: LoadOptions = {}): Promise<Sequence> {
    const what = `segtrackv2 sequence "${seq}"`;
    const fdir = join(root, "JPEGImages", seq), gdir = join(root, "GroundTruth", seq);
    requireDir(fdir, what, root);
    requireDir(gdir, what, root);
    const frameNames = listImages(fdir);
    if (frameNames.length === 0) throw new Error(`Cannot load ${what}: no frames in "${fdir}"`);
    const objs = objectDirs(gdir);
    if (objs.length === 0) throw new Error(`Cannot load ${what}: no masks in "${gdir}"`);
    const perObject = objs.map((d) => {
      const names = listImages(d);
      if (names.length !== frameNames.length) {
        throw new Error(
          `Cannot load ${what}: ${frameNames.length} frames in "${fdir}" but ${names.length} masks in "${d}"`,
        );
      }
      return clip(names, opts);
    });
    const fn = clip(frameNames, opts);
    const { frames, native } = await readFrames(fdir, fn, opts);
    const masks: LabelImage[] = [];
    for (let t = 0; t < fn.length; t++) {
      const merged = new Uint8Array(native.width * native.height);
      for (let k = 0; k < objs.length; k++) {
        const mpath = join(objs[k], perObject[k][t]);
        const m = await readMaskGrey(mpath);
        checkSameSize(native, m, mpath, join(fdir, fn[t]));
        for (let i = 0; i < merged.length; i++) if (m.data[i] > 127) merged[i] = 1;
      }
      masks.push(
        maybeResizeMask({ width: native.width, height: native.height, data: merged }, opts),
      );
    }
    const { width, height } = frames[0];
    return { dataset: "segtrackv2", name: seq, width, height, frames, masks };
  },
};
