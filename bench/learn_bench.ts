/**
 * Benchmarks of the learning code on the wasm backend: Lt forward+backward (small and paper
 * size; the float64 CPU gradient with native and pure-JS kernels against the former float32
 * gradient operator, in one run) and where its CPU time goes, the Gram matmul's FLOP/s against
 * a plain matMul, and a UNet-like conv training step with the project's gradient kernels
 * against wasm's native Conv2DBackpropInput.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../learn/backend.ts";
import { registerWasmGradKernels } from "../learn/kernels/mod.ts";
import { trajectoryLoss, trajectorySpectra } from "../learn/losses/trajectory.ts";
import { jsLtKernels, type LtKernels, tryNativeLtKernels } from "../learn/losses/lt_kernels.ts";
import { trajectoryLossLegacy } from "./_lt_legacy.ts";

type Report = (name: string, value: number, unit: string, note?: string) => void;

async function timeIt(fn: () => Promise<void>, reps: number, warm = true): Promise<number> {
  if (warm) await fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

function randomTensors(b: number, k: number, t2: number, n: number): [tf.Tensor3D, tf.Tensor3D] {
  return tf.tidy(() => [
    tf.randomUniform([b, t2, n], 0, 854, "float32", 1) as tf.Tensor3D,
    tf.randomUniform([b, k, n], 0.01, 0.99, "float32", 2) as tf.Tensor3D,
  ]);
}

type LtImpl = "native" | "js" | "legacy";

/** One Lt forward + backward w.r.t. the weights, as training runs it. */
async function ltStep(c: tf.Tensor3D, w: tf.Tensor3D, impl: LtImpl): Promise<void> {
  const g = tf.grad((x: tf.Tensor) =>
    impl === "legacy" ? trajectoryLossLegacy(c, x as tf.Tensor3D, { rank: 5 }) : trajectoryLoss(
      { data: c.dataSync() as Float32Array, shape: c.shape },
      x as tf.Tensor3D,
      { rank: 5, kernels: impl },
    )
  )(w);
  await g.data();
  g.dispose();
}

/** Milliseconds of the CPU parts of Lt (Gram, eigendecompositions, rest of the forward, gradient). */
function ltProfile(
  c: Float32Array,
  w: Float32Array,
  dims: [number, number, number, number],
  k: LtKernels,
) {
  const [b, t2, n, kk] = dims;
  let t0 = performance.now();
  const g = k.grams(c, w, b, t2, n, kk);
  const gram = performance.now() - t0;
  t0 = performance.now();
  k.eigh(g, t2, b * kk);
  const eig = performance.now() - t0;
  t0 = performance.now();
  const s = trajectorySpectra(c, w, dims, { rank: 5 }, k);
  const forward = performance.now() - t0;
  t0 = performance.now();
  k.gradW(c, w, dims, s.basis, s.coef, s.mp, s.active, s.gradScale);
  const grad = performance.now() - t0;
  return { gram, eig, forward, grad };
}

async function convStep(params: tf.Tensor4D[], x: tf.Tensor4D): Promise<void> {
  const grads = tf.grads((...p: tf.Tensor[]) => {
    const [w1, w2, w3, w4, w5, w6] = p as tf.Tensor4D[];
    const h1 = tf.relu(tf.conv2d(x, w1, 1, "same")); // 64×112×16
    const h2 = tf.relu(tf.conv2d(h1, w2, 2, "same")); // 32×56×32
    const h3 = tf.relu(tf.conv2d(h2, w3, 2, "same")); // 16×28×64
    const u2 = tf.relu(tf.conv2d(tf.image.resizeBilinear(h3, [32, 56]), w4, 1, "same")); // 32
    const u1 = tf.relu(
      tf.conv2d(
        tf.image.resizeBilinear(tf.concat([u2, h2], 3) as tf.Tensor4D, [64, 112]),
        w5,
        1,
        "same",
      ),
    ); // 16
    const out = tf.conv2d(tf.concat([u1, h1], 3) as tf.Tensor4D, w6, 1, "same");
    return tf.mean(tf.square(tf.softmax(out)));
  })(params);
  await Promise.all(grads.map((g) => g.data()));
  tf.dispose(grads);
}

/**
 * Runs the benchmarks (~1 min on a 2-core machine). Set LRTL_BENCH_PAPER=1 to also try the
 * pure-JS kernels and the former implementation at the paper's size (N=70 000).
 */
export async function run(report: Report): Promise<void> {
  await initBackend("wasm");
  const native = tryNativeLtKernels();
  const impls: LtImpl[] = "error" in native ? ["js", "legacy"] : ["native", "js", "legacy"];
  if ("error" in native) report("lt_native_kernels", 0, "available", native.error);
  // Lt, small size: every implementation in one run
  {
    const [b, k, t2, n] = [2, 4, 82, 5000];
    const [c, w] = randomTensors(b, k, t2, n);
    const ms: Partial<Record<LtImpl, number>> = {};
    for (const impl of impls) {
      ms[impl] = await timeIt(() => ltStep(c, w, impl), 3);
      report(`lt_fwd_bwd_small_${impl}`, ms[impl]!, "ms", `B=${b} K=${k} 2T=${t2} N=${n}, wasm`);
    }
    for (const impl of impls.filter((i) => i !== "legacy")) {
      report(
        `lt_small_speedup_${impl}_vs_legacy`,
        ms.legacy! / ms[impl]!,
        "x",
        "former float32 gradient operator ÷ float64 CPU gradient, same run",
      );
    }
    tf.dispose([c, w]);
  }
  // Lt at the paper's size (B=8, K=4, 2T=82, N=70 000). The former implementation aborts there
  // (wasm out of memory), so it is compared at N=10 000; LRTL_BENCH_PAPER=1 tries it at 70 000.
  {
    const paper = Deno.env.get("LRTL_BENCH_PAPER") === "1";
    const [b, k, t2] = [8, 4, 82];
    for (const n of [10000, 70000]) {
      const [c, w] = randomTensors(b, k, t2, n);
      const ms: Partial<Record<LtImpl, number>> = {};
      for (const impl of impls) {
        if (impl === "legacy" && n > 10000 && !paper) continue;
        if (impl === "js" && n > 10000 && !paper) continue;
        const note = `B=${b} K=${k} 2T=${t2} N=${n}, wasm`;
        try {
          ms[impl] = await timeIt(() => ltStep(c, w, impl), 1, impl !== "legacy");
          report(`lt_fwd_bwd_n${n}_${impl}`, ms[impl]!, "ms", note);
        } catch (e) {
          report(`lt_fwd_bwd_n${n}_${impl}`, NaN, "ms", `${note}: ${(e as Error).message}`);
        }
      }
      for (const impl of ["native", "js"] as const) {
        if (ms[impl] && ms.legacy) {
          report(`lt_n${n}_speedup_${impl}_vs_legacy`, ms.legacy / ms[impl]!, "x", "same run");
        }
      }
      const kern = "error" in native ? jsLtKernels : native;
      if (n === 70000 || "error" in native) {
        const p = ltProfile(
          c.dataSync() as Float32Array,
          w.dataSync() as Float32Array,
          [b, t2, n, k],
          kern,
        );
        for (const [part, v] of Object.entries(p)) {
          report(
            `lt_cpu_${part}_n${n}_${kern.name}`,
            v,
            "ms",
            "one call; forward = Gram+eig+spectra",
          );
        }
      }
      if (n === 10000) {
        const p = tf.tidy(() => tf.mul(c, tf.slice(w, [0, 0, 0], [b, 1, n])));
        const gramMs = await timeIt(async () => {
          const g = tf.matMul(p, p, false, true);
          await g.data();
          g.dispose();
        }, 2);
        const gramFlops = 2 * b * t2 * t2 * n;
        report("lt_gram_gflops", gramFlops / gramMs / 1e6, "GFLOP/s", `[${b},${t2},${n}]·ᵀ, one k`);
        const sq = tf.randomNormal([1024, 1024]);
        const mmMs = await timeIt(async () => {
          const m = tf.matMul(sq, sq);
          await m.data();
          m.dispose();
        }, 3);
        report("plain_matmul_gflops", (2 * 1024 ** 3) / mmMs / 1e6, "GFLOP/s", "1024² wasm");
        report(
          "lt_gram_share_of_plain",
          (gramFlops / gramMs) / ((2 * 1024 ** 3) / mmMs),
          "ratio",
          "Gram FLOP/s ÷ plain matMul FLOP/s, same run",
        );
        tf.dispose([p, sq]);
      }
      tf.dispose([c, w]);
    }
  }
  // UNet-like conv step: project kernels vs wasm's native Conv2DBackpropInput
  {
    const shapes: [number, number, number, number][] = [
      [3, 3, 3, 16],
      [3, 3, 16, 32],
      [3, 3, 32, 64],
      [3, 3, 64, 32],
      [3, 3, 64, 16],
      [3, 3, 32, 4],
    ];
    const params = shapes.map((s, i) =>
      tf.randomNormal(s, 0, 0.1, "float32", 10 + i) as tf.Tensor4D
    );
    const x = tf.randomUniform([4, 64, 112, 3], 0, 1, "float32", 3) as tf.Tensor4D;
    registerWasmGradKernels();
    const ours = await timeIt(() => convStep(params, x), 3);
    registerWasmGradKernels({ nativeBackpropInput: true });
    const native = await timeIt(() => convStep(params, x), 2);
    registerWasmGradKernels();
    report("conv_step_project_kernels", ours, "ms", "4×64×112×3, 16-32-64 UNet-like fwd+bwd");
    report(
      "conv_step_native_dx",
      native,
      "ms",
      "same, wasm's native Conv2DBackpropInput (stock wasm has no Conv2DBackpropFilter at all)",
    );
    report("conv_step_speedup", native / ours, "x", "native dX ÷ project kernels, same run");
    tf.dispose([...params, x]);
  }
}

if (import.meta.main) {
  await run((name, value, unit, note) =>
    console.log(`${name}\t${value.toPrecision(4)}\t${unit}\t${note ?? ""}`)
  );
}
