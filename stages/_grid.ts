/**
 * The picture grid of a dataset: one row per sequence (the first {@link GRID_ROWS}), tiles at
 * least 256 px wide.
 * @module
 */
import type { MaskStack } from "../eval/merge.ts";
import {
  PALETTE,
  renderMaskOverlay,
  renderSoftMask,
  resizeFrame,
  tileSize,
} from "../eval/overlay.ts";
import type { LabelImage, RgbImage } from "../video/types.ts";
import type { FramesArtifact } from "./artifacts.ts";

/** Sequences shown in a dataset's picture grid (one row each, in stored order). */
export const GRID_ROWS = 8;

/**
 * The frame a sequence shows in the grid: the middle of the annotated frames the protocol
 * scores (DAVIS: ≥ 2) that have flow for the motion merge, else the middle annotated frame.
 */
export function gridFrame(seq: FramesArtifact, hasFlow: (t: number) => boolean): number | null {
  const a = seq.meta.annotated;
  if (!a.length) return null;
  const good = a.filter((t) => t >= 2 && hasFlow(t));
  const pool = good.length ? good : a;
  return pool[Math.floor((pool.length - 1) / 2)];
}

/** One grid row: frame | ground truth | K soft masks | merged foreground, ≥ 256 px tiles. */
export function gridRow(
  frame: RgbImage,
  gt: LabelImage,
  masks: MaskStack,
  foreground: Uint8Array,
): RgbImage[] {
  const size = tileSize(frame.width, frame.height);
  const f = resizeFrame(frame, size.width, size.height);
  const fg = { width: gt.width, height: gt.height, data: foreground };
  return [
    f,
    renderMaskOverlay(f, gt, [40, 200, 60]),
    ...Array.from(
      { length: masks.k },
      (_, c) => renderSoftMask(masks, c, size.width, size.height, PALETTE[c % PALETTE.length]),
    ),
    renderMaskOverlay(f, fg, [230, 40, 40]),
  ];
}
