/**
 * Motion benchmark: flow time per frame at 480×854 for each estimator (OpenCV.js Farneback next
 * to native Farneback and DIS, same frames, one run), Sintel EPE, and flow-chain tracking
 * throughput on a DAVIS sequence. Run alone: `deno run -A bench/motion_bench.ts`.
 * @module
 */

import { readRgb } from "../formats/image.ts";
import {
  availableFlowEstimators,
  computeSequenceFlow,
  createFlowEstimator,
  evaluateFlow,
  FlowChainTracker,
  type FlowEstimator,
  loadSintelLikePairs,
} from "../motion/mod.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";
import type { RgbImage } from "../video/types.ts";

type Report = (name: string, value: number, unit: string, note?: string) => void;

async function davisFrames(seq: string, count: number): Promise<RgbImage[]> {
  const dir = `${sharedDataRoot()}/davis2016/JPEGImages/480p/${seq}`;
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".jpg"))
    .sort().slice(0, count);
  return await Promise.all(names.map((n) => readRgb(`${dir}/${n}`)));
}

async function medianMs(est: FlowEstimator, frames: RgbImage[], reps: number): Promise<number> {
  await est.estimate(frames[0], frames[1]); // warm-up
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const a = frames[i % (frames.length - 1)];
    const b = frames[(i % (frames.length - 1)) + 1];
    const t0 = performance.now();
    await est.estimate(a, b);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)];
}

/** Run the motion benchmarks and report each number. */
export async function run(report: Report): Promise<void> {
  const avail = new Set(availableFlowEstimators().filter((e) => e.available).map((e) => e.name));
  const frames = await davisFrames("blackswan", 6);
  const note = `${frames[0].width}×${frames[0].height} DAVIS blackswan, median, 1 thread`;
  const ms: Record<string, number> = {};
  const configs: [string, () => Promise<FlowEstimator>][] = [
    ["farneback (opencv.js)", () => createFlowEstimator("farneback")],
  ];
  if (avail.has("farneback-native")) {
    configs.push(["farneback (native)", () => createFlowEstimator("farneback-native")]);
    for (const p of ["ultrafast", "fast", "medium"] as const) {
      configs.push([`dis-${p} (native)`, () => createFlowEstimator("dis", { preset: p })]);
    }
  }
  for (const [name, make] of configs) {
    const est = await make();
    ms[name] = await medianMs(est, frames, 5);
    est.dispose();
    report(`flow ${name}`, ms[name], "ms/frame", note);
  }
  if (ms["farneback (native)"]) {
    report(
      "flow farneback opencv.js / native",
      ms["farneback (opencv.js)"] / ms["farneback (native)"],
      "ratio",
      "same frames, same parameters, one run; goal ≤ 2",
    );
  }

  const sintelRoot = `${sharedDataRoot()}/flow/sintel`;
  const pairs = await loadSintelLikePairs(sintelRoot);
  for (const name of ["farneback", "dis"] as const) {
    if (!avail.has(name)) continue;
    const est = await createFlowEstimator(name);
    const r = await evaluateFlow(est, pairs);
    est.dispose();
    report(
      `sintel EPE ${est.name}`,
      r.meanEpe,
      "px",
      `${pairs.length} clean pairs, mean over pairs`,
    );
  }

  const trackFrames = await davisFrames("blackswan", 20);
  const est = await createFlowEstimator(avail.has("dis") ? "dis" : "farneback");
  const t0 = performance.now();
  const [g1] = await computeSequenceFlow(est, trackFrames, { gaps: [1] });
  const flowS = (performance.now() - t0) / 1000;
  est.dispose();
  const t1 = performance.now();
  const tracks = await new FlowChainTracker({ flows: g1 }).track(trackFrames, { stride: 8 });
  const trackS = (performance.now() - t1) / 1000;
  report(
    "flow-chain tracking",
    (tracks.numTracks * tracks.numFrames) / trackS,
    "points×frames/s",
    `${tracks.numTracks} tracks × ${tracks.numFrames} frames (stride 8, every frame), excl. flow`,
  );
  report(`flow-chain flow (${est.name}, fwd+bwd)`, flowS, "s", `${trackFrames.length} frames`);
  report("peak rss", Deno.memoryUsage().rss / 2 ** 20, "MiB", "whole motion bench process");
}

if (import.meta.main) {
  await run((n, v, u, note) =>
    console.log(`${n}: ${v.toFixed(3)} ${u}${note ? `  (${note})` : ""}`)
  );
}
