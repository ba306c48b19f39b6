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

/**
 * Sparse resampling weights along one axis, flattened: output o reads the input samples
 * `idx[start[o] .. start[o+1])` with the weights at the same positions of `wt`.
 */
interface AxisWeights {
  start: Int32Array;
  idx: Int32Array;
  wt: Float64Array;
}

function flatten(taps: { is: number[]; ws: number[] }[]): AxisWeights {
  const start = new Int32Array(taps.length + 1);
  taps.forEach((t, o) => start[o + 1] = start[o] + t.is.length);
  return {
    start,
    idx: Int32Array.from(taps.flatMap((t) => t.is)),
    wt: Float64Array.from(taps.flatMap((t) => t.ws)),
  };
}

/**
 * Area weights of shrinking `inSize` samples to `outSize` (OpenCV INTER_AREA): output o averages
 * the input interval [o·s, (o+1)·s), s = inSize/outSize, each input sample weighted by its overlap.
 */
function areaWeights(inSize: number, outSize: number): AxisWeights {
  const s = inSize / outSize;
  const taps: { is: number[]; ws: number[] }[] = [];
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
    taps.push({ is, ws });
  }
  return flatten(taps);
}

/** Bilinear weights along one axis (half-pixel centres, edge clamp), as {@link resizeBilinear}. */
function linearWeights(inSize: number, outSize: number): AxisWeights {
  const s = inSize / outSize;
  const taps: { is: number[]; ws: number[] }[] = [];
  for (let o = 0; o < outSize; o++) {
    const f = Math.min(Math.max((o + 0.5) * s - 0.5, 0), inSize - 1);
    const i0 = Math.floor(f), i1 = Math.min(i0 + 1, inSize - 1), t = f - i0;
    taps.push({ is: [i0, i1], ws: [1 - t, t] });
  }
  return flatten(taps);
}

/** Axis weights by (inSize, outSize): the same few sizes recur for every frame and flow. */
const weightCache = new Map<string, AxisWeights>();

function axisWeights(inSize: number, outSize: number): AxisWeights {
  const key = `${inSize}:${outSize}`;
  let w = weightCache.get(key);
  if (!w) {
    w = outSize < inSize ? areaWeights(inSize, outSize) : linearWeights(inSize, outSize);
    if (weightCache.size > 64) weightCache.clear();
    weightCache.set(key, w);
  }
  return w;
}

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
  // width pass: [h, w, c] → [h, outW, c] in float64, then height pass → [outH, outW, c]; each
  // sum adds its terms in tap order (the arithmetic of accumulating into a zeroed array)
  const mid = new Float64Array(h * outW * c);
  const { start: xs, idx: xi, wt: xw } = ax;
  for (let y = 0; y < h; y++) {
    const rowIn = y * w * c, rowOut = y * outW * c;
    for (let x = 0; x < outW; x++) {
      const j0 = xs[x], j1 = xs[x + 1], o = rowOut + x * c;
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let j = j0; j < j1; j++) s += xw[j] * src[rowIn + xi[j] * c + k];
        mid[o + k] = s;
      }
    }
  }
  const out = new Float32Array(outH * outW * c);
  const { start: ys, idx: yi, wt: yw } = ay;
  const row = outW * c;
  for (let y = 0; y < outH; y++) {
    const j0 = ys[y], j1 = ys[y + 1], o = y * row;
    for (let q = 0; q < row; q++) {
      let s = 0;
      for (let j = j0; j < j1; j++) s += yw[j] * mid[yi[j] * row + q];
      out[o + q] = scale ? s * scale[q % c] : s;
    }
  }
  return out;
}
