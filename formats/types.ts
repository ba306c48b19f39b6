/**
 * The data types every layer shares (the ground floor: formats read and write them, video,
 * motion, learning and evaluation compute on them).
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

/**
 * A dense optical-flow field: `uv[2 * (y * width + x)]` is u (pixels, +x right),
 * `uv[2 * (y * width + x) + 1]` is v (pixels, +y down). Maps frame t to frame t + gap.
 */
export interface FlowField {
  width: number;
  height: number;
  uv: Float32Array;
}

/**
 * Point trajectories over a whole sequence of `numFrames` frames.
 *
 * Track-major layout: the position of track n at frame t is
 * `xy[2 * (n * numFrames + t)]`, `xy[2 * (n * numFrames + t) + 1]` (absolute pixels of the
 * frame the tracks were computed at, `width` × `height`). `visible[n * numFrames + t]` is 1 when
 * the point is visible at t, 0 when occluded or out of frame (the position is then the tracker's
 * estimate or the last known one). `queryFrame[n]` is the frame the track was seeded at.
 */
export interface Tracks {
  width: number;
  height: number;
  numTracks: number;
  numFrames: number;
  queryFrame: Int32Array;
  xy: Float32Array;
  visible: Uint8Array;
}
