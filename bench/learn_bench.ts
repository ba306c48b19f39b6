/**
 * Benchmarks of the learning code on the wasm backend: Lt forward+backward (small and paper
 * size), the Gram matmul's FLOP/s against a plain matMul, and a UNet-like conv training step
 * with the project's gradient kernels against wasm's native Conv2DBackpropInput.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../learn/backend.ts";
import { registerWasmGradKernels } from "../learn/kernels/mod.ts";
import { trajectoryLoss } from "../learn/losses/trajectory.ts";

type Report = (name: string, value: number, unit: string, note?: string) => void;

async function timeIt(fn: () => Promise<void>, reps: number): Promise<number> {
  await fn(); // warm-up
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

async function ltStep(c: tf.Tensor3D, w: tf.Tensor3D): Promise<void> {
  const g = tf.grad((x: tf.Tensor) => trajectoryLoss(c, x as tf.Tensor3D, { rank: 5 }))(w);
  await g.data();
  g.dispose();
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
 * Runs the benchmarks (~40 s on a 2-core machine). Set LRTL_BENCH_PAPER=1 to add Lt at the
 * paper's size (B=8, K=4, 2T=82, N=70 000; ~140 s fwd+bwd on wasm, 1 thread).
 */
export async function run(report: Report): Promise<void> {
  await initBackend("wasm");
  // Lt, small default size
  {
    const [b, k, t2, n] = [2, 4, 82, 5000];
    const [c, w] = randomTensors(b, k, t2, n);
    const ms = await timeIt(() => ltStep(c, w), 3);
    report(
      "lt_fwd_bwd_small",
      ms,
      "ms",
      `B=${b} K=${k} 2T=${t2} N=${n}, wasm, float64 Gram on the CPU`,
    );
    tf.dispose([c, w]);
  }
  // Lt at the paper's size (opt-in: ~140 s on wasm), and the share of its Gram matmul
  {
    const paper = Deno.env.get("LRTL_BENCH_PAPER") === "1";
    const [b, k, t2, n] = [8, 4, 82, paper ? 70000 : 10000];
    const [c, w] = randomTensors(b, k, t2, n);
    if (paper) {
      const ms = await timeIt(() => ltStep(c, w), 1);
      report(
        "lt_fwd_bwd_paper",
        ms,
        "ms",
        `B=${b} K=${k} 2T=${t2} N=${n}, wasm, float64 Gram on the CPU`,
      );
    }
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
    tf.dispose([c, w, p, sq]);
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
