import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { Matrix, SVD } from "ml-matrix";
import { initBackend } from "../backend.ts";
import { trajectoryLoss, type TrajectoryLossVariant } from "./trajectory.ts";

await initBackend("wasm");

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Float64 reference for one (b, k): SVD of P = C diag(w). */
function refLoss(
  c: Float64Array,
  t2: number,
  n: number,
  w: Float64Array,
  rank: number,
  variant: TrajectoryLossVariant,
): number {
  const rows: number[][] = [];
  for (let i = 0; i < t2; i++) {
    rows.push(Array.from({ length: n }, (_, j) => c[i * n + j] * w[j]));
  }
  const s = new SVD(new Matrix(rows), { autoTranspose: true }).diagonal.sort((a, b) => b - a);
  const tail = s.slice(rank).reduce((a, b) => a + b, 0);
  const total = s.reduce((a, b) => a + b, 0);
  switch (variant) {
    case "tail":
      return tail;
    case "nuclear":
      return total;
    case "squared-tail":
      return s.slice(rank).reduce((a, b) => a + b * b, 0);
    case "normalised-tail":
      return tail / total;
  }
}

/** Mean reference loss over a [B,2T,N] coords array and [B,K,N] weights. */
function refMean(
  c: Float64Array,
  w: Float64Array,
  b: number,
  k: number,
  t2: number,
  n: number,
  rank: number,
  variant: TrajectoryLossVariant,
): number {
  let sum = 0;
  for (let bi = 0; bi < b; bi++) {
    for (let ki = 0; ki < k; ki++) {
      sum += refLoss(
        c.subarray(bi * t2 * n, (bi + 1) * t2 * n),
        t2,
        n,
        w.subarray((bi * k + ki) * n, (bi * k + ki + 1) * n),
        rank,
        variant,
      );
    }
  }
  return sum / (b * k);
}

function lossOf(
  c: Float64Array,
  w: Float64Array,
  shape: [number, number, number, number],
  rank: number,
  variant: TrajectoryLossVariant,
  refine = true,
): number {
  const [b, k, t2, n] = shape;
  const before = tf.memory().numTensors;
  const ct = tf.tensor3d(Float32Array.from(c), [b, t2, n]);
  const wt = tf.tensor3d(Float32Array.from(w), [b, k, n]);
  const l = trajectoryLoss(ct, wt, { rank, variant, refine });
  const v = l.dataSync()[0];
  tf.dispose([ct, wt, l]);
  assert.equal(tf.memory().numTensors, before);
  return v;
}

Deno.test("trajectoryLoss matches a float64 SVD on random matrices (all variants)", () => {
  const r = rng(7);
  const [b, k, t2, n] = [2, 3, 10, 40];
  const c = Float64Array.from({ length: b * t2 * n }, () => 500 * r());
  const w = Float64Array.from({ length: b * k * n }, () => 0.01 + 0.98 * r());
  for (const variant of ["tail", "nuclear", "squared-tail", "normalised-tail"] as const) {
    for (const refine of [true, false]) {
      const got = lossOf(c, w, [b, k, t2, n], 3, variant, refine);
      const want = refMean(c, w, b, k, t2, n, 3, variant);
      const rel = Math.abs(got - want) / Math.abs(want);
      assert.ok(rel <= 1e-4, `${variant} refine=${refine}: ${got} vs ${want} (rel ${rel})`);
    }
  }
});

/** Rank-`rank` trajectories (plus optional noise) in pixel units for `n` points, 2T rows. */
function lowRankTracks(
  r: () => number,
  t2: number,
  n: number,
  rank: number,
  noise: number,
): Float64Array {
  const basis = Array.from({ length: rank }, () => Float64Array.from({ length: t2 }, () => r()));
  const out = new Float64Array(t2 * n);
  for (let j = 0; j < n; j++) {
    const coef = Array.from({ length: rank }, (_, q) => (q === 0 ? 400 : 60) * r());
    for (let i = 0; i < t2; i++) {
      let v = 0;
      for (let q = 0; q < rank; q++) v += coef[q] * basis[q][i];
      out[i * n + j] = v + noise * (r() - 0.5);
    }
  }
  return out;
}

Deno.test("the float64 Gram keeps the tail accurate on realistic (ill-conditioned) trajectories", () => {
  const r = rng(11);
  const [t2, n, rank] = [82, 3000, 5];
  const c = lowRankTracks(r, t2, n, rank, 1.0); // ~400 px values, ~0.3 px noise tail
  const w = Float64Array.from({ length: n }, () => 0.2 + 0.8 * r());
  const want = refLoss(c, t2, n, w, rank, "tail");
  const got = lossOf(c, w, [1, 1, t2, n], rank, "tail", true);
  const rel = Math.abs(got - want) / want;
  assert.ok(rel <= 1e-3, `refined tail ${got} vs ${want} (rel ${rel})`);
});

Deno.test("trajectoryLoss gradient matches float64 central differences", () => {
  const r = rng(3);
  const [b, k, t2, n, rank] = [2, 2, 6, 9, 2];
  const c = Float64Array.from({ length: b * t2 * n }, () => 100 * r());
  const w = Float64Array.from({ length: b * k * n }, () => 0.05 + 0.9 * r());
  for (const variant of ["tail", "nuclear", "squared-tail", "normalised-tail"] as const) {
    const before = tf.memory().numTensors;
    const ct = tf.tensor3d(Float32Array.from(c), [b, t2, n]);
    const wt = tf.tensor3d(Float32Array.from(w), [b, k, n]);
    const [gc, gw] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      trajectoryLoss(x as tf.Tensor3D, y as tf.Tensor3D, { rank, variant })
    )([ct, wt]);
    const gcv = gc.dataSync(), gwv = gw.dataSync();
    tf.dispose([ct, wt, gc, gw]);
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    const f = (cc: Float64Array, ww: Float64Array) => refMean(cc, ww, b, k, t2, n, rank, variant);
    const gmax = Math.max(...Array.from(gwv, Math.abs));
    for (const idx of [0, 5, 13, 22, 35]) {
      const h = 1e-6;
      const wp = w.slice(), wm = w.slice();
      wp[idx] += h;
      wm[idx] -= h;
      const fd = (f(c, wp) - f(c, wm)) / (2 * h);
      assert.ok(
        Math.abs(fd - gwv[idx]) <= 1e-3 * gmax,
        `${variant} dw[${idx}] ${gwv[idx]} vs ${fd}`,
      );
    }
    const cmax = Math.max(...Array.from(gcv, Math.abs));
    for (const idx of [1, 17, 40, 77, 100]) {
      const h = 1e-4;
      const cp = c.slice(), cm = c.slice();
      cp[idx] += h;
      cm[idx] -= h;
      const fd = (f(cp, w) - f(cm, w)) / (2 * h);
      assert.ok(
        Math.abs(fd - gcv[idx]) <= 1e-3 * cmax,
        `${variant} dc[${idx}] ${gcv[idx]} vs ${fd}`,
      );
    }
  }
});

Deno.test("trajectoryLoss ≈ 0 for a correct split of rank-r objects, larger when merged or split", () => {
  const r = rng(5);
  const [t2, nPer, rank] = [20, 60, 4];
  const a = lowRankTracks(r, t2, nPer, rank, 0);
  const bObj = lowRankTracks(r, t2, nPer, rank, 0);
  const n = 2 * nPer;
  const c = new Float64Array(t2 * n);
  for (let i = 0; i < t2; i++) {
    for (let j = 0; j < nPer; j++) {
      c[i * n + j] = a[i * nPer + j];
      c[i * n + nPer + j] = bObj[i * nPer + j];
    }
  }
  const lo = 1e-6, hi = 1 - 1e-6;
  const masks = (f: (j: number) => number) => {
    const w = new Float64Array(2 * n);
    for (let j = 0; j < n; j++) {
      w[j] = f(j);
      w[n + j] = 1 - f(j);
    }
    return w;
  };
  const correct = lossOf(c, masks((j) => (j < nPer ? hi : lo)), [1, 2, t2, n], rank, "tail");
  const merged = lossOf(c, masks(() => hi), [1, 2, t2, n], rank, "tail");
  // each object split across both masks (alternate points)
  const split = lossOf(c, masks((j) => (j % 2 === 0 ? hi : lo)), [1, 2, t2, n], rank, "tail");
  const half = lossOf(c, masks(() => 0.5), [1, 2, t2, n], rank, "tail");
  assert.ok(merged > 100, `merged loss should be large, got ${merged}`);
  assert.ok(correct < 1e-3 * merged, `correct ${correct} vs merged ${merged}`);
  assert.ok(split > 100 * correct && split > 0.1 * merged, `split ${split}`);
  assert.ok(half > 100 * correct, `half ${half}`);
});
