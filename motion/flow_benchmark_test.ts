import assert from "node:assert/strict";
import { sharedDataRoot } from "../tests/_shared_data.ts";
import { availableFlowEstimators, createFlowEstimator } from "./flow/create.ts";
import { evaluateFlow, loadSintelLikePairs } from "./flow_benchmark.ts";

const root = `${sharedDataRoot()}/flow/sintel`;
const haveData = await Deno.stat(root).then(() => true, () => false);
const haveDis = availableFlowEstimators().some((e) => e.name === "dis" && e.available);

Deno.test({
  name: "flow benchmark (Sintel samples): DIS beats Farneback, both beat zero flow",
  ignore: !haveData,
  fn: async () => {
    const pairs = await loadSintelLikePairs(root);
    assert.ok(pairs.length >= 1);
    for (const p of pairs) assert.ok(p.valid.some((v) => v === 1), `${p.name}: nothing valid`);
    const zero = {
      name: "zero",
      estimate: (a: { width: number; height: number }) =>
        Promise.resolve({
          width: a.width,
          height: a.height,
          uv: new Float32Array(a.width * a.height * 2),
        }),
      dispose() {},
    };
    const z = await evaluateFlow(zero, pairs);
    const fb = await createFlowEstimator("farneback");
    const f = await evaluateFlow(fb, pairs);
    fb.dispose();
    const lines = [`zero ${z.meanEpe.toFixed(2)} px`, `farneback ${f.meanEpe.toFixed(2)} px`];
    assert.ok(f.meanEpe < z.meanEpe, lines.join(", "));
    if (haveDis) {
      const dis = await createFlowEstimator("dis", { preset: "medium" });
      const d = await evaluateFlow(dis, pairs);
      dis.dispose();
      lines.push(`dis-medium ${d.meanEpe.toFixed(2)} px`);
      assert.ok(d.meanEpe < f.meanEpe, lines.join(", "));
      // matching patches at the frames' own resolution instead of half of it
      const fine = await createFlowEstimator("dis", { preset: "medium", finestScale: 0 });
      const d0 = await evaluateFlow(fine, pairs);
      fine.dispose();
      lines.push(`dis-medium finest scale 0 ${d0.meanEpe.toFixed(2)} px`);
      assert.ok(d0.meanEpe < f.meanEpe, lines.join(", "));
    }
    console.log(`Sintel mean EPE over ${pairs.length} pairs: ${lines.join(", ")}`);
  },
});
