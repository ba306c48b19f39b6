/**
 * Dense optical flow: one {@link FlowEstimator} interface, several implementations
 * (OpenCV.js Farneback, native DIS / Farneback / TV-L1, ground-truth oracle), and a helper for
 * a whole sequence.
 * @module
 */

export type { FlowEstimator, FlowEstimatorName, FramePair } from "./estimator.ts";
export { toGray } from "./estimator.ts";
export { FarnebackFlow, type FarnebackOptions } from "./farneback.ts";
export { DisFlow, type DisPreset, NativeFarnebackFlow, Tvl1Flow } from "./native_flow.ts";
export { GtFlow, type GtFlowLookup } from "./gt_flow.ts";
export {
  availableFlowEstimators,
  createFlowEstimator,
  type FlowEstimatorAvailability,
  type FlowEstimatorOptions,
} from "./create.ts";
export {
  computeSequenceFlow,
  type SequenceFlowGap,
  type SequenceFlowOptions,
} from "./sequence_flow.ts";
export { FLOW_SHIM_BUILD_HINT, flowShimPath, setNativeFlowThreads } from "./native_shim.ts";
export { loadOpenCvJs, type OpenCvJs } from "./opencv_js.ts";
