/**
 * Selecting and initialising the TensorFlow.js backend the learning code runs on.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "./tf_gradients.ts";
import { registerWasmGradKernels } from "./kernels/mod.ts";

/** Backends {@link initBackend} knows. */
export type BackendName = "wasm" | "cpu" | "webgpu" | "tensorflow" | "tensorflow-gpu";

/** What {@link initBackend} set up; record it in cache keys (numbers depend on it). */
export interface BackendInfo {
  name: BackendName;
  tfjsVersion: string;
  /** Human-readable details: SIMD/threads, adapter name, kernels registered. */
  detail: string;
}

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /**
   * wasm threads. Only 1 is supported here: tfjs turns wasm threads off under Deno (it sees
   * `process.versions.node`); a value > 1 is rejected rather than silently ignored.
   */
  threads?: number;
}

const NODE_HINT = (pkg: string) =>
  `${pkg} is not installed here (its install script downloads libtensorflow, which needs ` +
  `internet). On a machine with internet: \`npm install ${pkg}@4.22.0\` (or add ` +
  `"${pkg}": "npm:${pkg}@4.22.0" to deno.json "imports" and run \`deno install ` +
  `--allow-scripts=npm:${pkg}\`), then select this backend again.`;

/**
 * Loads and activates a tfjs backend and returns what was set up.
 *
 * - `wasm` (default for this project): SIMD on, 1 thread, plus the project's gradient kernels
 *   (learn/kernels) registered idempotently.
 * - `cpu`: tfjs's pure-JS backend (slow; for reference checks).
 * - `webgpu`: Deno's `navigator.gpu`; throws if no adapter is found.
 * - `tensorflow` / `tensorflow-gpu`: `@tensorflow/tfjs-node(-gpu)` via dynamic import; throws
 *   with install instructions when the package is not installed.
 *
 * @example
 * ```ts
 * const info = await initBackend("wasm");
 * console.log(info.detail);
 * ```
 */
export async function initBackend(
  name: BackendName,
  opts: BackendOptions = {},
): Promise<BackendInfo> {
  const tfjsVersion = tf.version_core;
  switch (name) {
    case "wasm": {
      if (opts.threads !== undefined && opts.threads !== 1) {
        throw new RangeError(
          `learn/backend.ts: wasm threads = ${opts.threads} is not supported under Deno (only 1)`,
        );
      }
      await import("@tensorflow/tfjs-backend-wasm");
      await setOrThrow("wasm");
      registerWasmGradKernels();
      const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
      return {
        name,
        tfjsVersion,
        detail: `wasm simd=${simd} threads=1 gradKernels=learn/kernels`,
      };
    }
    case "cpu": {
      await import("@tensorflow/tfjs-backend-cpu");
      await setOrThrow("cpu");
      return { name, tfjsVersion, detail: "cpu (pure JS)" };
    }
    case "webgpu": {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      if (gpu === undefined) {
        throw new Error("learn/backend.ts: webgpu: navigator.gpu is not available in this runtime");
      }
      const adapter = await gpu.requestAdapter() as
        | { info?: { vendor?: string; architecture?: string; description?: string } }
        | null;
      if (adapter === null) {
        throw new Error(
          "learn/backend.ts: webgpu: no GPU adapter found (on Linux install the Vulkan loader, " +
            "e.g. Debian libvulkan1, and a Vulkan driver)",
        );
      }
      await import("@tensorflow/tfjs-backend-webgpu");
      await setOrThrow("webgpu");
      const i = adapter.info ?? {};
      return {
        name,
        tfjsVersion,
        detail: `webgpu adapter=${
          [i.vendor, i.architecture, i.description].filter((s) => s).join(" ") || "unknown"
        }`,
      };
    }
    case "tensorflow":
    case "tensorflow-gpu": {
      const pkg = name === "tensorflow" ? "@tensorflow/tfjs-node" : "@tensorflow/tfjs-node-gpu";
      try {
        // A variable specifier keeps the type checker and `deno install` from resolving it.
        const spec = `npm:${pkg}`;
        await import(spec);
      } catch (e) {
        throw new Error(`learn/backend.ts: ${NODE_HINT(pkg)}`, { cause: e });
      }
      await setOrThrow("tensorflow");
      return { name, tfjsVersion, detail: `${pkg} (libtensorflow)` };
    }
    default:
      throw new TypeError(`learn/backend.ts: unknown backend "${name as string}"`);
  }
}

async function setOrThrow(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`learn/backend.ts: tfjs could not initialise the "${name}" backend`);
  await tf.ready();
}
