/**
 * Native OpenCV flow estimators (DIS, Farneback, TV-L1) through the C shim.
 * @module
 */

import type { RgbImage } from "../../video/types.ts";
import type { FlowField } from "../types.ts";
import { checkPair, type FlowEstimator, toGray } from "./estimator.ts";
import { type FarnebackOptions, type FarnebackParams, farnebackParams } from "./farneback.ts";
import { checkShim, type FlowShim, loadFlowShim } from "./native_shim.ts";

/** DIS presets (OpenCV's PRESET_ULTRAFAST, PRESET_FAST, PRESET_MEDIUM). */
export type DisPreset = "ultrafast" | "fast" | "medium";

const PRESET_CODE: Record<DisPreset, number> = { ultrafast: 0, fast: 1, medium: 2 };

abstract class NativeFlow implements FlowEstimator {
  abstract readonly name: string;
  protected shim: FlowShim;
  #disposed = false;
  #ga = new Uint8Array(0);
  #gb = new Uint8Array(0);

  constructor() {
    this.shim = loadFlowShim();
  }

  protected abstract run(
    a: Uint8Array,
    b: Uint8Array,
    w: number,
    h: number,
    out: Float32Array,
  ): number;

  estimate(a: RgbImage, b: RgbImage): Promise<FlowField> {
    if (this.#disposed) throw new Error(`${this.name}: estimate() after dispose()`);
    checkPair(this.name, a, b);
    const { width, height } = a;
    const n = width * height;
    if (this.#ga.length !== n) {
      this.#ga = new Uint8Array(n);
      this.#gb = new Uint8Array(n);
    }
    toGray(a, this.#ga);
    toGray(b, this.#gb);
    const uv = new Float32Array(2 * n);
    checkShim(this.shim, this.run(this.#ga, this.#gb, width, height, uv), this.name);
    return Promise.resolve({ width, height, uv });
  }

  dispose(): void {
    this.#disposed = true;
    this.#ga = new Uint8Array(0);
    this.#gb = new Uint8Array(0);
  }
}

/** Options of {@link DisFlow}. */
export interface DisOptions {
  /** OpenCV preset (default medium). */
  preset?: DisPreset;
  /**
   * Finest pyramid level the patches are matched at: 0 = the frames' own resolution, 1 = half
   * (each level halves). Default: the preset's (medium: 1, so 854×480 frames are matched at
   * 427×240 and the field upsampled).
   */
  finestScale?: number;
}

/** Dense Inverse Search flow (Kroeger et al. 2016), OpenCV's implementation. */
export class DisFlow extends NativeFlow {
  readonly name: string;
  readonly #preset: number;
  readonly #finestScale: number;
  /** Throws (with build instructions) when the native shim is not built. */
  constructor(opts: DisOptions = {}) {
    super();
    const preset = opts.preset ?? "medium";
    if (!(preset in PRESET_CODE)) {
      throw new RangeError(`dis: unknown preset "${preset}" (ultrafast, fast, medium)`);
    }
    const finest = opts.finestScale ?? -1;
    if (!Number.isInteger(finest) || finest < -1) {
      throw new RangeError(`dis: finestScale must be an integer ≥ 0 (or -1: the preset's)`);
    }
    this.#preset = PRESET_CODE[preset];
    this.#finestScale = finest;
    this.name = finest >= 0 ? `dis-${preset}-s${finest}` : `dis-${preset}`;
  }
  protected run(a: Uint8Array, b: Uint8Array, w: number, h: number, out: Float32Array): number {
    return this.shim.flow_dis(a, b, w, h, this.#preset, this.#finestScale, out);
  }
}

/** Native OpenCV Farneback (the speed/accuracy reference for the OpenCV.js one). */
export class NativeFarnebackFlow extends NativeFlow {
  readonly name = "farneback-native";
  readonly #p: FarnebackParams;
  constructor(opts: FarnebackOptions = {}) {
    super();
    this.#p = farnebackParams(opts);
  }
  protected run(a: Uint8Array, b: Uint8Array, w: number, h: number, out: Float32Array): number {
    const p = this.#p;
    return this.shim.flow_farneback(
      a,
      b,
      w,
      h,
      p.pyrScale,
      p.levels,
      p.winsize,
      p.iterations,
      p.polyN,
      p.polySigma,
      p.gaussian ? 256 : 0, // cv::OPTFLOW_FARNEBACK_GAUSSIAN
      out,
    );
  }
}

/** TV-L1 flow (Zach et al. 2007) from opencv_contrib's optflow module; slow (~5 s at 480p). */
export class Tvl1Flow extends NativeFlow {
  readonly name = "tvl1";
  constructor() {
    super();
    if (this.shim.flow_has_tvl1() !== 1) {
      throw new Error(
        "tvl1: the native flow shim was built without opencv_optflow; " +
          "apt-get install -y libopencv-contrib-dev, then bash native/build.sh",
      );
    }
  }
  protected run(a: Uint8Array, b: Uint8Array, w: number, h: number, out: Float32Array): number {
    return this.shim.flow_tvl1(a, b, w, h, out);
  }
}
