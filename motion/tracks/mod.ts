/**
 * Point tracking: one {@link PointTracker} interface; flow chaining, KLT and a GT oracle.
 * @module
 */

export {
  checkFrames,
  type PointTracker,
  resolveQueries,
  type TrackerName,
  type TrackOptions,
  type TrackQueries,
} from "./tracker.ts";
export { type FlowChainOptions, FlowChainTracker } from "./flow_chain.ts";
export { type KltOptions, KltTracker } from "./klt.ts";
export { GtTracker, type GtTrackSource } from "./gt_tracker.ts";
export { createTracker, type TrackerOptions } from "./create.ts";
