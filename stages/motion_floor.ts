/**
 * The learning-free floor: classical motion segmentation from the same cached flow the
 * training uses (RANSAC homography camera model, Otsu threshold on the residual, opening +
 * closing, largest component; `motion/classical_segmentation.ts`), scored with the benchmark's
 * protocol (mask upsampled bilinearly to the GT size, thresholded at 0.5; no choice of
 * foreground against the labels).
 * @module
 */
import { join } from "node:path";
import { defineStage } from "../pipeline/mod.ts";
import { MAIN_ROWS } from "../reports/rows.ts";
import type { PipelineParams } from "./schema.ts";
import { classicalMotionMask } from "../motion/classical_segmentation.ts";
import { groupIous } from "../eval/group_iou.ts";
import type { MaskStack } from "../eval/merge.ts";
import type { SequenceScores } from "../eval/metrics.ts";
import {
  imageGrid,
  renderMaskOverlay,
  renderSoftMask,
  resizeFrame,
  tileSize,
} from "../eval/overlay.ts";
import { writeRgbPng } from "../formats/image.ts";
import type { RgbImage } from "../video/types.ts";
import { readFlow, readFrames } from "./artifacts.ts";
import { mergeFlow } from "./_segment_scores.ts";
import { GRID_ROWS, gridFrame } from "./_grid.ts";
import { coverageRows, jRows } from "./scoring.ts";

/** Row label of the floor in the main table. */
export const FLOOR_ROW = MAIN_ROWS.floor;

/** A binary mask as a two-component stack [mask, 1 − mask] for the protocol's scoring. */
function asStack(mask: Uint8Array, width: number, height: number): MaskStack {
  const data = new Float32Array(width * height * 2);
  for (let i = 0; i < width * height; i++) {
    data[2 * i] = mask[i];
    data[2 * i + 1] = 1 - mask[i];
  }
  return { width, height, k: 2, data };
}

const FOREGROUND = [new Uint8Array([1, 0])];

export const motionFloor = defineStage<PipelineParams>({
  name: "motion_floor",
  cost: "heavy",
  description: "learning-free floor: RANSAC-homography residual of the cached flow, Otsu, " +
    "morphology, largest component",
  module: import.meta.url,
  scope: "dataset",
  params: [],
  inputs: ["frames", "flow"],
  async run(ctx) {
    const dataset = ctx.scope.dataset!;
    const seqs: SequenceScores[] = [];
    const totalFrames: number[] = [];
    const grid: RgbImage[][] = [];
    const notes: string[] = [];
    const frameArts = ctx.inputs("frames");
    const flowArts = ctx.inputs("flow");
    for (const [i, fa] of frameArts.entries()) {
      const seq = await readFrames(fa.dir);
      const { meta, frames, gt } = seq;
      const flow = await readFlow(flowArts[i].dir);
      const s: SequenceScores = { name: meta.sequence, frames: [], scores: [] };
      const pick = i < GRID_ROWS ? gridFrame(seq, (t) => !!mergeFlow(flow, t)) : null;
      for (const t of meta.annotated) {
        const f = mergeFlow(flow, t);
        const r = f
          ? classicalMotionMask(f, { seed: t })
          : { mask: new Uint8Array(meta.width * meta.height), residual: null, threshold: 0 };
        const [iou] = groupIous(asStack(r.mask, meta.width, meta.height), FOREGROUND, gt[t]!);
        s.frames.push(t);
        s.scores.push(iou.fg);
        if (t === pick && r.residual) {
          const size = tileSize(meta.width, meta.height);
          const tile = resizeFrame(frames[t], size.width, size.height);
          // Residual shown up to twice the Otsu threshold (white = at least 2× threshold).
          const heat = new Float32Array(r.residual.length);
          const top = Math.max(2 * r.threshold, 1e-6);
          for (let j = 0; j < heat.length; j++) heat[j] = Math.min(1, r.residual[j] / top);
          grid.push([
            tile,
            renderMaskOverlay(tile, gt[t]!, [40, 200, 60]),
            renderSoftMask(
              { width: meta.width, height: meta.height, k: 1, data: heat },
              0,
              size.width,
              size.height,
            ),
            renderMaskOverlay(tile, { width: meta.width, height: meta.height, data: r.mask }),
          ]);
          notes.push(
            `${meta.sequence} frame ${meta.names[t]} (J ${(100 * iou.fg).toFixed(1)}, ` +
              `threshold ${r.threshold.toFixed(2)} px)`,
          );
        }
      }
      seqs.push(s);
      totalFrames.push(meta.numFrames);
      ctx.progress(i + 1, frameArts.length);
    }
    ctx.metrics([
      ...jRows(dataset, seqs, FLOOR_ROW),
      ...coverageRows(dataset, seqs, totalFrames, FLOOR_ROW),
    ]);
    if (grid.length) {
      await writeRgbPng(join(ctx.outDir, "grid.png"), imageGrid(grid, { gap: 3 }));
      await Deno.writeTextFile(
        join(ctx.outDir, "figures.json"),
        JSON.stringify([{
          name: `${dataset} classical motion floor`,
          file: "grid.png",
          caption: "Columns: frame | ground truth (green) | residual flow after the RANSAC " +
            "homography camera model (black 0 → white ≥ 2× the Otsu threshold) | mask after " +
            `Otsu, opening/closing and the largest component (red). Rows: ${notes.join("; ")}` +
            (frameArts.length > grid.length
              ? `; first ${grid.length} of ${frameArts.length} sequences.`
              : "."),
        }]),
      );
    }
  },
});
