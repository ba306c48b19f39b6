/**
 * Pyramidal Lucas–Kanade point tracking (Bouguet's KLT) with a forward–backward check.
 * @module
 */

import type { RgbImage } from "../../video/types.ts";
import { toGray } from "../flow/estimator.ts";
import { checkShim, type FlowShim, tryLoadFlowShim } from "../flow/native_shim.ts";
import { loadOpenCvJs } from "../flow/opencv_js.ts";
import type { Tracks } from "../types.ts";
import { propagate } from "./_propagate.ts";
import { checkFrames, type PointTracker, resolveQueries, type TrackOptions } from "./tracker.ts";

/** Options of {@link KltTracker}. */
export interface KltOptions {
  /** Window size (px, default 9: small windows stop at occluders instead of following them). */
  winSize?: number;
  /** Pyramid levels above the base (default 3). */
  maxLevel?: number;
  /** Forward–backward error threshold in px (default 0.5). */
  fbThreshold?: number;
  /** "native" (the shim), "opencv-js", or "auto" (native when built; default). */
  backend?: "auto" | "native" | "opencv-js";
}

type LkFn = (
  a: Uint8Array,
  b: Uint8Array,
  w: number,
  h: number,
  pin: Float32Array,
  m: number,
  pout: Float32Array,
  st: Uint8Array,
) => void;

/**
 * KLT on the same query grid as flow-chain: each frame step tracks all live points t→t±1, then
 * back; a point is kept when both directions report success and it returns within
 * `fbThreshold` px of where it started.
 */
export class KltTracker implements PointTracker {
  readonly name = "klt";
  #opts: Required<KltOptions>;
  constructor(opts: KltOptions = {}) {
    this.#opts = {
      winSize: opts.winSize ?? 9,
      maxLevel: opts.maxLevel ?? 3,
      fbThreshold: opts.fbThreshold ?? 0.5,
      backend: opts.backend ?? "auto",
    };
  }

  async #lk(): Promise<{ lk: LkFn; cleanup: () => void }> {
    const { winSize, maxLevel, backend } = this.#opts;
    const shim = backend === "opencv-js" ? null : tryLoadFlowShim();
    if (shim && "shim" in shim) {
      const s: FlowShim = shim.shim;
      let err = new Float32Array(0);
      return {
        lk: (a, b, w, h, pin, m, pout, st) => {
          if (err.length < m) err = new Float32Array(m);
          checkShim(
            s,
            s.flow_pyrlk(a, b, w, h, pin, m, pout, st, err, winSize, maxLevel, 0),
            "klt",
          );
        },
        cleanup: () => {},
      };
    }
    if (backend === "native") throw new Error(`klt: ${(shim as { error: string }).error}`);
    const { cv } = await loadOpenCvJs();
    return {
      lk: (a, b, w, h, pin, m, pout, st) => {
        const ma = new cv.Mat(h, w, cv.CV_8UC1);
        const mb = new cv.Mat(h, w, cv.CV_8UC1);
        const p0 = new cv.Mat(m, 1, cv.CV_32FC2);
        const p1 = new cv.Mat();
        const status = new cv.Mat();
        const e = new cv.Mat();
        try {
          ma.data.set(a);
          mb.data.set(b);
          p0.data32F.set(pin.subarray(0, 2 * m));
          const crit = new cv.TermCriteria(cv.TermCriteria_COUNT | cv.TermCriteria_EPS, 30, 0.01);
          cv.calcOpticalFlowPyrLK(
            ma,
            mb,
            p0,
            p1,
            status,
            e,
            new cv.Size(winSize, winSize),
            maxLevel,
            crit,
          );
          pout.set(p1.data32F.subarray(0, 2 * m));
          st.set(status.data.subarray(0, m));
        } finally {
          for (const x of [ma, mb, p0, p1, status, e]) x.delete();
        }
      },
      cleanup: () => {},
    };
  }

  async track(frames: RgbImage[], opts: TrackOptions = {}): Promise<Tracks> {
    checkFrames(this.name, frames);
    const { width, height } = frames[0];
    const T = frames.length;
    const queries = resolveQueries(width, height, T, opts);
    const gray = frames.map((f) => toGray(f));
    const { lk, cleanup } = await this.#lk();
    const thr2 = this.#opts.fbThreshold ** 2;
    let p1 = new Float32Array(0);
    let p0b = new Float32Array(0);
    let st1 = new Uint8Array(0);
    let st2 = new Uint8Array(0);
    let done = 0;
    const total = 2 * (T - 1);
    try {
      return await propagate(width, height, T, queries, (from, to, pts, m, out, ok) => {
        if (p1.length < 2 * m) {
          p1 = new Float32Array(2 * m);
          p0b = new Float32Array(2 * m);
          st1 = new Uint8Array(m);
          st2 = new Uint8Array(m);
        }
        lk(gray[from], gray[to], width, height, pts, m, p1, st1);
        lk(gray[to], gray[from], width, height, p1, m, p0b, st2);
        for (let a = 0; a < m; a++) {
          out[2 * a] = p1[2 * a];
          out[2 * a + 1] = p1[2 * a + 1];
          const dx = p0b[2 * a] - pts[2 * a];
          const dy = p0b[2 * a + 1] - pts[2 * a + 1];
          ok[a] = st1[a] && st2[a] && dx * dx + dy * dy < thr2 ? 1 : 0;
        }
      }, () => opts.onProgress?.(++done, total));
    } finally {
      cleanup();
    }
  }

  dispose(): void {}
}
