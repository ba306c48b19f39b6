import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { allSubsets, frameScores, groupIous } from "./group_iou.ts";
import {
  foregroundFromGroups,
  groupProbability,
  type MaskStack,
  oracleBipartition,
} from "./merge.ts";
import { jaccard } from "./metrics.ts";
import type { LabelImage } from "../video/types.ts";
import { openDataset } from "../video/datasets.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";
import { uniforms } from "../core/random.ts";

/** Soft masks: a smooth random field per component, softmaxed; some values quantised to 0.5. */
function randomMasks(w: number, h: number, k: number, seed: number): MaskStack {
  const r = uniforms(seed);
  const centres = Array.from({ length: k }, () => [r() * w, r() * h, 0.2 + r()]);
  const data = new Float32Array(w * h * k);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const logits = centres.map(([cx, cy, s]) =>
        -s * Math.hypot(x - cx, y - cy) / Math.max(w, h) * 8 + 0.3 * r()
      );
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < k; c++) data[(y * w + x) * k + c] = e[c] / z;
      if (r() < 0.05) { // exact ties at the threshold
        data[(y * w + x) * k] = 0.5;
        data[(y * w + x) * k + 1] = 0.5;
        for (let c = 2; c < k; c++) data[(y * w + x) * k + c] = 0;
      }
    }
  }
  return { width: w, height: h, k, data };
}

function randomGt(w: number, h: number, seed: number): LabelImage {
  const r = uniforms(seed);
  const cx = r() * w, cy = r() * h, rad = (0.2 + 0.3 * r()) * Math.min(w, h);
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data[y * w + x] = Math.hypot(x - cx, y - cy) < rad ? 1 : 0;
  }
  return { width: w, height: h, data };
}

/** The reference: one full-size upsampling per grouping (merge.ts), thresholded both ways. */
function reference(masks: MaskStack, groups: Uint8Array, gt: LabelImage) {
  const p = groupProbability(masks, groups, gt.height, gt.width);
  return {
    fg: jaccard(p.map((v) => (v > 0.5 ? 1 : 0)), gt.data),
    bg: jaccard(p.map((v) => (1 - v > 0.5 ? 1 : 0)), gt.data),
    standard: foregroundFromGroups(masks, groups, gt).iou,
  };
}

Deno.test("groupIous equals the reference upsample-threshold-count for every subset", () => {
  const sizes: [number, number, number, number][] = [
    [112, 64, 854, 480], // DAVIS working size → GT
    [64, 36, 128, 72], // exact 2×
    [37, 23, 640, 480], // odd ratio
    [50, 40, 50, 40], // identity
    [60, 40, 45, 31], // downsampling
    [1, 1, 7, 5], // degenerate
  ];
  for (const [w, h, W, H] of sizes) {
    for (const k of [2, 4]) {
      const masks = randomMasks(w, h, k, w * 31 + k);
      const gt = randomGt(W, H, W + h);
      const subsets = allSubsets(k);
      const got = groupIous(masks, subsets, gt);
      subsets.forEach((g, j) => {
        const ref = reference(masks, g, gt);
        const at = `${w}x${h}→${W}x${H} K=${k} subset ${j}`;
        assert.equal(got[j].fg, ref.fg, at);
        assert.equal(got[j].bg, ref.bg, at);
        assert.equal(frameScores(masks, [g], gt).merged[0], ref.standard, at);
      });
      assert.equal(frameScores(masks, [], gt).oracle, oracleBipartition(masks, gt).iou);
    }
  }
});

Deno.test("groupIous: rejects a grouping of the wrong length", () => {
  const masks = randomMasks(20, 12, 3, 5);
  assert.throws(() => groupIous(masks, [new Uint8Array(2)], randomGt(83, 47, 9)), RangeError);
});

const davis = join(sharedDataRoot(), "davis2016");
if (!existsSync(davis)) {
  console.log(
    `SKIP eval/group_iou_test.ts (real DAVIS frames): ${davis} not found (set LRTL_SHARED_DATA or put ../shared beside the repository)`,
  );
}

Deno.test({
  name: "frameScores: identical J to the reference protocol on real DAVIS frames",
  ignore: !existsSync(davis),
  async fn() {
    const ds = openDataset("davis2016", sharedDataRoot());
    const seq = await ds.load(ds.sequences()[0], { maxFrames: 4 });
    for (const [t, gt] of seq.masks.entries()) {
      if (!gt) continue;
      // Soft masks at the network's size: the GT area-downsampled, blurred into K = 4 parts.
      const w = 112, h = 64, k = 4;
      const data = new Float32Array(w * h * k);
      const r = uniforms(t + 1);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const gx = Math.floor((x + 0.5) * gt.width / w),
            gy = Math.floor((y + 0.5) * gt.height / h);
          const fg = gt.data[gy * gt.width + gx] ? 0.8 : 0.1;
          const m = [fg * (x < w / 2 ? 0.7 : 0.3), fg * (x < w / 2 ? 0.3 : 0.7), 0, 0];
          m[2] = (1 - fg) * r();
          m[3] = 1 - m[0] - m[1] - m[2];
          for (let c = 0; c < k; c++) data[(y * w + x) * k + c] = m[c];
        }
      }
      const masks = { width: w, height: h, k, data };
      const groupings = [new Uint8Array([1, 1, 0, 0]), new Uint8Array([1, 0, 1, 0])];
      const fast = frameScores(masks, groupings, gt);
      assert.deepEqual(
        fast.merged,
        groupings.map((g) => foregroundFromGroups(masks, g, gt).iou),
      );
      assert.equal(fast.oracle, oracleBipartition(masks, gt).iou);
    }
  },
});
