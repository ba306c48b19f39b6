/**
 * Build flow estimators by name and list which ones work on this machine.
 * @module
 */

import type { FlowEstimator, FlowEstimatorName } from "./estimator.ts";
import { FarnebackFlow, type FarnebackOptions } from "./farneback.ts";
import { GtFlow, type GtFlowLookup } from "./gt_flow.ts";
import { DisFlow, type DisPreset, NativeFarnebackFlow, Tvl1Flow } from "./native_flow.ts";
import { tryLoadFlowShim } from "./native_shim.ts";

/** Options of {@link createFlowEstimator}; each estimator reads its own. */
export interface FlowEstimatorOptions {
  /** DIS preset (default medium). */
  preset?: DisPreset;
  /** DIS finest pyramid level (0 = full resolution; default: the preset's). */
  finestScale?: number;
  /** Farneback parameters (OpenCV.js and native). */
  farneback?: FarnebackOptions;
  /** Required for `gt`: the exact flow from frame `from` to frame `to`. */
  gt?: GtFlowLookup;
}

/**
 * Create a flow estimator. `dis`, `tvl1` and `farneback-native` need the native shim and throw an
 * error saying how to build it when it is missing; check {@link availableFlowEstimators} first
 * to fall back to `farneback` (OpenCV.js, always available).
 */
export async function createFlowEstimator(
  name: FlowEstimatorName,
  opts: FlowEstimatorOptions = {},
): Promise<FlowEstimator> {
  switch (name) {
    case "farneback":
      return await FarnebackFlow.create(opts.farneback);
    case "dis":
      return new DisFlow({ preset: opts.preset, finestScale: opts.finestScale });
    case "farneback-native":
      return new NativeFarnebackFlow(opts.farneback);
    case "tvl1":
      return new Tvl1Flow();
    case "gt":
      if (!opts.gt) throw new TypeError(`createFlowEstimator("gt") needs opts.gt (a lookup)`);
      return new GtFlow(opts.gt);
    default:
      throw new RangeError(
        `Unknown flow estimator "${name}" (farneback, dis, tvl1, farneback-native, gt)`,
      );
  }
}

/** What {@link availableFlowEstimators} reports for one estimator. */
export interface FlowEstimatorAvailability {
  name: FlowEstimatorName;
  available: boolean;
  /** Why it is unavailable (with how to fix it), or what it needs. */
  reason?: string;
}

/**
 * Which estimators work here. `gt` is listed as available: it needs a lookup, not a library.
 * The pipeline can fall back from `dis` to `farneback` and print `reason`.
 */
export function availableFlowEstimators(): FlowEstimatorAvailability[] {
  const shim = tryLoadFlowShim();
  const nativeReason = "error" in shim ? shim.error : undefined;
  const tvl1 = "shim" in shim && shim.shim.flow_has_tvl1() === 1;
  return [
    { name: "farneback", available: true },
    { name: "dis", available: !nativeReason, reason: nativeReason },
    { name: "farneback-native", available: !nativeReason, reason: nativeReason },
    {
      name: "tvl1",
      available: tvl1,
      reason: tvl1 ? undefined : nativeReason ??
        "the native shim was built without opencv_optflow (apt-get install libopencv-contrib-dev)",
    },
    { name: "gt", available: true, reason: "needs the generator's flow lookup (opts.gt)" },
  ];
}
