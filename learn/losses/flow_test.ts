import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { initBackend } from "../backend.ts";
import { flowLoss } from "./flow.ts";
import { resizeBilinearTf } from "../sample.ts";

await initBackend("wasm");

const [B, H, W, K] = [2, 12, 16, 3];

function quad(theta: number[], x: number, y: number): number {
  return theta[0] * x + theta[1] * y + theta[2] * x * x + theta[3] * y * y + theta[4] * x * y +
    theta[5];
}

/** Hard masks: three regions; flow quadratic per region (clipped values stay below 20). */
function scene(noise: number): { masks: Float32Array; flow: Float32Array } {
  const masks = new Float32Array(B * H * W * K);
  const flow = new Float32Array(B * H * W * 2);
  const thetas = [
    [[3, -2, 1, 0.5, 2, 1], [-1, 4, 0, 2, -3, 2]],
    [[-4, 1, 2, -2, 0, -3], [2, 2, 2, 2, 2, -5]],
    [[0, 0, 0, 0, 0, 6], [5, -5, 3, -1, 1, 0]],
  ];
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const p = (b * H + i) * W + j;
        const k = j < W / 3 + b ? 0 : i < H / 2 ? 1 : 2;
        masks[p * K + k] = 1;
        for (let c = 0; c < 2; c++) {
          flow[p * 2 + c] = quad(thetas[k][c], j / W, i / H) +
            noise * Math.sin(7 * p + 3 * c);
        }
      }
    }
  }
  return { masks, flow };
}

/** Lf of plain arrays (`weight`: `[B, H, W]` per-pixel weights), checking no tensor leaks. */
function loss(
  masks: Float32Array,
  flow: Float32Array,
  { clip = 20, weight }: { clip?: number; weight?: Float32Array } = {},
): number {
  const before = tf.memory().numTensors;
  const m = tf.tensor4d(masks, [B, H, W, K]), f = tf.tensor4d(flow, [B, H, W, 2]);
  const w = weight ? tf.tensor4d(weight, [B, H, W, 1]) : undefined;
  const l = flowLoss(m, f, { clip, weight: w });
  const v = l.dataSync()[0];
  tf.dispose([m, f, l, ...(w ? [w] : [])]);
  assert.equal(tf.memory().numTensors, before);
  return v;
}

Deno.test("flowLoss ≈ 0 for a flow exactly quadratic per hard mask, > 0 otherwise", () => {
  const exact = scene(0);
  const l0 = loss(exact.masks, exact.flow);
  assert.ok(l0 < 1e-6, `exact quadratic flow: ${l0}`);
  const noisy = scene(0.5);
  const l1 = loss(noisy.masks, noisy.flow);
  assert.ok(l1 > 1e-2, `noisy flow: ${l1}`);
  // one mask for everything cannot explain three motions
  const one = new Float32Array(B * H * W * K);
  for (let p = 0; p < B * H * W; p++) one[p * K] = 1;
  assert.ok(loss(one, exact.flow) > 0.1);
  // clipping changes the target: a flow of 30 px clipped at 20 is fitted exactly as 20
  const big = new Float32Array(B * H * W * 2).fill(30);
  assert.ok(loss(exact.masks, big, { clip: 20 }) < 1e-6);
});

/**
 * Asserts that the gradient of `f` (a scalar of [B,H,W,K] logits) at `logits` matches central
 * differences at a few entries, and that taking it leaks no tensor.
 */
function assertGradientMatchesDifferences(
  f: (lg: tf.Tensor) => tf.Scalar,
  logits: Float32Array,
): void {
  const lt = tf.tensor4d(logits, [B, H, W, K]);
  const before = tf.memory().numTensors;
  const g = tf.grad(f)(lt);
  const gv = g.dataSync();
  g.dispose();
  assert.equal(tf.memory().numTensors, before, "gradient leaked tensors");
  lt.dispose();
  const gmax = Math.max(...Array.from(gv, Math.abs));
  assert.ok(gmax > 0);
  for (const idx of [0, 7, 100, 333, 700, 1100]) {
    const eps = 1e-2;
    const val = (d: number) => {
      const a = logits.slice();
      a[idx] += d;
      return tf.tidy(() => f(tf.tensor4d(a, [B, H, W, K])).dataSync()[0]);
    };
    const fd = (val(eps) - val(-eps)) / (2 * eps);
    assert.ok(Math.abs(fd - gv[idx]) <= 2e-2 * gmax, `d[${idx}] ${gv[idx]} vs fd ${fd}`);
  }
}

Deno.test("flowLoss gradient w.r.t. masks matches central differences", () => {
  const s = scene(0.3);
  // soft masks from logits
  const logits = Float32Array.from(s.masks, (v, i) => 2 * v + 0.3 * Math.cos(i));
  const flow = tf.tensor4d(s.flow, [B, H, W, 2]);
  assertGradientMatchesDifferences(
    (lg) => flowLoss(tf.softmax(lg) as tf.Tensor4D, flow),
    logits,
  );
  flow.dispose();
});

Deno.test("flowLoss units: flow (and clip) × s gives Lf × s², so 854-px units weigh (854/W)²", () => {
  const s = scene(0.4);
  for (const f of [854 / 112, 854 / 256, 0.5]) {
    const scaled = s.flow.map((v) => v * f);
    const a = loss(s.masks, s.flow, { clip: 4 }), b = loss(s.masks, scaled, { clip: 4 * f });
    assert.ok(Math.abs(b / a - f * f) <= 1e-4 * f * f, `×${f}: ratio ${b / a}`);
  }
});

Deno.test("flowLoss upsamples low-resolution masks to the flow's resolution (differentiably)", () => {
  const s = scene(0.3);
  const [h, w] = [H / 2, W / 2];
  // coarse soft masks: mean-pool the hard masks, then soften
  const coarse = new Float32Array(B * h * w * K);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        for (let k = 0; k < K; k++) {
          coarse[((b * h + (i >> 1)) * w + (j >> 1)) * K + k] +=
            s.masks[((b * H + i) * W + j) * K + k] / 4;
        }
      }
    }
  }
  const before = tf.memory().numTensors;
  const mc = tf.tensor4d(coarse, [B, h, w, K]);
  const flow = tf.tensor4d(s.flow, [B, H, W, 2]);
  const up = resizeBilinearTf(mc, H, W);
  const direct = flowLoss(mc, flow), explicit = flowLoss(up, flow);
  assert.ok(Math.abs(direct.dataSync()[0] - explicit.dataSync()[0]) <= 1e-6);
  const g = tf.grad((x: tf.Tensor) => flowLoss(x as tf.Tensor4D, flow))(mc);
  const gv = g.dataSync();
  const gmax = Math.max(...Array.from(gv, Math.abs));
  for (const idx of [1, 30, 77, 150]) {
    const eps = 1e-2;
    const val = (d: number) => {
      const a = coarse.slice();
      a[idx] += d;
      return tf.tidy(() => flowLoss(tf.tensor4d(a, [B, h, w, K]), flow).dataSync()[0]);
    };
    const fd = (val(eps) - val(-eps)) / (2 * eps);
    assert.ok(Math.abs(fd - gv[idx]) <= 2e-2 * gmax, `d[${idx}] ${gv[idx]} vs fd ${fd}`);
  }
  tf.dispose([mc, flow, up, direct, explicit, g]);
  assert.equal(tf.memory().numTensors, before);
});

/** Weighted Lf in float64, written out independently: per-component normal equations. */
function weightedLossF64(masks: Float32Array, flow: Float32Array, v: Float32Array): number {
  let total = 0;
  for (let b = 0; b < B; b++) {
    const fhat = new Float64Array(H * W * 2);
    for (let k = 0; k < K; k++) {
      const a = Array.from({ length: 6 }, () => new Float64Array(8)); // [A | R] augmented
      for (let p = 0; p < H * W; p++) {
        const q = b * H * W + p;
        const x = (p % W) / W, y = Math.floor(p / W) / H;
        const phi = [x, y, x * x, y * y, x * y, 1];
        const wgt = v[q] * masks[q * K + k] ** 2;
        for (let i = 0; i < 6; i++) {
          for (let j = 0; j < 6; j++) a[i][j] += wgt * phi[i] * phi[j];
          for (let c = 0; c < 2; c++) a[i][6 + c] += wgt * phi[i] * flow[q * 2 + c];
        }
      }
      const ridge = 1e-6 * (a[0][0] + a[1][1] + a[2][2] + a[3][3] + a[4][4] + a[5][5]) / 6;
      for (let i = 0; i < 6; i++) a[i][i] += ridge + 1e-12;
      for (let i = 0; i < 6; i++) { // Gauss-Jordan
        for (let r = 0; r < 6; r++) {
          if (r === i) continue;
          const f = a[r][i] / a[i][i];
          for (let j = i; j < 8; j++) a[r][j] -= f * a[i][j];
        }
      }
      const theta = [0, 1].map((c) => a.map((row, i) => row[6 + c] / a[i][i]));
      for (let p = 0; p < H * W; p++) {
        const x = (p % W) / W, y = Math.floor(p / W) / H;
        for (let c = 0; c < 2; c++) {
          fhat[p * 2 + c] += masks[(b * H * W + p) * K + k] * quad(theta[c], x, y);
        }
      }
    }
    for (let p = 0; p < H * W; p++) {
      const q = b * H * W + p;
      for (let c = 0; c < 2; c++) total += v[q] * (flow[q * 2 + c] - fhat[p * 2 + c]) ** 2;
    }
  }
  return total / (B * H * W * 2);
}

Deno.test("flowLoss with a per-pixel weight matches a float64 reference; weight 1 is the plain loss", () => {
  const s = scene(0.4);
  const soft = Float32Array.from(s.masks, (m, i) => 0.1 + 0.7 * m + 0.05 * Math.sin(i));
  const ones = new Float32Array(B * H * W).fill(1);
  assert.ok(Math.abs(loss(soft, s.flow, { weight: ones }) - loss(soft, s.flow)) <= 1e-6);
  const cases: [string, Float32Array][] = [
    ["graded", Float32Array.from(ones, (_, i) => 0.5 + 0.5 * Math.cos(i))],
    ["mostly zero", Float32Array.from(ones, (_, i) => (i % 7 === 0 ? 1 : 0))],
    ["tiny", Float32Array.from(ones, () => 1e-4)],
  ];
  for (const [name, v] of cases) {
    const got = loss(soft, s.flow, { weight: v }), ref = weightedLossF64(soft, s.flow, v);
    assert.ok(Math.abs(got - ref) <= 1e-4 * ref + 1e-9, `${name}: ${got} vs f64 ${ref}`);
  }
});

Deno.test("flowLoss with weight 0 on corrupted pixels ignores them; its gradient matches differences", () => {
  const s = scene(0);
  const v = new Float32Array(B * H * W).fill(1);
  const bad = s.flow.slice();
  for (let p = 0; p < B * H * W; p += 5) {
    v[p] = 0;
    bad[2 * p] = 15; // an occlusion-like outlier
  }
  assert.ok(loss(s.masks, bad) > 1, "the outliers cost the unweighted loss");
  assert.ok(loss(s.masks, bad, { weight: v }) < 1e-6, "weight 0 removes them");
  const logits = Float32Array.from(s.masks, (m, i) => 2 * m + 0.3 * Math.cos(i));
  const flow = tf.tensor4d(bad, [B, H, W, 2]);
  const wt = tf.tensor4d(v.map((x, i) => x * (0.6 + 0.4 * Math.sin(i))), [B, H, W, 1]);
  assertGradientMatchesDifferences(
    (lg) => flowLoss(tf.softmax(lg) as tf.Tensor4D, flow, { weight: wt }),
    logits,
  );
  tf.dispose([flow, wt]);
  assert.throws(
    () =>
      flowLoss(tf.zeros([B, H, W, K]), tf.zeros([B, H, W, 2]), { weight: tf.ones([B, H, W, 2]) }),
    /weight \[2,12,16,2\] must be \[2,12,16,1\]/,
  );
});
