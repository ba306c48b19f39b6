/**
 * Training-step benchmark, all in one run so the ratios are fair on a shared machine:
 * - the project's own `train()` step (small profile: UNet 16-32-64-128, K = 4, 128×224, one 4-frame
 *   group, N = 2 048, T = 41, all three losses) on `wasm` and on `tensorflow` (when built), and
 *   on `tensorflow` with Lf only and Lt only;
 * - where the `tensorflow` step's time goes: batch building, the network's forward and
 *   backward, Lf, Lt (its float64 Gram, its eigendecompositions, its gradient), sampling + Lr,
 *   the optimiser — each timed alone at the step's shapes;
 * - the same UNet step in PyTorch (bench/torch_unet_step.py) on the same CPU and thread count
 *   when `python3 -c "import torch"` works (an anchor, never a dependency).
 *
 * Threads: tensorflow and torch use `TF_NUM_INTRAOP_THREADS` (default: all cores); wasm has 1.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { join } from "node:path";
import { initBackend } from "../learn/backend.ts";
import { tensorflowStatus } from "../learn/tfjs_node.ts";
import { createSegmenter } from "../learn/net/mod.ts";
import { Rng } from "../core/random.ts";
import { sampleAt } from "../learn/sample.ts";
import { flowLoss } from "../learn/losses/flow.ts";
import { temporalLoss } from "../learn/losses/temporal.ts";
import { trajectoryLoss } from "../learn/losses/trajectory.ts";
import { ltKernels } from "../learn/losses/lt_kernels.ts";
import { smoothTracks } from "../learn/losses/smooth.ts";
import {
  AdamW,
  buildBatch,
  prepareSequences,
  resolveTrainConfig,
  train,
} from "../learn/train/mod.ts";
import type { TrainConfig, TrainSequence } from "../learn/train/mod.ts";
import { generateSequence } from "../video/synthetic/mod.ts";
import { PROFILES, SCHEMA } from "../stages/params.ts";

type Report = (name: string, value: number, unit: string, note?: string) => void;

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** `group.*` values of the small profile (stages/params.ts PROFILES.small) by short name. */
const smallGroup = (group: string): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(PROFILES.small).filter(([k]) => k.startsWith(`${group}.`)).map((
      [k, v],
    ) => [k.slice(group.length + 1), v]),
  );

/** The `small` profile's training config (stages/params.ts PROFILES.small), 10 steps. */
export const SMALL: TrainConfig = {
  net: { arch: "unet", width: 16, depth: 4, k: 4, inputHeight: 128, inputWidth: 224, seed: 0 },
  seed: SCHEMA.runtime.seed.default,
  gaps: SCHEMA.flow.gaps.default,
  train: { ...smallGroup("train"), steps: 10 },
  loss: smallGroup("loss"),
};

/** Track noise (px): real trackers' tracks are never exact (see syntheticTrainSequence). */
const TRACK_NOISE_PX = 0.3;

function syntheticTrainSequence(): TrainSequence {
  // the small profile's working frames (427×240: flow and tracks at that resolution)
  const s = generateSequence({ name: "bench", seed: 5, numFrames: 48, width: 427, height: 240 });
  // Exact tracks make every trajectory matrix numerically rank-deficient, so Lt re-decomposes
  // every component (its Jacobi refinement), which tracks from real video never need: perturb
  // them by the noise of a good tracker so the step costs what it costs on real data.
  const rng = new Rng(11);
  const xy = Float32Array.from(s.tracks.xy, (v) => v + TRACK_NOISE_PX * rng.normal());
  return {
    name: "bench",
    frames: s.sequence.frames,
    flow: (t, gap, dir) => s.flows[dir][gap]?.[t] ?? null,
    tracks: { ...s.tracks, xy },
  };
}

/** Median step time of `train()` over `steps` steps after `warm` warm-up steps. */
async function stepMs(cfg: TrainConfig, data: TrainSequence[], steps: number, warm = 2) {
  const ms: number[] = [];
  let last = performance.now();
  const res = await train({ ...cfg, train: { ...cfg.train, steps: steps + warm } }, data, {
    onStep(step) {
      const now = performance.now();
      if (step > warm) ms.push(now - last);
      last = now;
    },
  });
  res.model.dispose();
  return median(ms);
}

/** Median time of `fn` (sync or async) over `reps` runs after one warm-up. */
async function timeIt(fn: () => unknown, reps = 7): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Each part of one step, alone, at the step's shapes, on the current backend. */
async function profile(data: TrainSequence[], report: Report, be: string): Promise<number> {
  const cfg = resolveTrainConfig(SMALL);
  const { inputHeight: H, inputWidth: W, k: K } = cfg.net;
  const seqs = prepareSequences(data, H, W, (t) => smoothTracks(t.xy, t.numTracks, t.numFrames));
  const rng = new Rng(1);
  let batch = await buildBatch(seqs, cfg, rng);
  const B = batch.size, N = cfg.train.tracks, T2 = 2 * batch.window, P = B / 2;
  const M = cfg.internals.numTemporalTracks;
  const parts: Record<string, number> = {};
  parts.batch = await timeIt(async () => void (batch = await buildBatch(seqs, cfg, rng)));

  const net = createSegmenter(cfg.net);
  const opt = new AdamW(net.trainableVariables);
  const x = tf.tensor4d(batch.images, [B, H, W, 3]);
  const wMask = tf.randomUniform([B, H, W, K], 0, 1, "float32", 3);
  parts.forward = await timeIt(() =>
    tf.tidy(() => {
      net.forward(x, { training: true }).dataSync();
      net.updateNormStats();
    })
  );
  const netFwdBwd = await timeIt(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(net.forward(x, { training: true }), wMask)) as tf.Scalar,
      net.trainableVariables,
    );
    net.updateNormStats();
    tf.dispose([value, ...Object.values(grads)]);
  });
  parts.backward = netFwdBwd - parts.forward;

  const masks = tf.variable(tf.softmax(tf.randomNormal([B, H, W, K], 0, 1, "float32", 4)));
  const grad1 = (f: () => tf.Scalar) => () => {
    const { value, grads } = tf.variableGrads(f, [masks]);
    grads[masks.name].dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const flow = tf.tensor4d(batch.flow, [B, batch.flowHeight, batch.flowWidth, 2]);
  parts.lf = await timeIt(grad1(() => flowLoss(masks as unknown as tf.Tensor4D, flow)));

  // Lt: its CPU parts alone, then forward + backward through sampling (as in the step).
  const coords = tf.tensor3d(batch.ltCoords, [B, T2, N]);
  const xy = tf.tensor3d(batch.ltXY, [B, N, 2]);
  const wts = tf.tidy(() =>
    tf.transpose(
      tf.clipByValue(sampleAt(masks as unknown as tf.Tensor4D, xy), 1e-6, 1 - 1e-6),
      [0, 2, 1],
    )
  );
  const wv = wts.dataSync() as Float32Array;
  const kernels = ltKernels();
  let grams: Float64Array = new Float64Array(0);
  const gramMs = await timeIt(() => void (grams = kernels.grams(batch.ltCoords, wv, B, T2, N, K)));
  const eigMs = await timeIt(() => void kernels.eigh(grams, T2, B * K));
  parts.lt = await timeIt(grad1(() =>
    tf.tidy(() => {
      const m = tf.clipByValue(sampleAt(masks as unknown as tf.Tensor4D, xy), 1e-6, 1 - 1e-6);
      return trajectoryLoss(coords, tf.transpose(m, [0, 2, 1]) as tf.Tensor3D, { rank: 5 });
    })
  ));
  report(
    `train.profile.${be}.lt_gram_ms`,
    gramMs,
    "ms",
    `of Lt: float64 Gram (${kernels.name} kernels, B·K 82×82)`,
  );
  report(`train.profile.${be}.lt_eig_ms`, eigMs, "ms", "of Lt: float64 eigendecompositions");

  const a = tf.tensor3d(batch.lrXYA, [P, M, 2]), bb = tf.tensor3d(batch.lrXYB, [P, M, 2]);
  const vis = tf.tensor2d(batch.lrVisible, [P, M]);
  parts.lr = await timeIt(grad1(() =>
    temporalLoss(
      sampleAt(tf.slice(masks, [0, 0, 0, 0], [P, H, W, K]) as tf.Tensor4D, a),
      sampleAt(tf.slice(masks, [P, 0, 0, 0], [P, H, W, K]) as tf.Tensor4D, bb),
      vis,
    )
  ));

  const fakeGrads = net.trainableVariables.map((v, i) =>
    tf.randomNormal(v.shape, 0, 1e-3, "float32", i)
  );
  parts.optimizer = await timeIt(() => opt.clipAndApply(fakeGrads, 1e-4, 5).dispose());

  const notes: Record<string, string> = {
    batch: "buildBatch: images, flow, Lt/Lr track sampling (plain JS)",
    forward: "network forward (training mode)",
    backward: "network backward (fwd+bwd − fwd)",
    lf: "Lf forward + backward (incl. its float64 6×6 solves on the CPU)",
    lt: "Lt forward + backward with its mask sampling (Gram and eig below)",
    lr: "sampling + Lr forward + backward",
    optimizer: "global-norm clip + AdamW (flat)",
  };
  let sum = 0;
  for (const [k, v] of Object.entries(parts)) {
    report(`train.profile.${be}.${k}_ms`, v, "ms", notes[k]);
    sum += v;
  }
  report(`train.profile.${be}.sum_ms`, sum, "ms", "sum of the parts (each timed alone)");
  tf.dispose([x, wMask, masks, flow, coords, xy, wts, a, bb, vis, ...fakeGrads]);
  opt.dispose();
  net.dispose();
  return sum;
}

/** The PyTorch anchor, or null when torch is not importable. */
async function torchStep(
  threads: number,
): Promise<{ step_ms: number; torch: string; threads: number } | null> {
  const script = join(new URL(".", import.meta.url).pathname, "torch_unet_step.py");
  try {
    const out = await new Deno.Command("python3", {
      args: [
        script,
        ...["--threads", String(threads), "--steps", "20"],
        ...["--height", String(SMALL.net.inputHeight), "--width", String(SMALL.net.inputWidth)],
        ...["--depth", String(SMALL.net.depth)],
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) return null;
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  } catch {
    return null;
  }
}

/** Run the benchmark and report its numbers. */
export async function run(report: Report): Promise<void> {
  const cores = navigator.hardwareConcurrency ?? 1;
  const threads = Number(Deno.env.get("TF_NUM_INTRAOP_THREADS") ?? cores);
  // TensorFlow reads this once, when the backend starts.
  Deno.env.set("TF_NUM_INTRAOP_THREADS", String(threads));
  const data = [syntheticTrainSequence()];
  const lfAt = SMALL.loss?.flowResolution === "network" ? "Lf at 128×224" : "Lf at 427×240";
  const small = "small profile: UNet 16-32-64-128 K=4, 4×128×224, flow 427×240, " +
    `${lfAt}, N=2048, T=41, tracks ±${TRACK_NOISE_PX} px`;

  await initBackend("wasm");
  const wasm = await stepMs(SMALL, data, 5, 1);
  report("train.wasm.step_ms", wasm, "ms", `${small}, all losses, 1 thread`);

  const status = tensorflowStatus("cpu");
  if (!status.built) {
    report("train.tensorflow.step_ms", NaN, "ms", `not built: ${status.reason}`);
  } else {
    await initBackend("tensorflow");
    const native = await stepMs(SMALL, data, 15);
    report("train.tensorflow.step_ms", native, "ms", `${small}, all losses, ${threads} threads`);
    report("train.tensorflow_over_wasm", wasm / native, "x", "step speed-up, same run");
    const lfOnly = await stepMs(
      {
        ...SMALL,
        loss: { trajectory: false, temporal: false },
      },
      data,
      10,
    );
    report("train.tensorflow.lf_only_step_ms", lfOnly, "ms", "Lf only");
    const ltOnly = await stepMs(
      { ...SMALL, loss: { flow: false, temporal: false } },
      data,
      10,
    );
    report("train.tensorflow.lt_only_step_ms", ltOnly, "ms", "Lt only");
    await profile(data, report, "tensorflow");
    // torch at the same thread count, and at 1 (on a shared machine its 2-thread OpenMP pool
    // can be far slower); the ratio is taken against the faster one.
    const runs = [await torchStep(threads), threads > 1 ? await torchStep(1) : null];
    const ok = runs.filter((r): r is NonNullable<typeof r> => r !== null);
    if (ok.length) {
      ok.forEach((r) =>
        report(
          `train.torch.unet_step_${r.threads}t_ms`,
          r.step_ms,
          "ms",
          `PyTorch ${r.torch}, same UNet + AdamW, ${r.threads} thread(s) (no Lf/Lt/Lr)`,
        )
      );
      const best = Math.min(...ok.map((r) => r.step_ms));
      report(
        "train.tensorflow_over_torch",
        native / best,
        "x",
        "full step vs fastest torch UNet step",
      );
    } else {
      report("train.torch.unet_step_ms", NaN, "ms", "python3 -c 'import torch' fails: no anchor");
    }
  }
}

if (import.meta.main) {
  await run((name, value, unit, note) =>
    console.log(`${name}\t${value.toFixed(3)}\t${unit}${note ? `\t${note}` : ""}`)
  );
  Deno.exit(0);
}
