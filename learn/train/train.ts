/**
 * The training loop: L = λf·Lf + λt·Lt + λr·s(it)·Lr on batches of 4-frame groups, AdamW with
 * warm-up + poly decay and global-norm clipping, optionally a moving average of the weights
 * (`train.ema`), seeded and resumable from checkpoints.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { createSegmenter } from "../net/segmenter.ts";
import { Rng } from "../../core/random.ts";
import type { Segmenter } from "../net/types.ts";
import { sampleAt } from "../sample.ts";
import { flowLoss } from "../losses/flow.ts";
import { temporalLossBothWays } from "../losses/temporal.ts";
import { trajectoryLoss } from "../losses/trajectory.ts";
import { temporalRamp } from "../losses/schedule.ts";
import { smoothTracks } from "../losses/smooth.ts";
import { AdamW, learningRate } from "./adamw.ts";
import { type Batch, buildBatch, prepareSequences, type TrainData } from "./batch.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { WeightAverage } from "./weight_average.ts";
import { type ResolvedTrainConfig, resolveTrainConfig, type TrainConfig } from "./config.ts";

/** Mask values are clamped to this range before they weight trajectories. */
const MASK_EPS = 1e-6;

/** Callbacks of {@link train}. */
export interface TrainHooks {
  /**
   * After every step: `step` is the number of completed steps (1-based); `losses` holds the
   * unweighted terms that are enabled (`flow`, `trajectory`, `temporal`), the weighted `total`,
   * `grad_norm` (before clipping) and `lr`; `itPerSec` is the speed of this step.
   */
  onStep?(step: number, losses: Record<string, number>, itPerSec: number): void;
  /** After a checkpoint was written. */
  onCheckpoint?(info: { step: number; dir: string }): void | Promise<void>;
  /** Stop after the current step (a checkpoint is written when `checkpointDir` is set). */
  signal?: AbortSignal;
}

/** The result of {@link train}; the caller disposes `model`. */
export interface TrainedModel {
  /** The trained network: its weights' moving average when `train.ema` > 0, else the last step's. */
  model: Segmenter;
  config: ResolvedTrainConfig;
  /** Completed steps (equals `train.steps` unless aborted). */
  step: number;
  aborted: boolean;
  /** Loss values of the last step. */
  lastLosses: Record<string, number>;
}

/** The part of the config a checkpoint must agree with to be resumed. */
function resumeKey(c: ResolvedTrainConfig): string {
  const { checkpointDir: _d, resume: _r, train, ...rest } = c;
  // When checkpoints are written and what the stage does with them do not change the training.
  const { checkpointEvery: _e, valEvery: _v, selectByVal: _s, ...trainRest } = train;
  return JSON.stringify({ ...rest, train: trainRest });
}

/**
 * Train a segmentation network on `data` without labels.
 *
 * With `checkpointDir` set, a checkpoint is written every `checkpointEvery` steps, at the end
 * and on abort; a later call with the same config resumes from it and continues exactly as an
 * uninterrupted run would (same backend).
 */
export async function train(
  config: TrainConfig,
  data: TrainData,
  hooks: TrainHooks = {},
): Promise<TrainedModel> {
  const cfg = resolveTrainConfig(config);
  const Hn = cfg.net.inputHeight;
  const Wn = cfg.net.inputWidth;
  const seqs = prepareSequences(data, Hn, Wn, (t) => smoothTracks(t.xy, t.numTracks, t.numFrames));
  const net = createSegmenter(cfg.net);
  const opt = new AdamW(net.trainableVariables, { weightDecay: cfg.train.weightDecay });
  try {
    let rng = new Rng(cfg.seed);
    let step = 0;
    let average = cfg.train.ema > 0 ? new WeightAverage(cfg.train.ema) : null;
    const dir = cfg.checkpointDir;
    if (dir && cfg.resume) {
      const ck = await loadCheckpoint<ResolvedTrainConfig>(dir);
      if (ck) {
        if (resumeKey(ck.config) !== resumeKey(cfg)) {
          throw new Error(
            `Cannot resume from checkpoint "${dir}": it was written with a different config`,
          );
        }
        net.setWeights(ck.weights);
        opt.setState(ck.optimizerState);
        rng = Rng.fromState(ck.rngState);
        step = ck.step;
        if (average) average = new WeightAverage(cfg.train.ema, ck.average ?? null);
      }
    }
    const save = async () => {
      if (!dir) return;
      await saveCheckpoint(dir, {
        weights: net.getWeights(),
        optimizerState: opt.getState(),
        config: cfg,
        step,
        rngState: rng.state,
        ...(average ? { average: average.state() ?? net.getWeights() } : {}),
      });
      await hooks.onCheckpoint?.({ step, dir });
    };
    let lastLosses: Record<string, number> = {};
    let aborted = false;
    while (step < cfg.train.steps) {
      // Yield to the event loop once per step: a step's awaits resolve as microtasks, so without
      // this, signal handlers (Ctrl-C → hooks.signal) and timers would never run until the end.
      await new Promise((r) => setTimeout(r, 0));
      if (hooks.signal?.aborted) {
        aborted = true;
        break;
      }
      const t0 = performance.now();
      const batch = await buildBatch(seqs, cfg, rng);
      const lr = learningRate(step, {
        lr: cfg.train.lr,
        warmup: cfg.train.warmup,
        total: cfg.train.steps,
        power: cfg.internals.lrPower,
      });
      lastLosses = await trainStep({ net, opt, batch, cfg, it: step, lr });
      step++;
      average?.update(net.getWeights(), step);
      hooks.onStep?.(step, lastLosses, 1000 / (performance.now() - t0));
      if (step % cfg.train.checkpointEvery === 0 || step === cfg.train.steps) await save();
    }
    if (aborted) await save();
    opt.dispose();
    const averaged = average?.state();
    if (averaged) net.setWeights(averaged);
    return { model: net, config: cfg, step, aborted, lastLosses };
  } catch (err) {
    opt.dispose();
    net.dispose();
    throw err;
  }
}

/** One optimiser step: the model and its optimiser, the batch, the config, where it stands. */
export interface StepInput {
  net: Segmenter;
  opt: AdamW;
  batch: Batch;
  cfg: ResolvedTrainConfig;
  /** 0-based iteration (for the Lr ramp). */
  it: number;
  /** Learning rate of this step. */
  lr: number;
}

/** Options of {@link trainStep}. */
export interface StepOptions {
  /**
   * Called with the gradients (in the order of `net.trainableVariables`, before clipping)
   * before the update; they are disposed afterwards. For tests and benchmarks.
   */
  onGradients?(grads: tf.Tensor[]): void | Promise<void>;
}

/**
 * One optimiser step on `batch` (forward, the enabled losses, gradients, global-norm clipping,
 * AdamW, batch-norm statistics); returns the logged values.
 */
export async function trainStep(
  { net, opt, batch, cfg, it, lr }: StepInput,
  opts: StepOptions = {},
): Promise<Record<string, number>> {
  const B = batch.size;
  const Hn = cfg.net.inputHeight;
  const Wn = cfg.net.inputWidth;
  const N = cfg.train.tracks;
  const M = cfg.internals.numTemporalTracks;
  const T = batch.window;
  const P = B / 2;
  const inputs: tf.Tensor[] = [];
  const input = <R extends tf.Tensor>(t: R): R => {
    inputs.push(t);
    return t;
  };
  const x = input(tf.tensor4d(batch.images, [B, Hn, Wn, 3]));
  const flow = cfg.loss.flow
    ? input(tf.tensor4d(batch.flow, [B, batch.flowHeight, batch.flowWidth, 2]))
    : null;
  const flowWeight = flow && batch.flowWeight.length
    ? input(tf.tensor4d(batch.flowWeight, [B, batch.flowHeight, batch.flowWidth, 1]))
    : undefined;
  const ltXY = cfg.loss.trajectory ? input(tf.tensor3d(batch.ltXY, [B, N, 2])) : null;
  const lrA = cfg.loss.temporal ? input(tf.tensor3d(batch.lrXYA, [P, M, 2])) : null;
  const lrB = cfg.loss.temporal ? input(tf.tensor3d(batch.lrXYB, [P, M, 2])) : null;
  const lrVis = cfg.loss.temporal ? input(tf.tensor2d(batch.lrVisible, [P, M])) : null;
  // Lt over N tracks, rescaled to the paper's N (σ ∝ √N) unless loss.trajectoryTracks is 0
  const trackScale = cfg.loss.trajectoryTracks > 0 ? cfg.loss.trajectoryTracks / N : 1;
  const rampW = cfg.loss.lambdaTemporal * temporalRamp(it, cfg.loss.rampIters);

  const kept: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const masks = net.forward(x, { training: true });
    const terms: tf.Scalar[] = [];
    if (flow) {
      // at the resolution of batch.flow (masks upsampled when it is larger: loss.flowResolution);
      // flow and clip in 854×480-frame pixels
      const lf = flowLoss(masks, flow as tf.Tensor4D, {
        clip: cfg.loss.flowClip,
        weight: flowWeight as tf.Tensor4D | undefined,
      });
      kept.flow = tf.keep(lf);
      terms.push(tf.mul(lf, cfg.loss.lambdaFlow));
    }
    if (ltXY) {
      const m = tf.clipByValue(sampleAt(masks, ltXY as tf.Tensor3D), MASK_EPS, 1 - MASK_EPS);
      // coordinates stay on the CPU (854×480-frame pixels, see batch.ts)
      const coords = { data: batch.ltCoords, shape: [B, 2 * T, N] } as const;
      const lt = trajectoryLoss(coords, tf.transpose(m, [0, 2, 1]), {
        rank: cfg.loss.rank,
        variant: cfg.loss.variant,
        trackScale,
      });
      kept.trajectory = tf.keep(lt);
      terms.push(tf.mul(lt, cfg.loss.lambdaTrajectory));
    }
    if (lrA && lrB && lrVis) {
      const K = cfg.net.k;
      const ma = sampleAt(tf.slice(masks, [0, 0, 0, 0], [P, Hn, Wn, K]), lrA as tf.Tensor3D);
      const mb = sampleAt(tf.slice(masks, [P, 0, 0, 0], [P, Hn, Wn, K]), lrB as tf.Tensor3D);
      const lrr = temporalLossBothWays(ma, mb, lrVis as tf.Tensor2D, batch.lrSplit);
      kept.temporal = tf.keep(lrr);
      terms.push(tf.mul(lrr, rampW));
    }
    const total = (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Scalar;
    kept.total = tf.keep(tf.clone(total));
    return total;
  }, net.trainableVariables);
  const gradList = net.trainableVariables.map((v) => grads[v.name]);
  await opts.onGradients?.(gradList);
  const norm = opt.clipAndApply(gradList, lr, cfg.train.clip);
  net.updateNormStats();
  const losses: Record<string, number> = {};
  for (const [k, t] of Object.entries(kept)) losses[k] = (await t.data())[0];
  losses.grad_norm = (await norm.data())[0];
  losses.lr = lr;
  tf.dispose([value, norm, ...Object.values(grads), ...Object.values(kept)]);
  tf.dispose(inputs);
  for (const [k, v] of Object.entries(losses)) {
    if (!Number.isFinite(v)) throw new Error(`train: loss "${k}" is ${v} at step ${it + 1}`);
  }
  return losses;
}
