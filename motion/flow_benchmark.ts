/**
 * Evaluate flow estimators on ground-truth pairs laid out like MPI-Sintel's training set:
 * `<scene>/frame_NNNN.png`, `<scene>/gt/frame_NNNN.flo` (flow NNNN → NNNN+1) and optionally
 * `<scene>/gt/invalid/frame_NNNN.png` (nonzero = pixel not scored).
 * @module
 */

import { readFlo } from "../formats/flo.ts";
import { readGrey, readRgb } from "../formats/image.ts";
import type { RgbImage } from "../video/types.ts";
import type { FlowEstimator } from "./flow/estimator.ts";
import { flowError, type FlowErrorStats } from "./flow_metrics.ts";
import type { FlowField } from "./types.ts";

/** One ground-truth flow pair. */
export interface FlowGtPair {
  /** `scene/frame_NNNN`. */
  name: string;
  a: RgbImage;
  b: RgbImage;
  gt: FlowField;
  /** 1 = scored. */
  valid: Uint8Array;
}

function pad4(n: number): string {
  return String(n).padStart(4, "0");
}

/** Load every pair with a `.flo` ground truth under `root/<scene>/gt/` (sorted by name). */
export async function loadSintelLikePairs(root: string): Promise<FlowGtPair[]> {
  const scenes: string[] = [];
  for await (const e of Deno.readDir(root)) if (e.isDirectory) scenes.push(e.name);
  scenes.sort();
  const pairs: FlowGtPair[] = [];
  for (const scene of scenes) {
    const gtDir = `${root}/${scene}/gt`;
    let files: string[];
    try {
      files = [];
      for await (const e of Deno.readDir(gtDir)) if (e.name.endsWith(".flo")) files.push(e.name);
    } catch {
      continue; // a scene without ground truth is not a pair
    }
    files.sort();
    for (const f of files) {
      const m = /^frame_(\d+)\.flo$/.exec(f);
      if (!m) continue;
      const i = Number(m[1]);
      const a = await readRgb(`${root}/${scene}/frame_${pad4(i)}.png`);
      const b = await readRgb(`${root}/${scene}/frame_${pad4(i + 1)}.png`);
      const gt = await readFlo(`${gtDir}/${f}`);
      if (gt.width !== a.width || gt.height !== a.height) {
        throw new RangeError(
          `Cannot use "${gtDir}/${f}": flow is ${gt.width}×${gt.height}, frames ${a.width}×${a.height}`,
        );
      }
      const valid = new Uint8Array(a.width * a.height).fill(1);
      const invPath = `${gtDir}/invalid/frame_${pad4(i)}.png`;
      try {
        await Deno.stat(invPath);
        const inv = await readGrey(invPath);
        for (let p = 0; p < valid.length; p++) if (inv.data[p]) valid[p] = 0;
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
      pairs.push({ name: `${scene}/frame_${pad4(i)}`, a, b, gt, valid });
    }
  }
  return pairs;
}

/** Per-pair and summary results of {@link evaluateFlow}. */
export interface FlowBenchmarkResult {
  estimator: string;
  perPair: (FlowErrorStats & { name: string; ms: number })[];
  /** Mean over pairs of the per-pair mean EPE (each pair weighs the same). */
  meanEpe: number;
  /** Mean over pairs of the per-pair shares. */
  within1: number;
  within3: number;
  within5: number;
  /** Median estimation time per pair (ms). */
  medianMs: number;
}

/** Run `est` on every pair and score it. */
export async function evaluateFlow(
  est: FlowEstimator,
  pairs: FlowGtPair[],
  onProgress?: (done: number, total: number) => void,
): Promise<FlowBenchmarkResult> {
  const perPair: FlowBenchmarkResult["perPair"] = [];
  for (const [i, p] of pairs.entries()) {
    const t0 = performance.now();
    const f = await est.estimate(p.a, p.b);
    const ms = performance.now() - t0;
    perPair.push({ name: p.name, ms, ...flowError(f, p.gt, { valid: p.valid }) });
    onProgress?.(i + 1, pairs.length);
  }
  const mean = (k: "epe" | "within1" | "within3" | "within5") =>
    perPair.reduce((s, r) => s + r[k], 0) / Math.max(perPair.length, 1);
  const ms = perPair.map((r) => r.ms).sort((a, b) => a - b);
  return {
    estimator: est.name,
    perPair,
    meanEpe: mean("epe"),
    within1: mean("within1"),
    within3: mean("within3"),
    within5: mean("within5"),
    medianMs: ms.length ? ms[Math.floor(ms.length / 2)] : NaN,
  };
}
