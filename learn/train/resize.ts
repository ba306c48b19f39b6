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

/** Sparse resampling weights along one axis: output o reads `idx[o][j]` with `wt[o][j]`. */
interface AxisWeights {
  idx: Int32Array[];
  wt: Float64Array[];
}

/**
 * Area weights of shrinking `inSize` samples to `outSize` (OpenCV INTER_AREA): output o averages
 * the input interval [o·s, (o+1)·s), s = inSize/outSize, each input sample weighted by its overlap.
 */
function areaWeights(inSize: number, outSize: number): AxisWeights {
  const s = inSize / outSize;
  const idx: Int32Array[] = [], wt: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const a = o * s, b = (o + 1) * s;
    const i0 = Math.floor(a), i1 = Math.min(Math.ceil(b), inSize);
    const is: number[] = [], ws: number[] = [];
    for (let i = i0; i < i1; i++) {
      const overlap = Math.min(b, i + 1) - Math.max(a, i);
      if (overlap > 0) {
        is.push(i);
        ws.push(overlap / s);
      }
    }
    idx.push(Int32Array.from(is));
    wt.push(Float64Array.from(ws));
  }
  return { idx, wt };
}

/** Bilinear weights along one axis (half-pixel centres, edge clamp), as {@link resizeBilinear}. */
function linearWeights(inSize: number, outSize: number): AxisWeights {
  const s = inSize / outSize;
  const idx: Int32Array[] = [], wt: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const f = Math.min(Math.max((o + 0.5) * s - 0.5, 0), inSize - 1);
    const i0 = Math.floor(f), i1 = Math.min(i0 + 1, inSize - 1), t = f - i0;
    idx.push(Int32Array.of(i0, i1));
    wt.push(Float64Array.of(1 - t, t));
  }
  return { idx, wt };
}

const axisWeights = (inSize: number, outSize: number) =>
  outSize < inSize ? areaWeights(inSize, outSize) : linearWeights(inSize, outSize);

/**
 * Resize an interleaved `[h, w, c]` array to `[outH, outW, c]` the way images and flow fields
 * should be: along an axis that shrinks, each output averages the input samples it covers
 * (area, OpenCV INTER_AREA; bilinear sampling would skip samples and alias at ratios above 2);
 * along an axis that grows, bilinear (exactly {@link resizeBilinear} when neither axis shrinks).
 * Each value is multiplied by `scale[channel]` when given (e.g. to rescale flow vectors).
 */
export function resizeImage(
  src: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
  scale?: number[],
): Float32Array {
  if (outH >= h && outW >= w) return resizeBilinear(src, h, w, c, outH, outW, scale);
  if (src.length !== h * w * c) {
    throw new RangeError(`resizeImage: ${src.length} values for [${h},${w},${c}]`);
  }
  const ax = axisWeights(w, outW), ay = axisWeights(h, outH);
  // width pass: [h, w, c] → [h, outW, c] in float64, then height pass → [outH, outW, c]
  const mid = new Float64Array(h * outW * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      const is = ax.idx[x], ws = ax.wt[x], o = (y * outW + x) * c;
      for (let j = 0; j < is.length; j++) {
        const a = (y * w + is[j]) * c, wj = ws[j];
        for (let k = 0; k < c; k++) mid[o + k] += wj * src[a + k];
      }
    }
  }
  const out = new Float32Array(outH * outW * c);
  const acc = new Float64Array(outW * c);
  for (let y = 0; y < outH; y++) {
    acc.fill(0);
    const is = ay.idx[y], ws = ay.wt[y];
    for (let j = 0; j < is.length; j++) {
      const row = is[j] * outW * c, wj = ws[j];
      for (let q = 0; q < outW * c; q++) acc[q] += wj * mid[row + q];
    }
    const o = y * outW * c;
    for (let q = 0; q < outW * c; q++) out[o + q] = scale ? acc[q] * scale[q % c] : acc[q];
  }
  return out;
}
