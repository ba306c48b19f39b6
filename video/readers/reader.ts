/**
 * The interface every dataset reader implements.
 * @module
 */

import type { Sequence } from "../types.ts";
import type { LoadOptions } from "./_common.ts";

/** Names of the supported dataset layouts. */
export type DatasetName = "davis2016" | "segtrackv2" | "fbms59" | "synthetic";

/** A reader of one on-disk layout. `root` is the dataset's own folder. */
export interface DatasetReader {
  name: DatasetName;
  /** True when `root` looks like this layout. */
  detect(root: string): boolean;
  /** Sequence names, naturally sorted. */
  sequences(root: string): string[];
  /** Number of frames of a sequence and how many of them are annotated (cheap: lists files). */
  count(root: string, seq: string): { frames: number; annotated: number };
  /** Load a sequence with its masks. */
  load(root: string, seq: string, opts?: LoadOptions): Promise<Sequence>;
}
