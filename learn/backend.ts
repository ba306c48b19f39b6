/**
 * Selecting and initialising the TensorFlow.js backend the learning code runs on.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "./tf_gradients.ts";
import { registerWasmGradKernels } from "./kernels/mod.ts";
import {
  BACKEND_NAMES,
  type BackendName,
  type ConcreteBackend,
  resolveBackend,
} from "./backend_choice.ts";
import { loadTfjsNode, packageName, tensorflowStatus } from "./tfjs_node.ts";

export { BACKEND_NAMES, type BackendName, type ConcreteBackend, resolveBackend };

/** What {@link initBackend} set up; record it in cache keys (numbers depend on it). */
export interface BackendInfo {
  /** The backend in use (`auto` resolved). */
  name: ConcreteBackend;
  /** Why this one: `requested`, or how `auto` decided. */
  why: string;
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

/**
 * Loads and activates a tfjs backend and returns what was set up.
 *
 * - `auto` (the default): `tensorflow-gpu`, `tensorflow` or `wasm`, see {@link resolveBackend}.
 * - `wasm`: SIMD on, 1 thread, plus the project's gradient kernels (learn/kernels) registered
 *   idempotently, for `wasm` only.
 * - `cpu`: tfjs's pure-JS backend (slow; for reference checks).
 * - `webgpu`: Deno's `navigator.gpu`; throws if no adapter is found.
 * - `tensorflow` / `tensorflow-gpu`: `@tensorflow/tfjs-node(-gpu)`, built offline by
 *   `deno task setup` (learn/tfjs_node.ts); throws with the reason when it is not built.
 *
 * @example
 * ```ts
 * const info = await initBackend("auto");
 * console.log(info.detail);
 * ```
 */
export async function initBackend(
  requested: BackendName,
  opts: BackendOptions = {},
): Promise<BackendInfo> {
  const tfjsVersion = tf.version_core;
  const { name, why } = resolveBackend(requested);
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
        why,
        tfjsVersion,
        detail: `wasm simd=${simd} threads=1 gradKernels=learn/kernels`,
      };
    }
    case "cpu": {
      await import("@tensorflow/tfjs-backend-cpu");
      await setOrThrow("cpu");
      return { name, why, tfjsVersion, detail: "cpu (pure JS)" };
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
        why,
        tfjsVersion,
        detail: `webgpu adapter=${
          [i.vendor, i.architecture, i.description].filter((s) => s).join(" ") || "unknown"
        }`,
      };
    }
    case "tensorflow":
    case "tensorflow-gpu": {
      const variant = name === "tensorflow" ? "cpu" : "gpu";
      const status = tensorflowStatus(variant);
      if (!status.built) {
        throw new Error(`learn/backend.ts: ${name}: ${status.reason}`);
      }
      // TensorFlow's C++ logging: warnings and errors only, unless the user set a level.
      if (Deno.env.get("TF_CPP_MIN_LOG_LEVEL") === undefined) {
        Deno.env.set("TF_CPP_MIN_LOG_LEVEL", "1");
      }
      await loadTfjsNode(variant);
      await setOrThrow("tensorflow");
      const b = tf.backend() as unknown as {
        binding?: { TF_Version?: string };
        isUsingGpuDevice?: boolean;
      };
      if (name === "tensorflow-gpu" && b.isUsingGpuDevice === false) {
        throw new Error("learn/backend.ts: tensorflow-gpu: libtensorflow found no CUDA device");
      }
      return {
        name,
        why,
        tfjsVersion,
        detail: `${packageName(variant)} libtensorflow ${b.binding?.TF_Version ?? "?"}` +
          (name === "tensorflow-gpu" ? " (CUDA)" : ""),
      };
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
