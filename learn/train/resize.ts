/**
 * Bilinear resizing of interleaved float images in plain JS (half-pixel centres, edge clamp:
 * the same as PyTorch `interpolate(mode="bilinear", align_corners=False)` for upsampling).
 * @module
 */

/**
 * Resize an interleaved `[h, w, c]` array to `[outH, outW, c]` bilinearly; each value is
 * multiplied by `scale[channel]` when given (e.g. to rescale flow vectors).
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
  scale?: number[],
): Float32Array {
  if (src.length !== h * w * c) {
    throw new RangeError(`resizeBilinear: ${src.length} values for [${h},${w},${c}]`);
  }
  const out = new Float32Array(outH * outW * c);
  const sy = h / outH;
  const sx = w / outW;
  const x0s = new Int32Array(outW);
  const x1s = new Int32Array(outW);
  const fxs = new Float32Array(outW);
  for (let x = 0; x < outW; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(x0s[x] + 1, w - 1);
    fxs[x] = fx - x0s[x];
  }
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const wx = fxs[x];
      const a = (y0 * w + x0s[x]) * c;
      const b = (y0 * w + x1s[x]) * c;
      const d = (y1 * w + x0s[x]) * c;
      const e = (y1 * w + x1s[x]) * c;
      const o = (y * outW + x) * c;
      for (let k = 0; k < c; k++) {
        const top = src[a + k] * (1 - wx) + src[b + k] * wx;
        const bot = src[d + k] * (1 - wx) + src[e + k] * wx;
        const v = top * (1 - wy) + bot * wy;
        out[o + k] = scale ? v * scale[k] : v;
      }
    }
  }
  return out;
}
