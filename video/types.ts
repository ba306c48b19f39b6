/**
 * In-memory video data shared by every stage: frames, masks and their provenance.
 *
 * Pixels are row-major, top-left origin; x grows right, y grows down (image convention).
 * @module
 */

export type { LabelImage, RgbImage } from "../formats/types.ts";
import type { LabelImage, RgbImage } from "../formats/types.ts";

/** A video sequence with optional ground-truth masks (sparse for FBMS). */
export interface Sequence {
  /** Dataset name, e.g. `synthetic`, `davis2016`, `fbms59`. */
  dataset: string;
  /** Sequence name, e.g. `blackswan`. */
  name: string;
  width: number;
  height: number;
  frames: RgbImage[];
  /** `masks[t]` is the ground truth of frame t, or `null` where the frame is not annotated. */
  masks: (LabelImage | null)[];
}
