/**
 * The `evaluate` stage: predicts masks of the annotated frames, merges K components into
 * foreground/background and scores them by the benchmark's protocol; ARI on multi-object data;
 * a picture grid per dataset (frame | ground truth | K soft masks | merged foreground). With
 * `eval.normStats = sequence` the network is normalised by each sequence's own batch-norm
 * statistics while that sequence is scored (eval/sequence_stats.ts).
 *
 * Speed: only annotated frames (and the grid's) are predicted, and all J of a frame (motion,
 * colour, oracle over 2^K − 1 unions) come from one pass at the mask resolution
 * (`eval/group_iou.ts`) instead of one full-size upsampling per union — identical values.
 * @module
 */
import { join } from "node:path";
import { defineStage, type MetricRow } from "../pipeline/mod.ts";
import type { PipelineParams } from "./schema.ts";
import { initBackend } from "../learn/backend.ts";
import { foregroundFromGroups } from "../eval/merge.ts";
import { adjustedRandIndex, argmaxLabels, foregroundARI } from "../eval/metrics.ts";
import { imageGrid } from "../eval/overlay.ts";
import { resizeLabel, writeRgbPng } from "../formats/image.ts";
import type { RgbImage } from "../video/types.ts";
import { readFlow, readFrames } from "./artifacts.ts";
import { GRID_ROWS, gridFrame, gridRow } from "./_grid.ts";
import { mergeFlow, type MergeKind, MERGES, scoreSequence } from "./_segment_scores.ts";
import { loadModel } from "./_model_io.ts";
import { useSequenceStatistics } from "../eval/sequence_stats.ts";
import { coverageRows, jRows } from "./scoring.ts";

export const evaluate = defineStage<PipelineParams>({
  name: "evaluate",
  cost: "heavy",
  description: "score the trained segmenter: J by each benchmark's protocol, ARI, picture grid",
  module: import.meta.url,
  scope: "dataset",
  params: ["eval.merge", "eval.normStats", "runtime.backend"],
  inputs: ["train", "frames", "flow"],
  async run(ctx) {
    await initBackend(ctx.param("runtime.backend"));
    const net = await loadModel(ctx.input("train").dir);
    const merge = ctx.param("eval.merge");
    const dataset = ctx.scope.dataset!;
    const scores = Object.fromEntries(MERGES.map((m) => [m, []])) as unknown as Record<
      MergeKind,
      { name: string; frames: number[]; scores: number[] }[]
    >;
    const totalFrames: number[] = [];
    const ari: number[] = [], fgAri: number[] = [];
    const gridRows: RgbImage[][] = [];
    const gridNotes: string[] = [];
    const frameArts = ctx.inputs("frames");
    const flowArts = ctx.inputs("flow");
    try {
      for (const [i, fa] of frameArts.entries()) {
        const seq = await readFrames(fa.dir);
        const { meta, frames, gt } = seq;
        const flow = await readFlow(flowArts[i].dir);
        const pick = i < GRID_ROWS ? gridFrame(seq, (t) => !!mergeFlow(flow, t)) : null;
        const multi = meta.numObjects > 1 || dataset === "synthetic";
        // eval.normStats = sequence: batch norm by this sequence's statistics while it is scored
        const restore = ctx.param("eval.normStats") === "sequence"
          ? useSequenceStatistics(net, frames)
          : null;
        const r = await scoreSequence(net, seq, flow, {
          keep: pick === null ? [] : [pick],
          onFrame: multi
            ? (_t, stack, g) => {
              const labels = resizeLabel(
                {
                  width: stack.width,
                  height: stack.height,
                  data: argmaxLabels(stack.data, stack.k),
                },
                g,
              ).data;
              ari.push(adjustedRandIndex(labels, g.data));
              fgAri.push(foregroundARI(labels, g.data));
            }
            : undefined,
        }).finally(() => restore?.());
        for (const m of MERGES) scores[m].push(r.scores[m]);
        totalFrames.push(meta.numFrames);
        if (pick !== null) {
          const stack = r.kept.get(pick)!;
          const chosen = r.groups.get(pick)!;
          const used = merge === "motion" && chosen.motion ? "motion" : "colour";
          const fg = foregroundFromGroups(stack, chosen[used] ?? chosen.colour, gt[pick]!);
          gridRows.push(gridRow(frames[pick], gt[pick]!, stack, fg.mask));
          gridNotes.push(
            `${meta.sequence} frame ${meta.names[pick]} (J ${(100 * fg.iou).toFixed(1)}` +
              `${used === merge ? "" : `, ${used} merge: no flow`})`,
          );
        }
        ctx.progress(i + 1, frameArts.length);
      }
    } finally {
      net.dispose();
    }
    const rows: MetricRow[] = [
      ...jRows(dataset, scores[merge]),
      ...jRows(dataset, scores.motion, undefined, "J_motion_merge"),
      ...jRows(dataset, scores.colour, undefined, "J_colour_merge"),
      ...jRows(dataset, scores.oracle, undefined, "J_oracle"),
      ...coverageRows(dataset, scores.oracle, totalFrames),
    ];
    const mean = (a: number[]) => (100 * a.reduce((s, v) => s + v, 0)) / a.length;
    if (ari.length) {
      rows.push({ metric: "ari", value: mean(ari) }, { metric: "fg_ari", value: mean(fgAri) });
    }
    ctx.metrics(rows);
    if (gridRows.length) {
      await writeRgbPng(join(ctx.outDir, "grid.png"), imageGrid(gridRows, { gap: 3 }));
      const k = gridRows[0].length - 3;
      await Deno.writeTextFile(
        join(ctx.outDir, "figures.json"),
        JSON.stringify([{
          name: `${dataset} segmentations`,
          file: "grid.png",
          caption: `Columns: frame | ground truth (green) | the K = ${k} soft masks ` +
            `(black 0 → colour 1) | merged foreground (${merge} merge, red; the group with the ` +
            `higher IoU, as the protocol scores it). Rows: ${gridNotes.join("; ")}` +
            (frameArts.length > gridRows.length
              ? `; first ${gridRows.length} of ${frameArts.length} sequences.`
              : "."),
        }]),
      );
    }
  },
});
