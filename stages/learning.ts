/**
 * The `train` stage: fits the segmentation network on a dataset's videos with
 * λf·Lf + λt·Lt + λr·s(it)·Lr (no labels). Scoring is the `evaluate` stage (evaluate.ts).
 * @module
 */
import { join } from "node:path";
import { defineStage, groupKeys, groupValues, type StageContext } from "../pipeline/mod.ts";
import { initBackend } from "../learn/backend.ts";
import { createSegmenter } from "../learn/net/mod.ts";
import type { SegmenterConfig } from "../learn/net/types.ts";
import {
  inspectCheckpoint,
  loadCheckpoint,
  train,
  TRAIN_PARAMS,
  type TrainData,
} from "../learn/train/mod.ts";
import { LOSS_PARAMS } from "../learn/losses/params.ts";
import type { PipelineParams } from "./schema.ts";
import { writeFileAtomic } from "../pipeline/mod.ts";
import {
  type FramesArtifact,
  readFlow,
  readFrames,
  readTracksArtifact,
  type SequenceFlow,
} from "./artifacts.ts";
import { saveModel } from "./_model_io.ts";
import { VAL_CURVE, Validation } from "./_validation.ts";

const MODEL_PARAMS = [
  "model.arch",
  "model.width",
  "model.depth",
  "model.k",
  "model.inputWidth",
  "model.inputHeight",
] as const;

function netConfig(ctx: StageContext<PipelineParams>): SegmenterConfig {
  return {
    arch: ctx.param("model.arch"),
    width: ctx.param("model.width"),
    depth: ctx.param("model.depth"),
    k: ctx.param("model.k"),
    inputWidth: ctx.param("model.inputWidth"),
    inputHeight: ctx.param("model.inputHeight"),
    seed: ctx.param("runtime.seed"),
  };
}

/** The training data of a dataset, and the loaded artifacts (for the validation J). */
async function trainData(
  ctx: StageContext<PipelineParams>,
): Promise<{ data: TrainData; loaded: { art: FramesArtifact; flow: SequenceFlow }[] }> {
  const frames = ctx.inputs("frames");
  const flows = ctx.inputs("flow");
  const tracks = ctx.inputs("tracks");
  const data: TrainData = [];
  const loaded = [];
  for (let i = 0; i < frames.length; i++) {
    const f = await readFrames(frames[i].dir);
    const fl = await readFlow(flows[i].dir);
    loaded.push({ art: f, flow: fl });
    data.push({
      name: f.meta.sequence,
      frames: f.frames,
      flow: (t, g, d) => fl.get(t, g, d),
      tracks: await readTracksArtifact(tracks[i].dir),
    });
  }
  return { data, loaded };
}

type CurvePoint = { step: number; name: string; value: number };

/** Seconds since `t0` (a `performance.now()`), for the log. */
const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** The loss curves up to a checkpoint's step, kept beside it so that a resumed run keeps them. */
const CURVES_SIDECAR = "curves.json";

/**
 * Before training: the loss-curve history of a resumable checkpoint in `dir`. A checkpoint that
 * is damaged, or whose curves do not reach its step, is removed (with a log line saying why)
 * and the training starts afresh, so a resumed run always equals an uninterrupted one.
 */
async function resumeHistory(
  ctx: StageContext<PipelineParams>,
  dir: string,
): Promise<CurvePoint[]> {
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

export const trainStage = defineStage<PipelineParams>({
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
    ...groupKeys(TRAIN_PARAMS, "train"),
    "eval.merge",
    ...groupKeys(LOSS_PARAMS, "loss"),
  ],
  inputs: ["frames", "flow", "tracks"],
  async run(ctx) {
    const backend = await initBackend(ctx.param("runtime.backend"));
    ctx.log(`backend ${backend.name}: ${backend.detail}`);
    const steps = ctx.param("train.steps");
    const net = netConfig(ctx);
    if (steps === 0) {
      const untrained = createSegmenter(net);
      await saveModel(ctx.outDir, untrained);
      untrained.dispose();
      return;
    }
    const loadStart = performance.now();
    const { data, loaded } = await trainData(ctx);
    ctx.log(
      `loaded ${data.length} sequence(s), ${data.reduce((n, d) => n + d.frames.length, 0)} ` +
        `frames with their flow and tracks (${seconds(loadStart)})`,
    );
    const checkpointDir = join(ctx.workDir, "checkpoint");
    const points = await resumeHistory(ctx, checkpointDir);
    for (const c of points) ctx.curve(c.step, c.name, c.value);
    // J on the scored frames every N steps (uses labels; chooses nothing unless selectByVal).
    const valEvery = ctx.param("train.valEvery");
    const selectByVal = ctx.param("train.selectByVal");
    if (selectByVal && valEvery <= 0) {
      throw new RangeError("train.selectByVal needs train.valEvery > 0");
    }
    const val = valEvery > 0
      ? await Validation.open({
        every: valEvery,
        select: selectByVal,
        merge: ctx.param("eval.merge"),
        dataset: ctx.scope.dataset!,
        workDir: ctx.workDir,
        net,
      }, loaded)
      : null;
    if (val) {
      const init = createSegmenter(net);
      try {
        const t0 = performance.now();
        const j = await val.record(0, init.getWeights());
        ctx.log(`val J (uses labels) at step 0: ${j.toFixed(1)} (${seconds(t0)})`);
      } finally {
        init.dispose();
      }
    }
    const checkpointEvery = ctx.param("train.checkpointEvery");
    let last = performance.now();
    let first = true;
    const result = await train(
      {
        net,
        seed: ctx.param("runtime.seed"),
        gaps: ctx.param("flow.gaps"),
        train: {
          ...groupValues(ctx.params, TRAIN_PARAMS, "train"),
          // Validation scores the checkpoints: make one land on every validation step.
          checkpointEvery: val ? val.checkpointEvery(checkpointEvery) : checkpointEvery,
        },
        loss: groupValues(ctx.params, LOSS_PARAMS, "loss"),
        checkpointDir,
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
        onCheckpoint: async ({ step, dir }) => {
          await writeFileAtomic(
            join(checkpointDir, CURVES_SIDECAR),
            JSON.stringify({ step, points: points.filter((p) => p.step <= step) }),
          );
          ctx.log(`checkpoint at step ${step}`);
          if (!val?.due(step, steps)) return;
          const ck = await loadCheckpoint(dir);
          if (!ck) throw new Error(`Checkpoint "${dir}" vanished at step ${step}`);
          const t0 = performance.now();
          // the weights the model would be if training stopped here (their average under train.ema)
          const j = await val.record(step, ck.average ?? ck.weights);
          ctx.log(`val J (uses labels) at step ${step}: ${j.toFixed(1)} (${seconds(t0)})`);
        },
      },
    );
    let selected: Awaited<ReturnType<Validation["selected"]>> = null;
    try {
      if (result.aborted) {
        throw new Error(
          `Training interrupted at step ${result.step}; rerun to resume from the checkpoint`,
        );
      }
      for (const [step, j] of val?.points ?? []) ctx.curve(step, VAL_CURVE, j);
      selected = await val?.selected() ?? null;
      if (selected) {
        ctx.log(
          `selected the weights of step ${selected.step} by val J ${selected.j.toFixed(1)} ` +
            `(train.selectByVal: uses labels)`,
        );
      }
      await saveModel(ctx.outDir, selected?.net ?? result.model);
      await Deno.writeTextFile(
        join(ctx.outDir, "train.json"),
        JSON.stringify({
          backend,
          steps: result.step,
          lastLosses: result.lastLosses,
          valJ: val?.points ?? null,
          selectedStep: selected?.step ?? result.step,
          selectedBy: selected ? "val_J (uses labels)" : "last step",
        }),
      );
    } finally {
      result.model.dispose();
      selected?.net.dispose();
      val?.dispose();
    }
  },
});
