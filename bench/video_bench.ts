/**
 * Video benchmarks: synthetic generator throughput (default preset size and 854×480) and DAVIS
 * sample loading + resize throughput.
 * @module
 */

import { join } from "node:path";
import { sharedDataRoot } from "../tests/_shared_data.ts";
import { openDataset } from "../video/datasets.ts";
import { generateSequence } from "../video/synthetic/mod.ts";

/** Run the video benchmarks, reporting each number through `report`. */
export async function run(
  report: (name: string, value: number, unit: string, note?: string) => void,
): Promise<void> {
  for (const [w, h, T] of [[256, 144, 16], [854, 480, 4]]) {
    generateSequence({ name: "warm", seed: 1, numFrames: 2, width: 64, height: 36 });
    const t0 = performance.now();
    generateSequence({ name: "b", seed: 42, numFrames: T, width: w, height: h, numObjects: 3 });
    const s = (performance.now() - t0) / 1000;
    report(`synthetic_generate_${w}x${h}`, T / s, "frames/s", "frame + mask + 4 flows + tracks");
    const t1 = performance.now();
    generateSequence({
      name: "b",
      seed: 42,
      numFrames: T,
      width: w,
      height: h,
      numObjects: 3,
      flowGaps: [],
      trackQueryEvery: T,
    });
    report(
      `synthetic_render_${w}x${h}`,
      T / ((performance.now() - t1) / 1000),
      "frames/s",
      "frame + mask only",
    );
  }
  const root = join(sharedDataRoot(), "davis2016");
  const ds = openDataset("davis2016", root);
  const seq = ds.sequences()[0];
  const n = 20;
  await ds.load(seq, { maxFrames: 2 });
  const t2 = performance.now();
  await ds.load(seq, { maxFrames: n, resize: { width: 256, height: 144 } });
  report(
    "davis_load_resize_256x144",
    n / ((performance.now() - t2) / 1000),
    "frames/s",
    `${seq}, JPEG+PNG`,
  );
}

if (import.meta.main) {
  await run((name, value, unit, note) =>
    console.log(`${name}: ${value.toFixed(2)} ${unit}${note ? ` (${note})` : ""}`)
  );
}
