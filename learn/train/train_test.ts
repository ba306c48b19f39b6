import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { initBackend } from "../backend.ts";
import { train } from "./train.ts";
import { loadCheckpoint } from "./checkpoint.ts";
import { WeightAverage } from "./weight_average.ts";
import { resolveTrainConfig, type TrainConfig } from "./config.ts";
import { movingSquare, SCENE } from "./_synthetic_scene_test_util.ts";

const base: TrainConfig = {
  net: {
    arch: "unet",
    width: 4,
    depth: 2,
    k: 2,
    inputHeight: SCENE.height,
    inputWidth: SCENE.width,
    seed: 7,
  },
  seed: 11,
  gaps: [1, 2],
  train: { steps: 20, groups: 1, lr: 1e-2, warmup: 3, context: 3, tracks: 48 },
  internals: { numTemporalTracks: 32 },
};

Deno.test("train: a few dozen steps on a moving square reduce the loss; memory is flat", async () => {
  await initBackend("auto"); // tensorflow when built, else wasm (cpu conv gradients are too slow)
  const data = [movingSquare()];
  const totals: number[] = [];
  const tensors: number[] = [];
  const before = tf.memory().numTensors;
  const res = await train(base, data, {
    onStep(step, losses, itPerSec) {
      assert.equal(step, totals.length + 1);
      assert.ok(itPerSec > 0);
      for (const k of ["flow", "trajectory", "temporal", "total", "grad_norm", "lr"]) {
        assert.ok(Number.isFinite(losses[k]), `${k} = ${losses[k]}`);
      }
      totals.push(losses.total);
      tensors.push(tf.memory().numTensors);
    },
  });
  assert.equal(res.step, 20);
  assert.equal(tensors[1], tensors[4], "tensor count grows between steps 2 and 5");
  assert.equal(tensors[1], tensors[19]);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const first = mean(totals.slice(0, 5));
  const last = mean(totals.slice(-5));
  assert.ok(last < 0.8 * first, `loss did not decrease: first ${first}, last ${last}`);
  res.model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("train: an aborted run resumes from its checkpoint exactly", async () => {
  await initBackend("auto"); // tensorflow when built, else wasm (cpu conv gradients are too slow)
  const dir = await Deno.makeTempDir();
  try {
    const cfg: TrainConfig = { ...base, train: { ...base.train, steps: 4, checkpointEvery: 100 } };
    const data = [movingSquare()];
    const straight = await train(cfg, data);
    const ref = straight.model.getWeights();
    straight.model.dispose();

    const ac = new AbortController();
    const ckCfg = { ...cfg, checkpointDir: `${dir}/ck` };
    const checkpoints: number[] = [];
    const first = await train(ckCfg, data, {
      signal: ac.signal,
      onStep: (s) => s === 2 && ac.abort(),
      onCheckpoint: ({ step }) => void checkpoints.push(step),
    });
    assert.equal(first.aborted, true);
    assert.equal(first.step, 2);
    first.model.dispose();
    const steps: number[] = [];
    const resumed = await train(ckCfg, data, { onStep: (s) => void steps.push(s) });
    assert.deepEqual(steps, [3, 4]);
    assert.deepEqual(checkpoints, [2]);
    const got = resumed.model.getWeights();
    resumed.model.dispose();
    for (let i = 0; i < ref.length; i++) assert.deepEqual(got[i].data, ref[i].data, ref[i].name);

    await assert.rejects(
      () => train({ ...ckCfg, train: { ...ckCfg.train, lr: 1 } }, data),
      /Cannot resume from checkpoint .* different config/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train: with train.ema the model is the weights' average, and a resumed run continues it exactly", async () => {
  await initBackend("auto");
  const dir = await Deno.makeTempDir();
  try {
    const data = [movingSquare()];
    const cfg = (ema: number): TrainConfig => ({
      ...base,
      train: { ...base.train, steps: 4, checkpointEvery: 100, ema },
    });
    const plain = await train(cfg(0), data);
    const last = plain.model.getWeights();
    plain.model.dispose();
    const before = tf.memory().numTensors;
    // every step's weights, read back from a checkpoint written after each step
    const mine = new WeightAverage(0.5);
    const everyStep = `${dir}/every-step`;
    const straight = await train(
      { ...cfg(0.5), checkpointDir: everyStep, train: { ...cfg(0.5).train, checkpointEvery: 1 } },
      data,
      {
        onCheckpoint: async ({ step }) =>
          mine.update((await loadCheckpoint(everyStep))!.weights, step),
      },
    );
    const ref = straight.model.getWeights();
    straight.model.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(ref, mine.state(), "the model is the average of the steps' weights");
    // same training as the plain one, so a different model only because it is the average
    assert.ok(ref.some((w, i) => w.data.some((x, j) => x !== last[i].data[j])));

    const ac = new AbortController();
    const ckCfg = { ...cfg(0.5), checkpointDir: `${dir}/ck` };
    const first = await train(ckCfg, data, {
      signal: ac.signal,
      onStep: (s) => s === 2 && ac.abort(),
    });
    first.model.dispose();
    const ck = await loadCheckpoint(`${dir}/ck`);
    assert.equal(ck?.average?.length, ref.length, "the checkpoint holds the average");
    const resumed = await train(ckCfg, data);
    const got = resumed.model.getWeights();
    resumed.model.dispose();
    for (let i = 0; i < ref.length; i++) assert.deepEqual(got[i].data, ref[i].data, ref[i].name);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train: Lt is rescaled to the paper's N by default (σ ∝ √N), raw with referenceTracks 0", async () => {
  await initBackend("wasm");
  const data = [movingSquare()];
  const firstLt = async (cfg: TrainConfig) => {
    let lt = NaN;
    const r = await train({ ...cfg, train: { ...cfg.train, steps: 1 } }, data, {
      onStep: (_s, losses) => void (lt = losses.trajectory),
    });
    r.model.dispose();
    return lt;
  };
  // rank 1: the square's exact translations leave no tail beyond rank 5
  const scaled = await firstLt({ ...base, loss: { rank: 1 } });
  const raw = await firstLt({ ...base, loss: { rank: 1, trajectoryTracks: 0 } });
  assert.ok(raw > 0);
  const want = Math.sqrt(70000 / base.train!.tracks!);
  assert.ok(Math.abs(scaled / raw - want) <= 1e-5 * want, `ratio ${scaled / raw} vs ${want}`);
  assert.throws(
    () => resolveTrainConfig({ ...base, loss: { trajectoryTracks: -1 } }),
    /loss\.trajectoryTracks/,
  );
});

Deno.test("train: loss.flowConsistency drops the occluded pixels from Lf; memory stays flat", async () => {
  await initBackend("wasm");
  const data = [movingSquare()];
  const run = async (flowConsistency: boolean) => {
    const lf: number[] = [], tensors: number[] = [];
    const r = await train(
      { ...base, train: { ...base.train, steps: 3 }, loss: { flowConsistency } },
      data,
      {
        onStep: (_s, losses) => {
          lf.push(losses.flow);
          tensors.push(tf.memory().numTensors);
        },
      },
    );
    r.model.dispose();
    return { lf, tensors };
  };
  const plain = await run(false), weighted = await run(true);
  assert.ok(weighted.lf.every(Number.isFinite));
  // same batch and weights at step 1: only the occluded pixels' weight differs
  assert.notEqual(weighted.lf[0], plain.lf[0]);
  assert.equal(weighted.tensors[0], weighted.tensors[2], "tensor count grows");
});
