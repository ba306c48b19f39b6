/**
 * Training-step benchmark: one step of the default UNet (16-32-64, K = 4, 64×112, batch 8 =
 * 2 groups of 4, all three losses) on the wasm backend with the project's gradient kernels, over
 * 20 steps of a small synthetic sequence (it/s, median step time, peak RSS); and the pure-JS cpu
 * backend at a tiny size for comparison (its conv gradients are too slow for the default size).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../learn/backend.ts";
import { train } from "../learn/train/train.ts";
import type { TrainConfig } from "../learn/train/config.ts";
import type { TrainSequence } from "../learn/train/batch.ts";
import { generateSequence } from "../video/synthetic/mod.ts";

type Report = (name: string, value: number, unit: string, note?: string) => void;

function syntheticTrainSequence(width: number, height: number, numFrames: number): TrainSequence {
  const s = generateSequence({ name: "bench", seed: 5, numFrames, width, height });
  return {
    name: "bench",
    frames: s.sequence.frames,
    flow: (t, gap, dir) => s.flows[dir][gap]?.[t] ?? null,
    tracks: s.tracks,
  };
}

async function runSteps(
  cfg: TrainConfig,
  data: TrainSequence[],
): Promise<{ stepMs: number[]; peakRss: number }> {
  const stepMs: number[] = [];
  let peakRss = Deno.memoryUsage().rss;
  let last = performance.now();
  const res = await train(cfg, data, {
    onStep() {
      const now = performance.now();
      stepMs.push(now - last);
      last = now;
      peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
    },
  });
  res.model.dispose();
  return { stepMs, peakRss };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** Run the benchmark and report its numbers. */
export async function run(report: Report): Promise<void> {
  const steps = 20;
  await initBackend("wasm");
  const data = [syntheticTrainSequence(112, 64, 24)];
  const cfg: TrainConfig = {
    net: { arch: "unet", width: 16, depth: 3, k: 4, inputHeight: 64, inputWidth: 112, seed: 0 },
    iterations: steps,
    groups: 2,
    numTracks: 2000,
    numTemporalTracks: 1000,
    context: 20,
  };
  const wasm = await runSteps(cfg, data);
  const warm = wasm.stepMs.slice(1);
  report(
    "train.wasm.step_ms",
    median(warm),
    "ms",
    `UNet 16-32-64 K=4, 8×64×112, median of ${warm.length}`,
  );
  report("train.wasm.it_per_s", 1000 / median(warm), "it/s", "default UNet, batch 8");
  report("train.wasm.first_step_ms", wasm.stepMs[0], "ms", "includes kernel warm-up");
  report("train.wasm.peak_rss", wasm.peakRss / 2 ** 20, "MiB", `over ${steps} steps`);

  await tf.setBackend("cpu");
  const tiny: TrainConfig = {
    ...cfg,
    net: { ...cfg.net, width: 4, depth: 2, k: 2, inputHeight: 24, inputWidth: 32 },
    iterations: 2,
    groups: 1,
    numTracks: 64,
    numTemporalTracks: 32,
    context: 3,
  };
  const tinyData = [syntheticTrainSequence(32, 24, 12)];
  const cpu = await runSteps(tiny, tinyData);
  report("train.cpu.tiny_step_ms", cpu.stepMs[1], "ms", "UNet 4-8 K=2, 4×24×32 (pure-JS backend)");
  await initBackend("wasm");
  const wasmTiny = await runSteps({ ...tiny, iterations: 3 }, tinyData);
  report("train.wasm.tiny_step_ms", median(wasmTiny.stepMs.slice(1)), "ms", "same tiny config");
  report(
    "train.cpu_over_wasm.tiny",
    cpu.stepMs[1] / median(wasmTiny.stepMs.slice(1)),
    "x",
    "step-time ratio, same run",
  );
}

if (import.meta.main) {
  await run((name, value, unit, note) =>
    console.log(`${name}\t${value.toFixed(3)}\t${unit}${note ? `\t${note}` : ""}`)
  );
}
