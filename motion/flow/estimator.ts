/**
 * The one interface every optical-flow estimator implements.
 * @module
 */

import type { RgbImage } from "../../video/types.ts";
import type { FlowField } from "../types.ts";

/** Which frames of a sequence a pair is; oracle estimators need it, others ignore it. */
export interface FramePair {
  /** Index of the source frame `a`. */
  from: number;
  /** Index of the target frame `b` (`from + gap`, or `from − gap` for backward flow). */
  to: number;
}

/**
 * A dense optical-flow estimator: `estimate(a, b)` returns the flow that maps each pixel of `a`
 * to its position in `b` (same size as `a`). Implementations free their native resources in
 * `dispose()`; estimating after `dispose()` throws.
 */
export interface FlowEstimator {
  /** Stable name including the settings that change results, e.g. `dis-medium`. */
  readonly name: string;
  /** Flow from `a` to `b`. `pair` identifies the frames (needed by the `gt` oracle only). */
  estimate(a: RgbImage, b: RgbImage, pair?: FramePair): Promise<FlowField>;
  /** Release native memory. */
  dispose(): void;
}

/** Names accepted by `createFlowEstimator`. */
export type FlowEstimatorName = "farneback" | "dis" | "tvl1" | "farneback-native" | "gt";

/** Check that two frames can be paired. */
export function checkPair(name: string, a: RgbImage, b: RgbImage): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(
      `${name}: frames differ in size (${a.width}×${a.height} vs ${b.width}×${b.height})`,
    );
  }
  if (a.data.length !== a.width * a.height * 3 || b.data.length !== b.width * b.height * 3) {
    throw new RangeError(`${name}: RgbImage data length is not width × height × 3`);
  }
}

/** Grey value of an RGB image (BT.601 weights, like OpenCV's RGB2GRAY), rounded to 8 bits. */
export function toGray(img: RgbImage, out?: Uint8Array): Uint8Array {
  const n = img.width * img.height;
  const g = out ?? new Uint8Array(n);
  const d = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    g[i] = (d[j] * 4899 + d[j + 1] * 9617 + d[j + 2] * 1868 + 8192) >> 14;
  }
  return g;
}
