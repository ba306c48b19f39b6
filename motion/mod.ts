/**
 * Motion: optical flow, point tracks and their metrics.
 *
 * @example
 * ```ts
 * const names = availableFlowEstimators().filter((e) => e.available).map((e) => e.name);
 * const est = await createFlowEstimator(names.includes("dis") ? "dis" : "farneback");
 * const [g1] = await computeSequenceFlow(est, frames, { gaps: [1] });
 * const tracks = await createTracker("flow-chain", { flows: g1 }).track(frames, { stride: 8 });
 * ```
 * @module
 */

export type { FlowField, Tracks } from "./types.ts";
export * from "./flow/mod.ts";
export * from "./tracks/mod.ts";
export {
  flowError,
  type FlowErrorOptions,
  type FlowErrorStats,
  interiorMask,
} from "./flow_metrics.ts";
export {
  evaluateFlow,
  type FlowBenchmarkResult,
  type FlowGtPair,
  loadSintelLikePairs,
} from "./flow_benchmark.ts";
export { type TrackMetrics, trackMetrics, type TrackMetricsOptions } from "./track_metrics.ts";
