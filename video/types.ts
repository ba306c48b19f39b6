/**
 * In-memory video data shared by every stage: frames, masks and their provenance.
 *
 * Pixels are row-major, top-left origin; x grows right, y grows down (image convention).
 * @module
 */

/** An RGB image, 8 bits per channel, interleaved (`data.length === width * height * 3`). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * A label image: one byte per pixel. 0 is background; 1…n are object instances.
 * Binary benchmarks (DAVIS-2016) use 0/1 after reading.
 */
export interface LabelImage {
  width: number;
  height: number;
  data: Uint8Array;
}

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
