/**
 * Scoring a segmenter on one cached sequence: predict the annotated frames, merge K components
 * into two groups (motion, colour) and score them against the ground truth by the standard
 * protocol, plus the oracle best union (labelled as such). Shared by `evaluate` and the
 * optional validation J of `train`.
 * @module
 */
import { asMaskStack, predictMasks } from "../eval/predict.ts";
import { type MaskStack, mergeByColour, mergeByMotion } from "../eval/merge.ts";
import { frameScores } from "../eval/group_iou.ts";
import type { SequenceScores } from "../eval/metrics.ts";
import type { Segmenter } from "../learn/net/types.ts";
import type { LabelImage } from "../video/types.ts";
import type { FramesArtifact, SequenceFlow } from "./artifacts.ts";

/** The K→2 merges scored for every frame; `oracle` uses the labels (an upper bound). */
export const MERGES = ["motion", "colour", "oracle"] as const;
export type MergeKind = typeof MERGES[number];

/** What {@link scoreSequence} returns. */
export interface ScoredSequence {
  scores: Record<MergeKind, SequenceScores>;
  /** The groupings chosen per annotated frame (`motion` is null without flow). */
  groups: Map<number, { motion: Uint8Array | null; colour: Uint8Array }>;
  /** Predicted masks of the frames asked for in `keep`. */
  kept: Map<number, MaskStack>;
}

/** Options of {@link scoreSequence}. */
export interface ScoreOptions {
  /** Frames whose masks are returned (they are predicted even when not annotated). */
  keep?: readonly number[];
  /** Only these merges (default all); the others get no scores. */
  merges?: readonly MergeKind[];
  /** Called for every annotated frame with its masks (e.g. for ARI). */
  onFrame?: (t: number, masks: MaskStack, gt: LabelImage) => void;
}

/** The flow a frame's motion merge uses: forward gap 1, else backward gap 1. */
export function mergeFlow(flow: SequenceFlow, t: number) {
  return flow.get(t, 1, "fwd") ?? flow.get(t, 1, "bwd");
}

/**
 * Predicts and scores the annotated frames of one sequence (only those and `keep` are run
 * through the network: FBMS annotates 1 frame in 20).
 */
export async function scoreSequence(
  net: Segmenter,
  seq: FramesArtifact,
  flow: SequenceFlow,
  opts: ScoreOptions = {},
): Promise<ScoredSequence> {
  const { meta, frames, gt } = seq;
  const merges = new Set(opts.merges ?? MERGES);
  const need = [...new Set([...meta.annotated, ...(opts.keep ?? [])])].sort((a, b) => a - b);
  const predicted = await predictMasks(net, need.map((t) => frames[t]));
  const masksOf = new Map(need.map((t, i) => [t, asMaskStack(net, predicted[i])]));
  const name = meta.sequence;
  const scores = Object.fromEntries(
    MERGES.map((m) => [m, { name, frames: [] as number[], scores: [] as number[] }]),
  ) as Record<MergeKind, SequenceScores>;
  const groups: ScoredSequence["groups"] = new Map();
  for (const t of meta.annotated) {
    const stack = masksOf.get(t)!;
    const g = gt[t] as LabelImage;
    const f = merges.has("motion") ? mergeFlow(flow, t) : null;
    const motion = f ? mergeByMotion(stack, f) : null;
    const colour = mergeByColour(stack, frames[t]);
    groups.set(t, { motion, colour });
    const chosen = [...(motion ? [motion] : []), ...(merges.has("colour") ? [colour] : [])];
    const r = frameScores(stack, chosen, g);
    const push = (m: MergeKind, v: number) => {
      scores[m].frames.push(t);
      scores[m].scores.push(v);
    };
    if (motion) push("motion", r.merged[0]);
    if (merges.has("colour")) push("colour", r.merged[motion ? 1 : 0]);
    if (merges.has("oracle")) push("oracle", r.oracle);
    opts.onFrame?.(t, stack, g);
  }
  const kept = new Map<number, MaskStack>();
  for (const t of opts.keep ?? []) kept.set(t, masksOf.get(t)!);
  return { scores, groups, kept };
}
