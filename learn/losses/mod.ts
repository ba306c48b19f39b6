/**
 * The three LRTL losses (trajectory Lt, flow Lf, temporal Lr), their weights and ramp, and the
 * track smoothing they rely on. See PAPER.md for the definitions.
 * @module
 */
export { type Eigh, eigh } from "./eigh.ts";
export { flowLoss, type FlowLossOptions } from "./flow.ts";
export {
  LOSS_DEFAULTS,
  type LossTerms,
  type LossWeights,
  lrtlLoss,
  temporalRamp,
} from "./schedule.ts";
export { smoothTracks } from "./smooth.ts";
export { temporalLoss, temporalLossBothWays } from "./temporal.ts";
export { PAPER_FRAME, PAPER_TRACKS, paperScale } from "./units.ts";
export {
  type TrackMatrix,
  trackScaleFactor,
  trajectoryLoss,
  type TrajectoryLossOptions,
  type TrajectoryLossVariant,
  trajectorySpectra,
} from "./trajectory.ts";
export { type LtKernels, ltKernels, type LtKernelsName } from "./lt_kernels.ts";
