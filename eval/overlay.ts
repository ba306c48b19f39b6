/**
 * Qualitative figures: soft masks blended over a frame with component outlines, and a grid of
 * images. Pure pixel code; encode the result with `formats/image.ts`.
 * @module
 */
import type { RgbImage } from "../video/types.ts";
import { resizeBilinear } from "../learn/train/resize.ts";
import { argmaxLabels } from "./metrics.ts";
import type { MaskStack } from "./merge.ts";

/** A fixed palette (Tableau 10), one colour per component. */
export const PALETTE: readonly [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

/** Options of {@link renderOverlay}. */
export interface OverlayOptions {
  /** Opacity of the component colour over the frame (0.5). */
  alpha?: number;
  /** Draw component boundaries at full colour (true). */
  outline?: boolean;
  /** Colours per component (default {@link PALETTE}, cycled). */
  colors?: readonly [number, number, number][];
}

/**
 * Blend each pixel's argmax component colour over the frame (masks are resized bilinearly to
 * the frame first) and draw the boundaries between components.
 */
export function renderOverlay(
  frame: RgbImage,
  masks: MaskStack,
  opts: OverlayOptions = {},
): RgbImage {
  const alpha = opts.alpha ?? 0.5;
  const colors = opts.colors ?? PALETTE;
  const { width: w, height: h } = frame;
  if (frame.data.length !== w * h * 3) {
    throw new RangeError(`renderOverlay: frame data has ${frame.data.length} bytes for ${w}x${h}`);
  }
  const soft = masks.width === w && masks.height === h
    ? masks.data
    : resizeBilinear(masks.data, masks.height, masks.width, masks.k, h, w);
  const labels = argmaxLabels(soft, masks.k);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const l = labels[i];
      const col = colors[l % colors.length];
      const edge = (opts.outline ?? true) &&
        ((x + 1 < w && labels[i + 1] !== l) || (y + 1 < h && labels[i + w] !== l));
      const a = edge ? 1 : alpha;
      for (let c = 0; c < 3; c++) {
        out[i * 3 + c] = Math.round((1 - a) * frame.data[i * 3 + c] + a * col[c]);
      }
    }
  }
  return { width: w, height: h, data: out };
}

/** Options of {@link imageGrid}. */
export interface GridOptions {
  /** Pixels between cells (2). */
  gap?: number;
  /** Background colour ([255, 255, 255]). */
  background?: [number, number, number];
}

/**
 * Arrange rows of images into one image; each cell is as large as the largest image, images are
 * placed top-left in their cell (`null` leaves a cell empty).
 */
export function imageGrid(rows: (RgbImage | null)[][], opts: GridOptions = {}): RgbImage {
  const gap = opts.gap ?? 2;
  const bg = opts.background ?? [255, 255, 255];
  const all = rows.flat().filter((x): x is RgbImage => x !== null);
  if (all.length === 0) throw new RangeError("imageGrid: no images");
  const cw = Math.max(...all.map((i) => i.width));
  const ch = Math.max(...all.map((i) => i.height));
  const cols = Math.max(...rows.map((r) => r.length));
  const W = cols * cw + (cols - 1) * gap;
  const H = rows.length * ch + (rows.length - 1) * gap;
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) data.set(bg, i * 3);
  rows.forEach((row, r) =>
    row.forEach((img, c) => {
      if (!img) return;
      const ox = c * (cw + gap);
      const oy = r * (ch + gap);
      for (let y = 0; y < img.height; y++) {
        data.set(
          img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3),
          ((oy + y) * W + ox) * 3,
        );
      }
    })
  );
  return { width: W, height: H, data };
}
