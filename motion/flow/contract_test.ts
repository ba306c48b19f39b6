/**
 * One contract suite run against every flow estimator available on this machine.
 */
import assert from "node:assert/strict";
import { flatImage, rotatedPair, translatedPair } from "../_test_scenes.ts";
import { flowError, interiorMask } from "../flow_metrics.ts";
import type { FlowField } from "../types.ts";
import { availableFlowEstimators, createFlowEstimator } from "./create.ts";
import type { FlowEstimator, FlowEstimatorName } from "./estimator.ts";

const W = 75;
const H = 61;

/** Oracle lookup for gt: the pair's exact flow, registered per test. */
let oracle: FlowField | null = null;

async function make(name: FlowEstimatorName): Promise<FlowEstimator> {
  return await createFlowEstimator(name, {
    gt: () => {
      if (!oracle) throw new Error("no oracle flow set");
      return oracle;
    },
  });
}

function allFinite(f: FlowField): boolean {
  for (const x of f.uv) if (!Number.isFinite(x)) return false;
  return true;
}

// Per-estimator accuracy bounds (mean EPE, px) on the interior: DIS and Farneback are
// approximate; the loose ones still fail for zero flow (translation EPE ≈ 3.6 px).
const TOL: Record<string, { translate: number; rotate: number }> = {
  farneback: { translate: 0.3, rotate: 0.3 },
  "farneback-native": { translate: 0.3, rotate: 0.3 },
  dis: { translate: 0.3, rotate: 0.3 },
  tvl1: { translate: 0.3, rotate: 0.3 },
  gt: { translate: 1e-6, rotate: 1e-6 },
};

const available = availableFlowEstimators().filter((e) => e.available);
const unavailable = availableFlowEstimators().filter((e) => !e.available);
if (unavailable.length) {
  console.warn(
    `flow contract: skipping ${unavailable.map((e) => e.name).join(", ")}: ${
      unavailable[0].reason
    }`,
  );
}

for (const { name } of available) {
  const tol = TOL[name];
  const inner = interiorMask(W, H, 8);

  Deno.test(`flow contract [${name}]: known translation, size not divisible by 8`, async () => {
    const { a, b, flow } = translatedPair(W, H, 3.2, -1.7);
    oracle = flow;
    const est = await make(name);
    try {
      const f = await est.estimate(a, b, { from: 0, to: 1 });
      assert.equal(f.width, W);
      assert.equal(f.height, H);
      assert.equal(f.uv.length, W * H * 2);
      assert.ok(allFinite(f));
      const e = flowError(f, flow, { valid: inner });
      assert.ok(e.epe < tol.translate, `${name}: translation EPE ${e.epe.toFixed(3)} px`);
    } finally {
      est.dispose();
    }
  });

  Deno.test(`flow contract [${name}]: small rotation`, async () => {
    const { a, b, flow } = rotatedPair(W, H, 3);
    oracle = flow;
    const est = await make(name);
    try {
      const f = await est.estimate(a, b, { from: 0, to: 1 });
      const e = flowError(f, flow, { valid: inner });
      const zero = flowError({ width: W, height: H, uv: new Float32Array(W * H * 2) }, flow, {
        valid: inner,
      });
      assert.ok(e.epe < tol.rotate, `${name}: rotation EPE ${e.epe.toFixed(3)} px`);
      assert.ok(e.epe < 0.5 * zero.epe, `${name}: rotation EPE not better than zero flow`);
    } finally {
      est.dispose();
    }
  });

  Deno.test(`flow contract [${name}]: zero motion`, async () => {
    const { a, flow } = translatedPair(W, H, 0, 0);
    oracle = flow;
    const est = await make(name);
    try {
      const f = await est.estimate(a, a, { from: 0, to: 1 });
      const e = flowError(f, flow);
      assert.ok(e.epe < 0.05, `${name}: zero-motion EPE ${e.epe}`);
    } finally {
      est.dispose();
    }
  });

  Deno.test(`flow contract [${name}]: textureless input gives finite near-zero flow`, async () => {
    const a = flatImage(W, H, 120);
    const b = flatImage(W, H, 121);
    oracle = { width: W, height: H, uv: new Float32Array(W * H * 2) };
    const est = await make(name);
    try {
      const f = await est.estimate(a, b, { from: 0, to: 1 });
      assert.ok(allFinite(f), `${name}: NaN/Inf on textureless input`);
      const e = flowError(f, oracle);
      assert.ok(e.epe < 0.5, `${name}: textureless flow magnitude ${e.epe}`);
    } finally {
      est.dispose();
    }
  });

  Deno.test(`flow contract [${name}]: rejects mismatched sizes and use after dispose`, async () => {
    const est = await make(name);
    const { a } = translatedPair(W, H, 0, 0);
    const small = flatImage(W - 1, H);
    if (name !== "gt") {
      await assert.rejects(async () => await est.estimate(a, small, { from: 0, to: 1 }));
    }
    est.dispose();
    await assert.rejects(async () => await est.estimate(a, a, { from: 0, to: 1 }), /dispose/);
  });
}

Deno.test("flow: unknown estimator name and gt without lookup are errors", async () => {
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => createFlowEstimator("raft" as any),
    /Unknown flow estimator "raft"/,
  );
  await assert.rejects(() => createFlowEstimator("gt"), /needs opts\.gt/);
});
