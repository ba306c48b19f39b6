/**
 * Trivial floors scored with each benchmark's protocol: the whole frame as foreground and a
 * centred ellipse (semi-axes 30 % of the width and 35 % of the height).
 * @module
 */
import { defineStage } from "../pipeline/mod.ts";
import { MAIN_ROWS } from "../reports/rows.ts";
import type { PipelineParams } from "./schema.ts";
import { jaccard, type SequenceScores } from "../eval/mod.ts";
import { readFrames } from "./artifacts.ts";
import { jRows } from "./scoring.ts";

/** A centred ellipse mask (1 inside) of the given size. */
export function centredEllipse(width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  const ax = 0.3 * width, ay = 0.35 * height, cx = (width - 1) / 2, cy = (height - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1) m[y * width + x] = 1;
    }
  }
  return m;
}

export const baselines = defineStage<PipelineParams>({
  name: "baselines",
  description: "whole-frame and centred-ellipse floors of J",
  module: import.meta.url,
  scope: "dataset",
  params: [],
  inputs: ["frames"],
  async run(ctx) {
    const whole: SequenceScores[] = [];
    const ellipse: SequenceScores[] = [];
    for (const a of ctx.inputs("frames")) {
      const { meta, gt } = await readFrames(a.dir);
      const full = new Uint8Array(meta.gtWidth * meta.gtHeight).fill(1);
      const ell = centredEllipse(meta.gtWidth, meta.gtHeight);
      const w: SequenceScores = { name: meta.sequence, frames: [], scores: [] };
      const e: SequenceScores = { name: meta.sequence, frames: [], scores: [] };
      for (const t of meta.annotated) {
        w.frames.push(t);
        e.frames.push(t);
        w.scores.push(jaccard(full, gt[t]!.data));
        e.scores.push(jaccard(ell, gt[t]!.data));
      }
      whole.push(w);
      ellipse.push(e);
    }
    const ds = ctx.scope.dataset!;
    ctx.metrics([
      ...jRows(ds, whole, MAIN_ROWS.wholeFrame),
      ...jRows(ds, ellipse, MAIN_ROWS.centredEllipse),
    ]);
  },
});
