/**
 * Temporal smoothing of track coordinates for the trajectory loss.
 * @module
 */

/**
 * Moving average of each track's coordinates along time over `window` frames (default 11,
 * centred), the window truncated at the sequence ends (the average shrinks to the frames that
 * exist). Track-major layout as in `motion/types.ts` Tracks.xy: `xy[2 * (n * numFrames + t)]`.
 * Returns a new array; O(N·T) with running sums.
 */
export function smoothTracks(
  xy: Float32Array,
  numTracks: number,
  numFrames: number,
  window = 11,
): Float32Array {
  if (xy.length !== 2 * numTracks * numFrames) {
    throw new RangeError(
      `learn/losses/smooth.ts: xy has ${xy.length} values, expected 2·${numTracks}·${numFrames}`,
    );
  }
  if (!(window >= 1) || window % 2 !== 1) {
    throw new RangeError(`learn/losses/smooth.ts: window must be odd and >= 1, got ${window}`);
  }
  const half = (window - 1) / 2;
  const out = new Float32Array(xy.length);
  const csx = new Float64Array(numFrames + 1), csy = new Float64Array(numFrames + 1);
  for (let n = 0; n < numTracks; n++) {
    const o = 2 * n * numFrames;
    for (let t = 0; t < numFrames; t++) {
      csx[t + 1] = csx[t] + xy[o + 2 * t];
      csy[t + 1] = csy[t] + xy[o + 2 * t + 1];
    }
    for (let t = 0; t < numFrames; t++) {
      const lo = Math.max(0, t - half), hi = Math.min(numFrames - 1, t + half);
      const cnt = hi - lo + 1;
      out[o + 2 * t] = (csx[hi + 1] - csx[lo]) / cnt;
      out[o + 2 * t + 1] = (csy[hi + 1] - csy[lo]) / cnt;
    }
  }
  return out;
}
