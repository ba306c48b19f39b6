/**
 * Build point trackers by name.
 * @module
 */

import type { FlowEstimator } from "../flow/estimator.ts";
import type { SequenceFlowGap } from "../flow/sequence_flow.ts";
import { type FlowChainOptions, FlowChainTracker } from "./flow_chain.ts";
import { GtTracker, type GtTrackSource } from "./gt_tracker.ts";
import { type KltOptions, KltTracker } from "./klt.ts";
import type { PointTracker, TrackerName } from "./tracker.ts";

/** Options of {@link createTracker}; each tracker reads its own. */
export interface TrackerOptions {
  /** flow-chain: estimator for gap-1 flow (caller keeps ownership). */
  estimator?: FlowEstimator;
  /** flow-chain: precomputed gap-1 flows (e.g. from the flow cache). */
  flows?: SequenceFlowGap;
  /** flow-chain: consistency and motion-boundary thresholds. */
  flowChain?: Omit<FlowChainOptions, "estimator" | "flows">;
  /** klt: window, pyramid, forward–backward threshold, backend. */
  klt?: KltOptions;
  /** gt: the generator's tracks, or a function of the query points. */
  gt?: GtTrackSource;
}

/** Create a point tracker: `flow-chain`, `klt` or `gt`. */
export function createTracker(name: TrackerName, opts: TrackerOptions = {}): PointTracker {
  switch (name) {
    case "flow-chain":
      return new FlowChainTracker({
        ...opts.flowChain,
        estimator: opts.estimator,
        flows: opts.flows,
      });
    case "klt":
      return new KltTracker(opts.klt);
    case "gt":
      if (!opts.gt) throw new TypeError(`createTracker("gt") needs opts.gt (ground-truth tracks)`);
      return new GtTracker(opts.gt);
    default:
      throw new RangeError(`Unknown tracker "${name}" (flow-chain, klt, gt)`);
  }
}
