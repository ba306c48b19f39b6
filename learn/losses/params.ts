/**
 * The loss params (`loss.*`): the single declaration of their names, defaults, ranges and
 * meaning. The pipeline's schema (stages/schema.ts) and the training code both read them here.
 * @module
 */
import { p, type ParamGroup, type ParamSchema } from "../../pipeline/params.ts";

/** Lt formulations (see learn/losses/trajectory.ts). */
export const TRAJECTORY_VARIANTS = ["tail", "nuclear", "squared-tail", "normalised-tail"] as const;
/** One Lt formulation. */
export type TrajectoryLossVariant = typeof TRAJECTORY_VARIANTS[number];

/** `loss.*`: which terms, their weights λ, Lt's rank and variant, units. */
export const LOSS_PARAMS = {
  flow: p.bool(true, "use Lf"),
  trajectory: p.bool(true, "use Lt"),
  temporal: p.bool(true, "use Lr"),
  lambdaFlow: p.num(0.03, {
    min: 0,
    doc: "weight λf of Lf (paper: 0.03); Lf in 854×480-frame px",
  }),
  lambdaTrajectory: p.num(5e-5, {
    min: 0,
    doc: "weight λt of Lt (paper: 5e-5); Lt in 854×480-frame px, rescaled to trajectoryTracks",
  }),
  lambdaTemporal: p.num(0.1, {
    min: 0,
    doc: "weight λr of Lr, times the ramp s(it) (paper: 0.1)",
  }),
  // The reference trains 20 000 iterations, so its ramp never completes (s ends at ≈ 0.126);
  // kept as the faithful default; set it to the run length to make the ramp complete.
  rampIters: p.int(160000, {
    min: 1,
    doc: "Lr ramp length (reference quirk: 160k while training 20k)",
  }),
  rank: p.int(5, {
    min: 1,
    max: 64,
    doc: "rank r of Lt: singular values past the r-th are penalised (paper: 5; below 2T)",
  }),
  variant: p.str("tail", TRAJECTORY_VARIANTS, "trajectory-loss formulation"),
  trajectoryTracks: p.int(70000, {
    min: 0,
    doc: "Lt is rescaled as if this many tracks were used (σ ∝ √N; the paper's 70 000); 0 = raw N",
  }),
  flowResolution: p.str(
    "flow",
    ["flow", "network"],
    "resolution of Lf: the flow's own (masks upsampled bilinearly, as the paper) or the " +
      "network's (flow area-averaged down, vectors rescaled; the CPU reference run's choice, " +
      "several times cheaper at 128×224 from 427×240 flow)",
  ),
  flowConsistency: p.bool(
    false,
    "weight Lf per pixel by the forward-backward consistency of its flow: occluded and " +
      "mismatched pixels (|F(x) + B(x + F(x))|² > 0.01·(|F|² + |B|²) + 0.5 px²) carry no Lf " +
      "(not in the paper)",
  ),
  flowClip: p.num(20, {
    above: 0,
    doc: "flow clip (px of the 854×480 frame, the units of Lf)",
  }),
} satisfies ParamSchema;

/** The values of `loss.*` by short name. */
export type LossParams = ParamGroup<typeof LOSS_PARAMS>;
