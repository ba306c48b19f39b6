/**
 * DAVIS-2016 (`JPEGImages/480p/<seq>/*.jpg`, `Annotations/480p/<seq>/*.png`, masks 0/255 → 0/1)
 * and the project's synthetic layout (same folders, PNG frames, instance-id masks kept as is,
 * `meta.json` at the root).
 * @module
 */

import { join } from "node:path";
import type { Sequence } from "../types.ts";
import {
  checkSameSize,
  clip,
  isDir,
  isFile,
  listDirs,
  listImages,
  type LoadOptions,
  mapLabel,
  maybeResizeMask,
  readFrames,
  readMaskGrey,
  requireDir,
} from "./_common.ts";
import type { DatasetName, DatasetReader } from "./reader.ts";

function davisLike(name: DatasetName, binary: boolean): DatasetReader {
  const imgDir = (root: string, seq?: string) =>
    join(root, "JPEGImages", "480p", ...(seq ? [seq] : []));
  const annDir = (root: string, seq?: string) =>
    join(root, "Annotations", "480p", ...(seq ? [seq] : []));
  const hasMeta = (root: string) => isFile(join(root, "meta.json"));
  return {
    name,
    detect(root) {
      return isDir(imgDir(root)) && isDir(annDir(root)) && hasMeta(root) === !binary;
    },
    sequences(root) {
      requireDir(imgDir(root), `${name} dataset "${root}"`);
      return listDirs(imgDir(root));
    },
    count(root, seq) {
      const frames = isDir(imgDir(root, seq)) ? listImages(imgDir(root, seq)).length : 0;
      const annotated = isDir(annDir(root, seq)) ? listImages(annDir(root, seq)).length : 0;
      return { frames, annotated };
    },
    async load(root: string, seq: string, opts: LoadOptions = {}): Promise<Sequence> {
      const what = `${name} sequence "${seq}"`;
      const fdir = imgDir(root, seq), mdir = annDir(root, seq);
      requireDir(fdir, what, root);
      requireDir(mdir, what, root);
      const frameNames = listImages(fdir);
      const maskNames = listImages(mdir);
      if (frameNames.length === 0) throw new Error(`Cannot load ${what}: no frames in "${fdir}"`);
      if (frameNames.length !== maskNames.length) {
        throw new Error(
          `Cannot load ${what}: ${frameNames.length} frames in "${fdir}" but ${maskNames.length} masks in "${mdir}"`,
        );
      }
      const fn = clip(frameNames, opts), mn = clip(maskNames, opts);
      const { frames, native } = await readFrames(fdir, fn, opts);
      const masks = [];
      for (let t = 0; t < mn.length; t++) {
        const mpath = join(mdir, mn[t]);
        const raw = await readMaskGrey(mpath);
        checkSameSize(native, raw, mpath, join(fdir, fn[t]));
        masks.push(maybeResizeMask(binary ? mapLabel(raw, (v) => (v >= 128 ? 1 : 0)) : raw, opts));
      }
      const { width, height } = frames[0];
      return { dataset: name, name: seq, width, height, frames, masks };
    },
  };
}

/** DAVIS-2016 reader: binary masks (0/255 → 0/1). */
export const davis2016Reader: DatasetReader = davisLike("davis2016", true);

/** Reader of the project's synthetic datasets (see `video/synthetic/write.ts`). */
export const syntheticReader: DatasetReader = davisLike("synthetic", false);
