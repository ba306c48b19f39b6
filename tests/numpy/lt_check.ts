/**
 * Dumps the trajectory loss's value and gradients on the fidelity cases
 * (learn/losses/_lt_reference_test_util.ts) for an independent numpy check:
 *
 *     npx -y deno@2.9.6 run -A tests/numpy/lt_check.ts /tmp/lrtl-lt-check
 *     python3 tests/numpy/lt_check.py /tmp/lrtl-lt-check
 *
 * Not part of the test suite (numpy is not a dependency): the suite's own float64 reference is
 * in TypeScript. Layout: `cases.json` and, per case i, `i.c.f32` [B][2T][N], `i.w.f32`
 * [B][K][N] and `i.<variant>.<kernels>.{gw,gc}.f32` with the values in cases.json.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { join } from "node:path";
import { initBackend } from "../../learn/backend.ts";
import { trajectoryLoss } from "../../learn/losses/trajectory.ts";
import { tryNativeLtKernels } from "../../learn/losses/lt_kernels.ts";
import { ltCases, VARIANTS } from "../../learn/losses/_lt_reference_test_util.ts";

if (import.meta.main) {
  const dir = Deno.args[0] ?? "/tmp/lrtl-lt-check";
  await Deno.mkdir(dir, { recursive: true });
  await initBackend("wasm");
  const kernels = "error" in tryNativeLtKernels() ? ["js"] : ["native", "js"];
  const meta = [];
  for (const [i, cs] of ltCases().entries()) {
    await Deno.writeFile(join(dir, `${i}.c.f32`), new Uint8Array(cs.c.buffer));
    await Deno.writeFile(join(dir, `${i}.w.f32`), new Uint8Array(cs.w.buffer));
    const values: Record<string, number> = {};
    for (const variant of VARIANTS) {
      for (const k of kernels) {
        const ct = tf.tensor3d(cs.c, [cs.b, cs.t2, cs.n]);
        const wt = tf.tensor3d(cs.w, [cs.b, cs.k, cs.n]);
        const opts = {
          rank: 5,
          variant,
          coordScale: cs.coordScale,
          coordsGrad: true,
          kernels: k as "native" | "js",
        };
        const f = (x: tf.Tensor, y: tf.Tensor) =>
          trajectoryLoss(x as tf.Tensor3D, y as tf.Tensor3D, opts);
        const v = f(ct, wt);
        const [gc, gw] = tf.grads(f)([ct, wt]);
        values[`${variant}.${k}`] = v.dataSync()[0];
        const tag = `${i}.${variant}.${k}`;
        await Deno.writeFile(join(dir, `${tag}.gw.f32`), new Uint8Array(gw.dataSync().buffer));
        await Deno.writeFile(join(dir, `${tag}.gc.f32`), new Uint8Array(gc.dataSync().buffer));
        tf.dispose([ct, wt, v, gc, gw]);
      }
    }
    meta.push({
      name: cs.name,
      b: cs.b,
      k: cs.k,
      t2: cs.t2,
      n: cs.n,
      coordScale: cs.coordScale ?? [1, 1],
      rank: 5,
      values,
    });
  }
  await Deno.writeTextFile(
    join(dir, "cases.json"),
    JSON.stringify({ variants: VARIANTS, kernels, cases: meta }, null, 1),
  );
  console.log(`wrote ${meta.length} cases to ${dir}`);
  Deno.exit(0);
}
