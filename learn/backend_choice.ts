/**
 * Which tfjs backend `auto` means on this machine, decided without loading tfjs (a few `stat`s),
 * so the driver can put the concrete name into cache keys and the `runs` row.
 * @module
 */
import { cudaDeviceVisible, tensorflowStatus } from "./tfjs_node.ts";

/** Backends the project can run on; `auto` picks one of the others. */
export const BACKEND_NAMES = [
  "auto",
  "wasm",
  "cpu",
  "webgpu",
  "tensorflow",
  "tensorflow-gpu",
] as const;
/** A backend name, `auto` included. */
export type BackendName = typeof BACKEND_NAMES[number];
/** A backend that {@link resolveBackend} can return. */
export type ConcreteBackend = Exclude<BackendName, "auto">;

/** The concrete backend of a request and why it was chosen. */
export interface BackendChoice {
  name: ConcreteBackend;
  why: string;
}

/**
 * `auto`: `tensorflow-gpu` when it is built and a CUDA device is visible, else `tensorflow`
 * when it is built, else `wasm`. Any other name is returned as it is.
 *
 * @example
 * ```ts
 * const { name, why } = resolveBackend("auto"); // e.g. "tensorflow", "libtensorflow from …"
 * ```
 */
export function resolveBackend(requested: BackendName): BackendChoice {
  if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
    throw new TypeError(
      `Unknown backend "${requested}" (known: ${BACKEND_NAMES.join(", ")})`,
    );
  }
  if (requested !== "auto") return { name: requested, why: "requested" };
  const cuda = cudaDeviceVisible();
  const gpu = tensorflowStatus("gpu");
  if (cuda && gpu.built) return { name: "tensorflow-gpu", why: `auto: CUDA device, ${gpu.reason}` };
  const cpu = tensorflowStatus("cpu");
  if (cpu.built) {
    return {
      name: "tensorflow",
      why: `auto: ${cpu.reason}${cuda ? `; tensorflow-gpu not built (${gpu.reason})` : ""}`,
    };
  }
  return { name: "wasm", why: `auto: tensorflow not built (${cpu.reason})` };
}
