import assert from "node:assert/strict";
import { flatImage } from "../_test_scenes.ts";
import { GtFlow } from "./gt_flow.ts";
import { computeSequenceFlow } from "./sequence_flow.ts";

Deno.test("computeSequenceFlow: pairs, gaps, backward indexing and progress", async () => {
  const frames = Array.from({ length: 5 }, () => flatImage(4, 3));
  const calls: string[] = [];
  const est = new GtFlow((from, to) => {
    calls.push(`${from}>${to}`);
    return { width: 4, height: 3, uv: new Float32Array(24).fill(to - from) };
  });
  const progress: [number, number][] = [];
  const r = await computeSequenceFlow(est, frames, {
    gaps: [1, 3],
    onProgress: (d, t) => progress.push([d, t]),
  });
  assert.equal(r.length, 2);
  assert.equal(r[0].forward.length, 4);
  assert.equal(r[1].forward.length, 2);
  assert.equal(r[1].backward[0], null);
  assert.equal(r[1].backward[3]!.uv[0], -3);
  assert.equal(r[1].forward[1].uv[0], 3);
  assert.equal(calls.length, 12);
  assert.deepEqual(progress.at(-1), [12, 12]);
  await assert.rejects(() => computeSequenceFlow(est, frames, { gaps: [0] }), /positive/);
});
