/**
 * The oracle "estimator": returns known flow (e.g. the synthetic generator's exact flow).
 * @module
 */

import type { RgbImage } from "../../video/types.ts";
import type { FlowField } from "../types.ts";
import type { FlowEstimator, FramePair } from "./estimator.ts";

/** Looks up the exact flow from frame `from` to frame `to` (to = from ± gap). */
export type GtFlowLookup = (from: number, to: number) => FlowField | Promise<FlowField>;

/**
 * Ground-truth flow. `estimate(a, b, pair)` ignores the images and returns `lookup(pair.from,
 * pair.to)`; calling it without `pair` is an error (use `computeSequenceFlow`, which passes it).
 *
 * @example
 * ```ts
 * const gt = new GtFlow((from, to) => synthetic.flow(from, to));
 * ```
 */
export class GtFlow implements FlowEstimator {
  readonly name = "gt";
  #lookup: GtFlowLookup | null;
  constructor(lookup: GtFlowLookup) {
    this.#lookup = lookup;
  }
  async estimate(a: RgbImage, _b: RgbImage, pair?: FramePair): Promise<FlowField> {
    if (!this.#lookup) throw new Error("gt: estimate() after dispose()");
    if (!pair) {
      throw new TypeError("gt: estimate() needs the frame pair {from, to} to look up the flow");
    }
    const f = await this.#lookup(pair.from, pair.to);
    if (f.width !== a.width || f.height !== a.height || f.uv.length !== 2 * f.width * f.height) {
      throw new RangeError(
        `gt: flow ${pair.from}→${pair.to} is ${f.width}×${f.height}, frames are ${a.width}×${a.height}`,
      );
    }
    return f;
  }
  dispose(): void {
    this.#lookup = null;
  }
}
