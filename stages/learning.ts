/**
 * Learning stages: `train` fits the segmentation network on a dataset's videos with
 * λf·Lf + λt·Lt + λr·s(it)·Lr (no labels); `evaluate` predicts masks, merges K components
 * into foreground/background and scores them by the benchmark's protocol.
 * @module
 */
import { join } from "node:path";
import { defineStage, type MetricRow, type StageContext } from "../pipeline/mod.ts";
import { type BackendName, initBackend } from "../learn/backend.ts";
import { createSegmenter } from "../learn/net/mod.ts";
import type { NamedArray, Segmenter, SegmenterConfig } from "../learn/net/types.ts";
import { inspectCheckpoint, train, type TrainData } from "../learn/train/mod.ts";
import { writeFileAtomic } from "../pipeline/mod.ts";
import {
  adjustedRandIndex,
  argmaxLabels,
  asMaskStack,
  foregroundARI,
  foregroundFromGroups,
  imageGrid,
  mergeByColour,
  mergeByMotion,
  oracleBipartition,
  predictMasks,
  renderOverlay,
  type SequenceScores,
} from "../eval/mod.ts";
import { writeRgbPng } from "../formats/image.ts";
import type { LabelImage } from "../video/types.ts";
import { readFlow, readFrames, readTracksArtifact } from "./artifacts.ts";
import { jRows } from "./scoring.ts";

const MODEL_PARAMS = [
  "model.arch",
  "model.width",
  "model.depth",
  "model.k",
  "model.inputWidth",
  "model.inputHeight",
];

function netConfig(ctx: StageContext): SegmenterConfig {
  return {
    arch: ctx.param<string>("model.arch") as SegmenterConfig["arch"],
    width: ctx.param<number>("model.width"),
    depth: ctx.param<number>("model.depth"),
    k: ctx.param<number>("model.k"),
    inputWidth: ctx.param<number>("model.inputWidth"),
    inputHeight: ctx.param<number>("model.inputHeight"),
    seed: ctx.param<number>("runtime.seed"),
  };
}

/** Weights on disk: `model.json` (config + names/shapes) and `weights.f32` (concatenated). */
async function saveModel(dir: string, net: Segmenter): Promise<void> {
  const ws = net.getWeights();
  const total = ws.reduce((s, w) => s + w.data.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const w of ws) {
    all.set(w.data, off);
    off += w.data.length;
  }
  await Deno.writeFile(join(dir, "weights.f32"), new Uint8Array(all.buffer));
  await Deno.writeTextFile(
    join(dir, "model.json"),
    JSON.stringify({
      config: net.config,
      weights: ws.map((w) => ({ name: w.name, shape: w.shape })),
    }),
  );
}

async function loadModel(dir: string): Promise<Segmenter> {
  const meta = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  const bytes = await Deno.readFile(join(dir, "weights.f32"));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  let off = 0;
  const ws: NamedArray[] = meta.weights.map((w: { name: string; shape: number[] }) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const data = all.slice(off, off + n);
    off += n;
    return { name: w.name, shape: w.shape, data };
  });
  if (off !== all.length) {
    throw new Error(`Model "${dir}": weights.f32 holds ${all.length} values, model.json ${off}`);
  }
  const net = createSegmenter(meta.config);
  net.setWeights(ws);
  return net;
}

async function trainData(ctx: StageContext): Promise<TrainData> {
  const frames = ctx.inputs("frames");
  const flows = ctx.inputs("flow");
  const tracks = ctx.inputs("tracks");
  const data: TrainData = [];
  for (let i = 0; i < frames.length; i++) {
    const f = await readFrames(frames[i].dir);
    const fl = await readFlow(flows[i].dir);
    data.push({
      name: f.meta.sequence,
      frames: f.frames,
      flow: (t, g, d) => fl.get(t, g, d),
      tracks: await readTracksArtifact(tracks[i].dir),
    });
  }
  return data;
}

type CurvePoint = { step: number; name: string; value: number };

/** The loss curves up to a checkpoint's step, kept beside it so that a resumed run keeps them. */
const CURVES_SIDECAR = "curves.json";

/**
 * Before training: the loss-curve history of a resumable checkpoint in `dir`. A checkpoint that
 * is damaged, or whose curves do not reach its step, is removed (with a log line saying why)
 * and the training starts afresh, so a resumed run always equals an uninterrupted one.
 */
async function resumeHistory(ctx: StageContext, dir: string): Promise<CurvePoint[]> {
  const ck = await inspectCheckpoint(dir);
  if (!ck) return [];
  let why: string;
  if ("problem" in ck) why = ck.problem;
  else {
    try {
      const side = JSON.parse(await Deno.readTextFile(join(dir, CURVES_SIDECAR)));
      if (side.step === ck.step) return side.points;
      why = `its loss curves stop at step ${side.step}, the checkpoint is at step ${ck.step}`;
    } catch {
      why = `its loss curves (${CURVES_SIDECAR}) are missing or unreadable`;
    }
  }
  ctx.log(`cannot resume the checkpoint in ${dir}: ${why}; starting this training afresh`);
  await Deno.remove(dir, { recursive: true });
  return [];
}

export const trainStage = defineStage({
  name: "train",
  cost: "heavy",
  description: "train the segmenter from motion alone (Lf + Lt + Lr)",
  module: import.meta.url,
  scope: "dataset",
  params: [
    ...MODEL_PARAMS,
    "runtime.backend",
    "runtime.seed",
    "flow.gaps",
    "train.steps",
    "train.groups",
    "train.lr",
    "train.weightDecay",
    "train.warmup",
    "train.clip",
    "train.tracks",
    "train.context",
    "train.flipNegatesU",
    "train.checkpointEvery",
    "loss.flow",
    "loss.trajectory",
    "loss.temporal",
    "loss.lambdaFlow",
    "loss.lambdaTrajectory",
    "loss.lambdaTemporal",
    "loss.rampIters",
    "loss.rank",
    "loss.variant",
    "loss.trajectoryTracks",
    "loss.flowClip",
  ],
  inputs: ["frames", "flow", "tracks"],
  async run(ctx) {
    const backend = await initBackend(ctx.param<string>("runtime.backend") as BackendName);
    ctx.log(`backend ${backend.name}: ${backend.detail}`);
    const steps = ctx.param<number>("train.steps");
    const net = netConfig(ctx);
    if (steps === 0) {
      const untrained = createSegmenter(net);
      await saveModel(ctx.outDir, untrained);
      untrained.dispose();
      return;
    }
    const data = await trainData(ctx);
    const checkpointDir = join(ctx.workDir, "checkpoint");
    const points = await resumeHistory(ctx, checkpointDir);
    for (const c of points) ctx.curve(c.step, c.name, c.value);
    let last = performance.now();
    let first = true;
    const result = await train(
      {
        net,
        iterations: steps,
        seed: ctx.param<number>("runtime.seed"),
        groups: ctx.param<number>("train.groups"),
        gaps: [...ctx.param<number[]>("flow.gaps")],
        lr: ctx.param<number>("train.lr"),
        warmup: ctx.param<number>("train.warmup"),
        weightDecay: ctx.param<number>("train.weightDecay"),
        gradClip: ctx.param<number>("train.clip"),
        flipNegatesU: ctx.param<boolean>("train.flipNegatesU"),
        numTracks: ctx.param<number>("train.tracks"),
        context: ctx.param<number>("train.context"),
        flowClip: ctx.param<number>("loss.flowClip"),
        flow: {
          enabled: ctx.param<boolean>("loss.flow"),
          weight: ctx.param<number>("loss.lambdaFlow"),
        },
        trajectory: {
          enabled: ctx.param<boolean>("loss.trajectory"),
          weight: ctx.param<number>("loss.lambdaTrajectory"),
          rank: ctx.param<number>("loss.rank"),
          variant: ctx.param<string>("loss.variant") as "tail",
          referenceTracks: ctx.param<number>("loss.trajectoryTracks"),
        },
        temporal: {
          enabled: ctx.param<boolean>("loss.temporal"),
          weight: ctx.param<number>("loss.lambdaTemporal"),
          rampIters: ctx.param<number>("loss.rampIters"),
        },
        checkpointDir,
        checkpointEvery: ctx.param<number>("train.checkpointEvery"),
      },
      data,
      {
        signal: ctx.signal,
        onStep: (step, losses, itPerSec) => {
          if (first) {
            first = false;
            if (step > 1) ctx.log(`resumed from the checkpoint at step ${step - 1}`);
          }
          // Loss terms only (the learning rate and gradient norm are in train.json's last step).
          for (const [name, v] of Object.entries(losses)) {
            if (name === "lr" || name === "grad_norm") continue;
            ctx.curve(step, name, v);
            points.push({ step, name, value: v });
          }
          const now = performance.now();
          if (now - last > 500 || step === steps) {
            last = now;
            ctx.progress(
              step,
              steps,
              `loss ${losses.total?.toPrecision(4)} · ${itPerSec.toFixed(2)} it/s`,
            );
          }
        },
        onCheckpoint: async ({ step }) => {
          await writeFileAtomic(
            join(checkpointDir, CURVES_SIDECAR),
            JSON.stringify({ step, points: points.filter((p) => p.step <= step) }),
          );
          ctx.log(`checkpoint at step ${step}`);
        },
      },
    );
    try {
      if (result.aborted) {
        throw new Error(
          `Training interrupted at step ${result.step}; rerun to resume from the checkpoint`,
        );
      }
      await saveModel(ctx.outDir, result.model);
      await Deno.writeTextFile(
        join(ctx.outDir, "train.json"),
        JSON.stringify({ backend, steps: result.step, lastLosses: result.lastLosses }),
      );
    } finally {
      result.model.dispose();
    }
  },
});

/** Nearest-neighbour resize of a label image. */
function resizeLabels(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  const out = new Uint8Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / dh));
    for (let x = 0; x < dw; x++) {
      out[y * dw + x] = src[sy * sw + Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / dw))];
    }
  }
  return out;
}

const OVERLAY_FRAMES = 4;

export const evaluate = defineStage({
  name: "evaluate",
  cost: "heavy",
  description: "score the trained segmenter: J by each benchmark's protocol, ARI, overlays",
  module: import.meta.url,
  scope: "dataset",
  params: ["eval.merge", "runtime.backend"],
  inputs: ["train", "frames", "flow"],
  async run(ctx) {
    await initBackend(ctx.param<string>("runtime.backend") as BackendName);
    const net = await loadModel(ctx.input("train").dir);
    const merge = ctx.param<string>("eval.merge");
    const dataset = ctx.scope.dataset!;
    const scores: Record<"motion" | "colour" | "oracle", SequenceScores[]> = {
      motion: [],
      colour: [],
      oracle: [],
    };
    const ari: number[] = [], fgAri: number[] = [];
    const overlayRows = [];
    const frameArts = ctx.inputs("frames");
    const flowArts = ctx.inputs("flow");
    try {
      for (const [i, fa] of frameArts.entries()) {
        const { meta, frames, gt } = await readFrames(fa.dir);
        const flow = await readFlow(flowArts[i].dir);
        const masks = await predictMasks(net, frames);
        const per = {
          motion: { name: meta.sequence, frames: [] as number[], scores: [] as number[] },
          colour: { name: meta.sequence, frames: [] as number[], scores: [] as number[] },
          oracle: { name: meta.sequence, frames: [] as number[], scores: [] as number[] },
        };
        for (const t of meta.annotated) {
          const stack = asMaskStack(net, masks[t]);
          const g = gt[t] as LabelImage;
          const f = flow.get(t, 1, "fwd") ?? flow.get(t, 1, "bwd");
          const results = {
            motion: f ? foregroundFromGroups(stack, mergeByMotion(stack, f), g).iou : NaN,
            colour: foregroundFromGroups(stack, mergeByColour(stack, frames[t]), g).iou,
            oracle: oracleBipartition(stack, g).iou,
          };
          for (const k of ["motion", "colour", "oracle"] as const) {
            if (Number.isNaN(results[k])) continue;
            per[k].frames.push(t);
            per[k].scores.push(results[k]);
          }
          if (meta.numObjects > 1 || dataset === "synthetic") {
            const labels = resizeLabels(
              argmaxLabels(stack.data, stack.k),
              stack.width,
              stack.height,
              g.width,
              g.height,
            );
            ari.push(adjustedRandIndex(labels, g.data));
            fgAri.push(foregroundARI(labels, g.data));
          }
        }
        for (const k of ["motion", "colour", "oracle"] as const) scores[k].push(per[k]);
        if (i < 3) {
          const picks = Array.from(
            { length: OVERLAY_FRAMES },
            (_, j) => Math.round((j * (frames.length - 1)) / (OVERLAY_FRAMES - 1)),
          );
          overlayRows.push(picks.map((t) => renderOverlay(frames[t], asMaskStack(net, masks[t]))));
        }
        ctx.progress(i + 1, frameArts.length);
      }
    } finally {
      net.dispose();
    }
    const rows: MetricRow[] = [
      ...jRows(dataset, scores[merge as "motion" | "colour"]),
      ...jRows(dataset, scores.motion, undefined, "J_motion_merge"),
      ...jRows(dataset, scores.colour, undefined, "J_colour_merge"),
      ...jRows(dataset, scores.oracle, undefined, "J_oracle"),
    ];
    const mean = (a: number[]) => (100 * a.reduce((s, v) => s + v, 0)) / a.length;
    if (ari.length) {
      rows.push({ metric: "ari", value: mean(ari) }, { metric: "fg_ari", value: mean(fgAri) });
    }
    ctx.metrics(rows);
    if (overlayRows.length) {
      await writeRgbPng(join(ctx.outDir, "overlays.png"), imageGrid(overlayRows));
      await Deno.writeTextFile(
        join(ctx.outDir, "figures.json"),
        JSON.stringify([{
          name: `${dataset} masks`,
          file: "overlays.png",
          caption:
            `Argmax of the K soft masks on ${overlayRows.length} ${dataset} sequences (rows), frames spread over each sequence.`,
        }]),
      );
    }
  },
});
