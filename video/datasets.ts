/**
 * Dataset registry: find which datasets exist under a folder and open one by name.
 *
 * @example
 * ```ts
 * const davis = openDataset("davis2016", "../shared/data");
 * const seq = await davis.load(davis.sequences()[0], { resize: { width: 256, height: 144 } });
 * ```
 * @module
 */

import { join } from "node:path";
import type { LoadOptions } from "./readers/_common.ts";
import { isDir, listDirs } from "./readers/_common.ts";
import { davis2016Reader, syntheticReader } from "./readers/davis.ts";
import { fbms59Reader } from "./readers/fbms.ts";
import type { DatasetName, DatasetReader } from "./readers/reader.ts";
import { segtrackv2Reader } from "./readers/segtrack.ts";
import type { Sequence } from "./types.ts";

export type { DatasetName, DatasetReader, LoadOptions };

/** All readers, by dataset name. */
export const READERS: Record<DatasetName, DatasetReader> = {
  davis2016: davis2016Reader,
  segtrackv2: segtrackv2Reader,
  fbms59: fbms59Reader,
  synthetic: syntheticReader,
};

/** Folder names tried under a parent folder for each dataset. */
export const ALIASES: Record<DatasetName, string[]> = {
  davis2016: ["davis2016", "DAVIS2016", "DAVIS", "davis"],
  segtrackv2: ["segtrackv2", "SegTrackv2", "SegTrackV2"],
  fbms59: ["fbms59", "FBMS59", "FBMS", "fbms"],
  synthetic: ["synthetic"],
};

/** What {@link listDatasets} found. */
export interface DatasetInfo {
  name: DatasetName;
  /** The dataset's own folder. */
  path: string;
  sequences: { name: string; frames: number; annotated: number }[];
}

/** An opened dataset. */
export interface Dataset {
  name: DatasetName;
  /** The dataset's own folder. */
  path: string;
  /** Sequence names, naturally sorted. */
  sequences(): string[];
  /** Load one sequence (frames and masks; `null` masks where a frame is not annotated). */
  load(seq: string, opts?: LoadOptions): Promise<Sequence>;
}

function isName(name: string): name is DatasetName {
  return Object.hasOwn(READERS, name);
}

/**
 * Find the datasets in `root` itself and in its immediate sub-folders (any folder name; the
 * layout decides). Sorted by path.
 */
export function listDatasets(root: string): Promise<DatasetInfo[]> {
  if (!isDir(root)) {
    return Promise.reject(new Error(`Cannot list datasets: missing folder "${root}"`));
  }
  const candidates = [root, ...listDirs(root).map((d) => join(root, d))];
  const out: DatasetInfo[] = [];
  for (const path of candidates) {
    for (const reader of Object.values(READERS)) {
      if (!reader.detect(path)) continue;
      const sequences = reader.sequences(path).map((name) => ({
        name,
        ...reader.count(path, name),
      }));
      out.push({ name: reader.name, path, sequences });
    }
  }
  return Promise.resolve(out.sort((a, b) => a.path.localeCompare(b.path)));
}

/**
 * Open dataset `name` at `root`: either the dataset's own folder, or a parent folder holding it
 * under a usual name (e.g. `davis2016`, `DAVIS`). Throws naming what was tried.
 */
export function openDataset(name: DatasetName | string, root: string): Dataset {
  if (!isName(name)) {
    throw new RangeError(`Unknown dataset "${name}" (known: ${Object.keys(READERS).join(", ")})`);
  }
  const reader = READERS[name];
  const tried = [root, ...ALIASES[name].map((a) => join(root, a))];
  const path = tried.find((p) => reader.detect(p));
  if (!path) {
    throw new Error(
      `Cannot open dataset ${name}: no ${name} layout in ${tried.map((p) => `"${p}"`).join(", ")}`,
    );
  }
  return {
    name,
    path,
    sequences: () => reader.sequences(path),
    load: (seq, opts) => reader.load(path, seq, opts),
  };
}
