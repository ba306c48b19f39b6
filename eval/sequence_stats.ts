/**
 * Predicting a sequence with the network normalised by that sequence's own batch-norm statistics
 * (`eval.normStats = sequence`; why: learn/net/norm_stats.ts). The statistics come from at most
 * {@link STATS_FRAMES} frames spread evenly over the sequence, in one forward pass.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Segmenter } from "../learn/net/types.ts";
import type { RgbImage } from "../video/types.ts";
import { adoptBatchStatistics } from "../learn/net/norm_stats.ts";
import { resizeImage } from "../learn/train/resize.ts";

/** Frames of a sequence the statistics are taken from (evenly spaced; all when fewer). */
export const STATS_FRAMES = 32;

/** Up to `n` indices in [0, length), evenly spaced, first and last included. */
export function evenlySpaced(length: number, n: number): number[] {
  if (length <= n) return Array.from({ length }, (_, i) => i);
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - 1)) / (n - 1)));
}

/**
 * Normalise `net` by the batch statistics of `frames` (all of one sequence) until the returned
 * function restores its running statistics. A network without batch norm is left as it is.
 */
export function useSequenceStatistics(
  net: Segmenter,
  frames: RgbImage[],
  maxFrames = STATS_FRAMES,
): () => void {
  if (!frames.length) throw new RangeError("useSequenceStatistics: no frames");
  const { inputHeight: H, inputWidth: W } = net.config;
  const picked = evenlySpaced(frames.length, maxFrames).map((t) => frames[t]);
  const size = H * W * 3;
  const buf = new Float32Array(picked.length * size);
  picked.forEach((f, i) => {
    const px = f.width === W && f.height === H
      ? f.data
      : resizeImage(f.data, f.height, f.width, 3, H, W);
    for (let j = 0; j < size; j++) buf[i * size + j] = px[j] / 255;
  });
  const x = tf.tensor4d(buf, [picked.length, H, W, 3]);
  try {
    const before = adoptBatchStatistics(net, x);
    return () => before && net.setWeights(before);
  } finally {
    x.dispose();
  }
}
