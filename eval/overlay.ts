/**
 * Qualitative figures: soft masks blended over a frame with component outlines, and a grid of
 * images. Pure pixel code; encode the result with `formats/image.ts`.
 * @module
 */
import type { RgbImage } from "../video/types.ts";
import { resizeBilinear } from "../learn/train/resize.ts";
import { resizeLabel } from "../formats/image.ts";
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

/** A panel size at least `minWidth` px wide with the aspect ratio of `width`×`height`. */
export function tileSize(width: number, height: number, minWidth = 256): {
  width: number;
  height: number;
} {
  const w = Math.max(minWidth, width);
  return { width: w, height: Math.max(1, Math.round((height * w) / width)) };
}

/** An RGB frame resized bilinearly to `width`×`height`. */
export function resizeFrame(frame: RgbImage, width: number, height: number): RgbImage {
  if (frame.width === width && frame.height === height) return frame;
  const f = resizeBilinear(frame.data, frame.height, frame.width, 3, height, width);
  const data = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) data[i] = Math.round(f[i]);
  return { width, height, data };
}

/**
 * A binary mask (non-zero = on, any size) over a dimmed frame: on pixels tinted with `color`,
 * the mask's boundary drawn at full colour. The result has the frame's size.
 */
export function renderMaskOverlay(
  frame: RgbImage,
  mask: { width: number; height: number; data: Uint8Array },
  color: readonly [number, number, number] = [230, 40, 40],
): RgbImage {
  const { width: w, height: h } = frame;
  const m = resizeLabel(mask, frame).data;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const on = m[i] !== 0;
      const edge = (x + 1 < w && (m[i + 1] !== 0) !== on) || (y + 1 < h && (m[i + w] !== 0) !== on);
      for (let c = 0; c < 3; c++) {
        const f = frame.data[i * 3 + c];
        out[i * 3 + c] = edge ? color[c] : on ? Math.round(0.45 * f + 0.55 * color[c]) : f >> 1;
      }
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * One soft mask (channel `c` of a stack, or a single-channel map in [0, 1]) as a heat map at
 * `width`×`height`: black (0) to the component's colour (1), upsampled bilinearly.
 */
export function renderSoftMask(
  masks: MaskStack,
  c: number,
  width: number,
  height: number,
  color: readonly [number, number, number] = [255, 255, 255],
): RgbImage {
  const { width: mw, height: mh, k } = masks;
  if (!Number.isInteger(c) || c < 0 || c >= k) {
    throw new RangeError(`renderSoftMask: component ${c} of K = ${k}`);
  }
  const ch = new Float32Array(mw * mh);
  for (let i = 0; i < mw * mh; i++) ch[i] = masks.data[i * k + c];
  const up = mw === width && mh === height ? ch : resizeBilinear(ch, mh, mw, 1, height, width);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const v = Math.min(1, Math.max(0, up[i]));
    for (let j = 0; j < 3; j++) out[i * 3 + j] = Math.round(v * color[j]);
  }
  return { width, height, data: out };
}
