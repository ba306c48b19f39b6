import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { Matrix, SVD } from "ml-matrix";
import { initBackend } from "../backend.ts";
import {
  trackScaleFactor,
  trajectoryLoss,
  type TrajectoryLossOptions,
  type TrajectoryLossVariant,
} from "./trajectory.ts";
import { jsLtKernels, type LtKernelsName, tryNativeLtKernels } from "./lt_kernels.ts";
import {
  argMaxAbs,
  finiteDifferenceC,
  finiteDifferenceW,
  type LtCase,
  ltCases,
  reference,
  relMaxError,
  VARIANTS,
} from "./_lt_reference_test_util.ts";
import { uniforms } from "../../core/random.ts";

await initBackend("wasm");

const NATIVE = tryNativeLtKernels();
const KERNELS: LtKernelsName[] = "error" in NATIVE ? ["js"] : ["native", "js"];

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
): number {
  const [b, k, t2, n] = shape;
  const before = tf.memory().numTensors;
  const ct = tf.tensor3d(Float32Array.from(c), [b, t2, n]);
  const wt = tf.tensor3d(Float32Array.from(w), [b, k, n]);
  const l = trajectoryLoss(ct, wt, { rank, variant });
  const v = l.dataSync()[0];
  tf.dispose([ct, wt, l]);
  assert.equal(tf.memory().numTensors, before);
  return v;
}

Deno.test("trajectoryLoss matches a float64 SVD on random matrices (all variants)", () => {
  const r = uniforms(7);
  const [b, k, t2, n] = [2, 3, 10, 40];
  const c = Float64Array.from({ length: b * t2 * n }, () => 500 * r());
  const w = Float64Array.from({ length: b * k * n }, () => 0.01 + 0.98 * r());
  for (const variant of VARIANTS) {
    const got = lossOf(c, w, [b, k, t2, n], 3, variant);
    const want = refMean(c, w, b, k, t2, n, 3, variant);
    const rel = Math.abs(got - want) / Math.abs(want);
    assert.ok(rel <= 1e-6, `${variant}: ${got} vs ${want} (rel ${rel})`);
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
  const r = uniforms(11);
  const [t2, n, rank] = [82, 3000, 5];
  const c = lowRankTracks(r, t2, n, rank, 1.0); // ~400 px values, ~0.3 px noise tail
  const w = Float64Array.from({ length: n }, () => 0.2 + 0.8 * r());
  const want = refLoss(c, t2, n, w, rank, "tail");
  const got = lossOf(c, w, [1, 1, t2, n], rank, "tail");
  const rel = Math.abs(got - want) / want;
  assert.ok(rel <= 1e-6, `tail ${got} vs ${want} (rel ${rel})`);
});

Deno.test("trajectoryLoss gradient matches float64 central differences", () => {
  const r = uniforms(3);
  const [b, k, t2, n, rank] = [2, 2, 6, 9, 2];
  const c = Float64Array.from({ length: b * t2 * n }, () => 100 * r());
  const w = Float64Array.from({ length: b * k * n }, () => 0.05 + 0.9 * r());
  for (const variant of ["tail", "nuclear", "squared-tail", "normalised-tail"] as const) {
    const before = tf.memory().numTensors;
    const ct = tf.tensor3d(Float32Array.from(c), [b, t2, n]);
    const wt = tf.tensor3d(Float32Array.from(w), [b, k, n]);
    const [gc, gw] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      trajectoryLoss(x as tf.Tensor3D, y as tf.Tensor3D, { rank, variant, coordsGrad: true })
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
  const r = uniforms(5);
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

/** Our value and gradients on a case (coordinates and weights as tensors). */
function ours(
  cs: LtCase,
  opts: TrajectoryLossOptions,
): { value: number; gw: Float32Array; gc: Float32Array } {
  const before = tf.memory().numTensors;
  const ct = tf.tensor3d(cs.c, [cs.b, cs.t2, cs.n]);
  const wt = tf.tensor3d(cs.w, [cs.b, cs.k, cs.n]);
  const o = { coordScale: cs.coordScale, ...opts, coordsGrad: true };
  const { value, grads } = tf.tidy(() => {
    const f = (x: tf.Tensor, y: tf.Tensor) => trajectoryLoss(x as tf.Tensor3D, y as tf.Tensor3D, o);
    const v = f(ct, wt);
    return { value: v, grads: tf.grads(f)([ct, wt]) };
  });
  const out = {
    value: value.dataSync()[0],
    gc: grads[0].dataSync() as Float32Array,
    gw: grads[1].dataSync() as Float32Array,
  };
  tf.dispose([ct, wt, value, ...grads]);
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  return out;
}

// The hard cases: coordinates at 854-px scale with little noise, exact synthetic tracks,
// a reflect-padded window and N < 2T make P nearly or exactly rank-deficient; the former float32
// gradient operator was off by 4e-2 … 1e2 (max|Δ|/max|ref|) on them.
for (const cs of ltCases()) {
  Deno.test(`trajectoryLoss gradient vs float64 SVD and finite differences: ${cs.name}`, () => {
    const rank = 5;
    const refs = reference(cs, rank);
    const picks = [
      argMaxAbs(refs.tail.gradW),
      argMaxAbs(refs["normalised-tail"].gradW),
      7,
      3 * cs.n + 11,
    ];
    const fds = picks.map((idx) => finiteDifferenceW(cs, rank, idx, 1e-4));
    for (const variant of VARIANTS) {
      const ref = refs[variant];
      const scale = Math.max(...Array.from(ref.gradW, Math.abs));
      // the SVD-based analytic reference is itself checked against finite differences
      picks.forEach((idx, q) => {
        const err = Math.abs(fds[q][variant] - ref.gradW[idx]) / scale;
        assert.ok(
          err <= 1e-5,
          `${variant}: reference dw[${idx}] ${ref.gradW[idx]} vs FD ${fds[q][variant]}`,
        );
      });
      for (const kernels of KERNELS) {
        const got = ours(cs, { rank, variant, kernels });
        const tag = `${variant} (${kernels})`;
        const rv = Math.abs(got.value - ref.value) / Math.abs(ref.value);
        assert.ok(rv <= 1e-6, `${tag}: value ${got.value} vs ${ref.value}`);
        const ew = relMaxError(got.gw, ref.gradW);
        assert.ok(ew <= 1e-4, `${tag}: max|Δ|/max|ref| of ∂L/∂w = ${ew}`);
        picks.forEach((idx, q) => {
          const err = Math.abs(got.gw[idx] - fds[q][variant]) / scale;
          assert.ok(err <= 1e-4, `${tag}: dw[${idx}] ${got.gw[idx]} vs FD ${fds[q][variant]}`);
        });
        const ec = relMaxError(got.gc, ref.gradC);
        assert.ok(ec <= 1e-4, `${tag}: max|Δ|/max|ref| of ∂L/∂c = ${ec}`);
      }
    }
    // Coordinate gradient against finite differences where it is largest (tail). Not for the
    // exact synthetic tracks: their tail σ are at float32 round-off (~1e-8·σ₁), so moving one
    // coordinate by any step a float64 difference resolves leaves the smooth regime of σ.
    if (cs.name.startsWith("synthetic")) return;
    const got = ours(cs, { rank, variant: "tail" });
    const idx = argMaxAbs(refs.tail.gradC);
    const fd = finiteDifferenceC(cs, rank, "tail", idx, 1e-4);
    const err = Math.abs(got.gc[idx] - fd) / Math.abs(fd);
    assert.ok(err <= 1e-4, `dc[${idx}] ${got.gc[idx]} vs FD ${fd}`);
  });
}

Deno.test("trackScale: Lt of N tracks rescaled by s equals Lt of the tracks repeated s times", () => {
  const cs = ltCases()[1];
  const m = 3;
  const { b, k, t2, n } = cs;
  const rep = (src: Float32Array, rows: number) => {
    const out = new Float32Array(rows * n * m);
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < m; q++) out.set(src.subarray(r * n, (r + 1) * n), (r * m + q) * n);
    }
    return out;
  };
  const big: LtCase = { ...cs, n: n * m, c: rep(cs.c, b * t2), w: rep(cs.w, b * k) };
  for (const variant of VARIANTS) {
    const scaled = ours(cs, { rank: 5, variant, trackScale: m });
    const plain = ours(cs, { rank: 5, variant });
    const repeated = ours(big, { rank: 5, variant });
    const want = trackScaleFactor(variant, m);
    assert.ok(Math.abs(scaled.value / plain.value - want) <= 1e-6 * want, `${variant} ratio`);
    assert.ok(
      Math.abs(scaled.value - repeated.value) <= 1e-6 * Math.abs(repeated.value),
      `${variant}: ${scaled.value} vs repeated ${repeated.value}`,
    );
    // each copy of a track gets 1/m of the rescaled gradient of the original
    const sum = new Float64Array(b * k * n);
    for (let r = 0; r < b * k; r++) {
      for (let q = 0; q < m; q++) {
        for (let j = 0; j < n; j++) sum[r * n + j] += repeated.gw[(r * m + q) * n + j];
      }
    }
    assert.ok(relMaxError(scaled.gw, sum) <= 1e-5, `${variant} gradient`);
  }
  assert.equal(trackScaleFactor("tail", 70000 / 2048), Math.sqrt(70000 / 2048));
});

Deno.test("coordScale [sx, sy] equals scaling the coordinates; CPU coordinates equal a tensor", () => {
  const cs = ltCases()[0];
  const [sx, sy] = [854 / 256, 480 / 144];
  const { b, k, t2, n } = cs;
  const scaledC = cs.c.map((v, i) => (Math.floor(i / n) % t2 < t2 / 2 ? v * sx : v * sy));
  for (const variant of VARIANTS) {
    const a = ours({ ...cs, coordScale: [sx, sy] }, { rank: 5, variant });
    const want = ours({ ...cs, c: scaledC, coordScale: undefined }, { rank: 5, variant });
    assert.ok(Math.abs(a.value - want.value) <= 1e-6 * Math.abs(want.value), variant);
    assert.ok(relMaxError(a.gw, want.gw) <= 1e-5, `${variant} dw`);
    const before = tf.memory().numTensors;
    const wt = tf.tensor3d(cs.w, [b, k, n]);
    const gw = tf.grad((y: tf.Tensor) =>
      trajectoryLoss({ data: cs.c, shape: [b, t2, n] }, y as tf.Tensor3D, {
        rank: 5,
        variant,
        coordScale: [sx, sy],
      })
    )(wt);
    assert.ok(relMaxError(gw.dataSync(), a.gw) <= 1e-6, `${variant} CPU coordinates`);
    tf.dispose([wt, gw]);
    assert.equal(tf.memory().numTensors, before);
  }
});

Deno.test("native Lt kernels agree with the pure-JS ones", () => {
  if ("error" in NATIVE) {
    if (Deno.env.get("CI") === "true") throw new Error(NATIVE.error);
    console.log(`ignored: ${NATIVE.error}`);
    return;
  }
  const native = NATIVE;
  for (
    const cs of [...ltCases(), {
      ...ltCases()[0],
      n: 1001,
      c: new Float32Array(2 * 82 * 1001).map((_, i) => (i * 7919) % 854),
      w: new Float32Array(2 * 4 * 1001).map((_, i) => 0.01 + ((i * 104729) % 97) / 100),
    }]
  ) {
    const { b, k, t2, n, c, w } = cs;
    const gj = jsLtKernels.grams(c, w, b, t2, n, k), gn = native.grams(c, w, b, t2, n, k);
    assert.ok(relMaxError(gn, gj) <= 1e-13, `${cs.name}: grams`);
    const ej = jsLtKernels.eigh(gj, t2, b * k), en = native.eigh(gj, t2, b * k);
    assert.deepEqual(en.values, ej.values, `${cs.name}: eigh values (same operations, bitwise)`);
    assert.deepEqual(en.vectors, ej.vectors, `${cs.name}: eigh vectors`);
    const jj = jsLtKernels.jacobi(gj, t2, b * k), jn = native.jacobi(gj, t2, b * k);
    assert.deepEqual(jn.values, jj.values, `${cs.name}: jacobi values`);
    assert.deepEqual(jn.vectors, jj.vectors, `${cs.name}: jacobi vectors`);
    const dims: [number, number, number, number] = [b, t2, n, k];
    const mp = 96;
    const basis = new Float64Array(b * k * t2 * mp).map((_, i) => Math.sin(i));
    const coef = new Float64Array(b * k * mp).map((_, i) => 1 + Math.cos(i));
    const active = new Int32Array(b * k).map((_, i) => [82, 77, 5, 0][i % 4]);
    for (let m = 0; m < b * k; m++) {
      for (let i = active[m]; i < mp; i++) {
        coef[m * mp + i] = 0;
        for (let r = 0; r < t2; r++) basis[(m * t2 + r) * mp + i] = 0;
      }
    }
    const hj = jsLtKernels.projGrams(c, w, dims, basis, mp, active);
    assert.ok(
      relMaxError(native.projGrams(c, w, dims, basis, mp, active), hj) <= 1e-12,
      "projGrams",
    );
    const dwj = jsLtKernels.gradW(c, w, dims, basis, coef, mp, active, 0.5);
    assert.ok(
      relMaxError(native.gradW(c, w, dims, basis, coef, mp, active, 0.5), dwj) <= 1e-6,
      "gradW",
    );
    const dcj = jsLtKernels.gradC(c, w, dims, basis, coef, mp, active, 0.5);
    assert.ok(
      relMaxError(native.gradC(c, w, dims, basis, coef, mp, active, 0.5), dcj) <= 1e-6,
      "gradC",
    );
  }
});
