/**
 * Farneback dense optical flow through OpenCV.js (portable: WebAssembly, no native library).
 * @module
 */

import type { RgbImage } from "../../video/types.ts";
import type { FlowField } from "../types.ts";
import { checkPair, type FlowEstimator, toGray } from "./estimator.ts";
import { loadOpenCvJs } from "./opencv_js.ts";

/** Farneback parameters (OpenCV's names). */
export interface FarnebackOptions {
  /** Pyramid scale (< 1). Default 0.5. */
  pyrScale?: number;
  /** Pyramid levels. Default 5 (large motions at 480p). */
  levels?: number;
  /** Averaging window. Default 15. */
  winsize?: number;
  /** Iterations per level. Default 3. */
  iterations?: number;
  /** Polynomial neighbourhood. Default 5. */
  polyN?: number;
  /** Polynomial Gaussian sigma. Default 1.2. */
  polySigma?: number;
  /** Use a Gaussian window instead of a box (OPTFLOW_FARNEBACK_GAUSSIAN). Default false. */
  gaussian?: boolean;
}

/** Resolved Farneback parameters. */
export type FarnebackParams = Required<FarnebackOptions>;

/** Fill Farneback defaults and validate. */
export function farnebackParams(opts: FarnebackOptions = {}): FarnebackParams {
  const p: FarnebackParams = {
    pyrScale: opts.pyrScale ?? 0.5,
    levels: opts.levels ?? 5,
    winsize: opts.winsize ?? 15,
    iterations: opts.iterations ?? 3,
    polyN: opts.polyN ?? 5,
    polySigma: opts.polySigma ?? 1.2,
    gaussian: opts.gaussian ?? false,
  };
  if (!(p.pyrScale > 0 && p.pyrScale < 1)) {
    throw new RangeError(`farneback: pyrScale must be in (0, 1), got ${p.pyrScale}`);
  }
  for (const k of ["levels", "winsize", "iterations", "polyN"] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 1) {
      throw new RangeError(`farneback: ${k} must be a positive integer, got ${p[k]}`);
    }
  }
  return p;
}

/** Farneback flow on OpenCV.js. Create with {@link FarnebackFlow.create}. */
export class FarnebackFlow implements FlowEstimator {
  readonly name: string;
  #params: FarnebackParams;
  #disposed = false;

  private constructor(params: FarnebackParams) {
    this.#params = params;
    this.name = "farneback";
  }

  /** Load OpenCV.js (once per process) and build the estimator. */
  static async create(opts: FarnebackOptions = {}): Promise<FarnebackFlow> {
    const params = farnebackParams(opts);
    await loadOpenCvJs();
    return new FarnebackFlow(params);
  }

  async estimate(a: RgbImage, b: RgbImage): Promise<FlowField> {
    if (this.#disposed) throw new Error("farneback: estimate() after dispose()");
    checkPair(this.name, a, b);
    const { cv } = await loadOpenCvJs();
    const { width, height } = a;
    const p = this.#params;
    const ma = new cv.Mat(height, width, cv.CV_8UC1);
    const mb = new cv.Mat(height, width, cv.CV_8UC1);
    const flow = new cv.Mat();
    try {
      toGray(a, ma.data);
      toGray(b, mb.data);
      cv.calcOpticalFlowFarneback(
        ma,
        mb,
        flow,
        p.pyrScale,
        p.levels,
        p.winsize,
        p.iterations,
        p.polyN,
        p.polySigma,
        p.gaussian ? cv.OPTFLOW_FARNEBACK_GAUSSIAN : 0,
      );
      const uv = new Float32Array(width * height * 2);
      uv.set(flow.data32F.subarray(0, uv.length));
      return { width, height, uv };
    } finally {
      ma.delete();
      mb.delete();
      flow.delete();
    }
  }

  dispose(): void {
    this.#disposed = true;
  }
}
