/**
 * Gradient kernels for the tfjs `wasm` backend, written with ordinary tf ops: the ones wasm
 * lacks (`Conv2DBackpropFilter`, `UnsortedSegmentSum`, the depthwise backprops) and a faster
 * `Conv2DBackpropInput` (wasm's native one is ~10× slower than a forward conv).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv2dBackpropFilterKernel } from "./conv2d_backprop_filter.ts";
import { conv2dBackpropInputKernel } from "./conv2d_backprop_input.ts";
import {
  depthwiseBackpropFilterKernel,
  depthwiseBackpropInputKernel,
} from "./depthwise_backprop.ts";
import { unsortedSegmentSumKernel } from "./unsorted_segment_sum.ts";

export { conv2dBackpropFilterKernel } from "./conv2d_backprop_filter.ts";
export { conv2dBackpropInputKernel } from "./conv2d_backprop_input.ts";
export {
  depthwiseBackpropFilterKernel,
  depthwiseBackpropInputKernel,
} from "./depthwise_backprop.ts";
export { unsortedSegmentSumKernel } from "./unsorted_segment_sum.ts";

/** The kernels this module registers for `wasm`, by tfjs kernel name. */
export const WASM_GRAD_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  Conv2DBackpropInput: conv2dBackpropInputKernel,
  Conv2DBackpropFilter: conv2dBackpropFilterKernel,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputKernel,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterKernel,
  UnsortedSegmentSum: unsortedSegmentSumKernel,
};

/** Options of {@link registerWasmGradKernels}. */
export interface RegisterOptions {
  /** Keep wasm's own (slow) `Conv2DBackpropInput` instead of ours; for benchmarks. */
  nativeBackpropInput?: boolean;
}

/** Stock wasm kernels replaced by ours, saved so {@link unregisterWasmGradKernels} restores them. */
const replaced = new Map<string, tf.KernelConfig>();
const ours = new Set<string>();

/**
 * Registers the project's gradient kernels for the `wasm` backend. Idempotent: calling it
 * again with other options re-registers accordingly. The wasm backend module must have been
 * imported (it registers its stock kernels at import).
 */
export function registerWasmGradKernels(opts: RegisterOptions = {}): void {
  unregisterWasmGradKernels();
  for (const [kernelName, kernelFunc] of Object.entries(WASM_GRAD_KERNELS)) {
    if (kernelName === "Conv2DBackpropInput" && opts.nativeBackpropInput) continue;
    const stock = tf.getKernel(kernelName, "wasm");
    if (stock !== undefined) {
      replaced.set(kernelName, stock);
      tf.unregisterKernel(kernelName, "wasm");
    }
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
    ours.add(kernelName);
  }
}

/** Removes the project's wasm kernels and restores the stock ones they replaced. */
export function unregisterWasmGradKernels(): void {
  for (const kernelName of ours) {
    tf.unregisterKernel(kernelName, "wasm");
    const stock = replaced.get(kernelName);
    if (stock !== undefined) tf.registerKernel(stock);
  }
  ours.clear();
  replaced.clear();
}

/** Names of the kernels currently registered by this module. */
export function registeredWasmGradKernels(): string[] {
  return [...ours].sort();
}
