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

function loss(masks: Float32Array, flow: Float32Array, clip = 20): number {
  const before = tf.memory().numTensors;
  const m = tf.tensor4d(masks, [B, H, W, K]), f = tf.tensor4d(flow, [B, H, W, 2]);
  const l = flowLoss(m, f, { clip });
  const v = l.dataSync()[0];
  tf.dispose([m, f, l]);
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
  assert.ok(loss(exact.masks, big, 20) < 1e-6);
});

Deno.test("flowLoss gradient w.r.t. masks matches central differences", () => {
  const s = scene(0.3);
  // soft masks from logits
  const logits = Float32Array.from(s.masks, (v, i) => 2 * v + 0.3 * Math.cos(i));
  const flow = tf.tensor4d(s.flow, [B, H, W, 2]);
  const f = (lg: tf.Tensor) => flowLoss(tf.softmax(lg) as tf.Tensor4D, flow);
  const lt = tf.tensor4d(logits, [B, H, W, K]);
  const before = tf.memory().numTensors;
  const g = tf.grad(f)(lt);
  const gv = g.dataSync();
  g.dispose();
  assert.equal(tf.memory().numTensors, before, "gradient leaked tensors");
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
  tf.dispose([flow, lt]);
});

Deno.test("flowLoss units: flow (and clip) × s gives Lf × s², so 854-px units weigh (854/W)²", () => {
  const s = scene(0.4);
  for (const f of [854 / 112, 854 / 256, 0.5]) {
    const scaled = s.flow.map((v) => v * f);
    const a = loss(s.masks, s.flow, 4), b = loss(s.masks, scaled, 4 * f);
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
