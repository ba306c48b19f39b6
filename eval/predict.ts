/**
 * Running a trained segmenter over the frames of a sequence.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { RgbImage } from "../video/types.ts";
import type { Segmenter } from "../learn/net/types.ts";
import { resizeImage } from "../learn/train/resize.ts";
import type { MaskStack } from "./merge.ts";

/** Options of {@link predictMasks}. */
export interface PredictOptions {
  /** Frames per forward pass (8). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Soft masks of every frame at the network resolution: one `[H, W, K]` Float32Array per frame
 * (frames of another size are resized bilinearly to the network input first).
 */
export async function predictMasks(
  model: Segmenter,
  frames: RgbImage[],
  opts: PredictOptions = {},
): Promise<Float32Array[]> {
  const bs = opts.batchSize ?? 8;
  if (!Number.isInteger(bs) || bs < 1) {
    throw new RangeError(`predictMasks: batchSize must be a positive integer, got ${bs}`);
  }
  const { inputHeight: H, inputWidth: W, k: K } = model.config;
  const out: Float32Array[] = [];
  for (let start = 0; start < frames.length; start += bs) {
    const chunk = frames.slice(start, start + bs);
    const buf = new Float32Array(chunk.length * H * W * 3);
    chunk.forEach((f, i) => {
      if (f.data.length !== f.width * f.height * 3) {
        throw new RangeError(`predictMasks: frame ${start + i} is not a valid RGB image`);
      }
      const px = f.width === W && f.height === H
        ? f.data
        : resizeImage(f.data, f.height, f.width, 3, H, W);
      const o = i * H * W * 3;
      for (let j = 0; j < H * W * 3; j++) buf[o + j] = px[j] / 255;
    });
    const x = tf.tensor4d(buf, [chunk.length, H, W, 3]);
    const y = model.predict(x);
    x.dispose();
    const data = (await y.data()) as Float32Array;
    y.dispose();
    for (let i = 0; i < chunk.length; i++) {
      out.push(data.slice(i * H * W * K, (i + 1) * H * W * K));
    }
    opts.onProgress?.(Math.min(start + bs, frames.length), frames.length);
  }
  return out;
}

/** Wrap one predicted frame as a {@link MaskStack} for the merge and overlay helpers. */
export function asMaskStack(model: Segmenter, data: Float32Array): MaskStack {
  const { inputHeight: height, inputWidth: width, k } = model.config;
  if (data.length !== height * width * k) {
    throw new RangeError(`asMaskStack: ${data.length} values for [${height},${width},${k}]`);
  }
  return { width, height, k, data };
}
