/**
 * Evaluation benchmark: per-frame cost of scoring a 112×64×4 mask stack against 854×480 DAVIS
 * ground truth, the reference protocol (one full-size bilinear upsampling per union: motion and
 * colour merges plus the oracle's 15) against the one-pass `frameScores`, same masks, one run,
 * plus the network's forward pass per frame (what remains of `evaluate`'s time) on wasm and, when
 * built, on tensorflow — also for the `small` recipe's network (128×224, depth 4). The per-frame
 * cost of `evaluate` before (reference scoring + wasm forward, the setting the evaluation
 * issue measured) over now (one pass + the auto-selected tensorflow) is reported as a ratio.
 * Run alone: `deno run -A bench/eval_bench.ts`.
 * @module
 */
import { initBackend } from "../learn/backend.ts";
import { tensorflowStatus } from "../learn/tfjs_node.ts";
import { createSegmenter, type Segmenter, type SegmenterConfig } from "../learn/net/mod.ts";
import type { RgbImage } from "../video/types.ts";
import {
  asMaskStack,
  foregroundFromGroups,
  mergeByColour,
  oracleBipartition,
  predictMasks,
} from "../eval/mod.ts";
import { frameScores } from "../eval/group_iou.ts";
import { openDataset } from "../video/datasets.ts";
import { resizeRgb } from "../formats/image.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";

type Report = (name: string, value: number, unit: string, note?: string) => void;

/** The network of the `small` profile when the evaluation issue was measured (64×112, depth 3). */
const OLD_NET: SegmenterConfig = {
  arch: "unet",
  width: 16,
  depth: 3,
  k: 4,
  inputWidth: 112,
  inputHeight: 64,
  seed: 0,
};
/** The `small` recipe's network now (stages/params.ts): 128×224, depth 4. */
const SMALL_NET: SegmenterConfig = { ...OLD_NET, depth: 4, inputWidth: 224, inputHeight: 128 };

/** The masks of `frames` and the mean forward time per frame (after a warm-up batch). */
async function timedPredict(net: Segmenter, frames: RgbImage[]) {
  await predictMasks(net, frames.slice(0, 8));
  const t0 = performance.now();
  const masks = await predictMasks(net, frames);
  return { masks, ms: (performance.now() - t0) / frames.length };
}

/** Mean forward time per frame of a fresh `cfg` network. */
async function forwardMs(cfg: SegmenterConfig, frames: RgbImage[]): Promise<number> {
  const net = createSegmenter(cfg);
  try {
    return (await timedPredict(net, frames)).ms;
  } finally {
    net.dispose();
  }
}

/** Run the evaluation benchmarks and report each number. */
export async function run(report: Report): Promise<void> {
  await initBackend("wasm");
  const ds = openDataset("davis2016", sharedDataRoot());
  const seq = await ds.load(ds.sequences()[0], { maxFrames: 12 });
  const frames = await Promise.all(
    seq.frames.map((f) => resizeRgb(f, { width: 256, height: 144 })),
  );
  const net = createSegmenter(OLD_NET);
  try {
    const { masks, ms: predictMs } = await timedPredict(net, frames);
    const stacks = masks.map((m) => asMaskStack(net, m));
    const groups = stacks.map((s, t) => mergeByColour(s, frames[t]));
    const time = (f: (t: number) => void) => {
      const s = performance.now();
      for (let t = 0; t < stacks.length; t++) f(t);
      return (performance.now() - s) / stacks.length;
    };
    const refJ: number[] = [], fastJ: number[] = [];
    const ref = time((t) => {
      const g = seq.masks[t]!;
      refJ.push(foregroundFromGroups(stacks[t], groups[t], g).iou);
      foregroundFromGroups(stacks[t], groups[t], g);
      refJ.push(oracleBipartition(stacks[t], g).iou);
    });
    const fast = time((t) => {
      const r = frameScores(stacks[t], [groups[t]], seq.masks[t]!);
      fastJ.push(r.merged[0], r.oracle);
    });
    const same = refJ.every((v, i) => v === fastJ[i]);
    const note = `${seq.name}, ${frames.length} frames, untrained UNet 16-32-64 (soft masks)`;
    report("score a frame, reference (17 full-size upsamplings)", ref, "ms", note);
    report("score a frame, one pass (frameScores)", fast, "ms", `same J: ${same}`);
    report("scoring speed-up", ref / fast, "×");
    report("network forward per frame (tfjs-wasm, batch 8)", predictMs, "ms");
    const before = ref + predictMs;
    report("evaluate per frame before: reference scoring + wasm forward", before, "ms");
    const status = tensorflowStatus("cpu");
    if (!status.built) {
      report("network forward per frame (tensorflow)", NaN, "ms", `not built: ${status.reason}`);
      report("evaluate speed-up, before / now", before / (fast + predictMs), "×", "wasm only");
      return;
    }
    await initBackend("tensorflow");
    const tfMs = await forwardMs(OLD_NET, frames);
    report("network forward per frame (tensorflow, batch 8)", tfMs, "ms", "same 64×112 UNet");
    report("evaluate per frame now: one pass + tensorflow forward", fast + tfMs, "ms");
    report("evaluate speed-up, before / now", before / (fast + tfMs), "×", "same network");
    const small = await forwardMs(SMALL_NET, frames);
    report("network forward per frame, small recipe's 128×224 UNet (tensorflow)", small, "ms");
  } finally {
    net.dispose();
  }
}

if (import.meta.main) {
  await run((n, v, u, note) => console.log(n, v.toFixed(2), u, note ?? ""));
  Deno.exit(0);
}
