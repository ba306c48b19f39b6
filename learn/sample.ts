/**
 * Differentiable bilinear sampling of feature/mask maps at point positions.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/**
 * Bilinearly samples `maps` at pixel positions `xy`, clamping positions to the map's border.
 * Gather-based (4 gathers of C values per point); differentiable w.r.t. `maps` (the gradient
 * is a segment sum, registered for wasm by learn/kernels). Pixel (i, j) has its centre at
 * x = j, y = i: integer positions return the map's values exactly.
 *
 * @param maps [B, H, W, C]
 * @param xy [B, N, 2] positions in the maps' own pixel units, x then y
 * @returns [B, N, C]
 */
export function sampleAt(maps: tf.Tensor4D, xy: tf.Tensor3D): tf.Tensor3D {
  const [b, h, w, c] = maps.shape;
  const [bx, n, two] = xy.shape;
  if (bx !== b || two !== 2) {
    throw new RangeError(
      `learn/sample.ts: maps [${maps.shape}] and xy [${xy.shape}] must be [B,H,W,C] and [B,N,2]`,
    );
  }
  return tf.tidy(() => {
    const x = tf.clipByValue(tf.reshape(tf.slice(xy, [0, 0, 0], [b, n, 1]), [b, n]), 0, w - 1);
    const y = tf.clipByValue(tf.reshape(tf.slice(xy, [0, 0, 1], [b, n, 1]), [b, n]), 0, h - 1);
    // left/top corner, kept ≤ size-2 so that the right/bottom corner is in range
    const x0 = tf.minimum(tf.floor(x), Math.max(w - 2, 0));
    const y0 = tf.minimum(tf.floor(y), Math.max(h - 2, 0));
    const fx = tf.expandDims(tf.sub(x, x0), 2); // [B,N,1]
    const fy = tf.expandDims(tf.sub(y, y0), 2);
    const x0i = tf.cast(x0, "int32"), y0i = tf.cast(y0, "int32");
    const dx = w > 1 ? 1 : 0, dy = h > 1 ? w : 0;
    const base = tf.add(
      tf.add(tf.mul(y0i, tf.scalar(w, "int32")), x0i),
      tf.reshape(tf.mul(tf.range(0, b, 1, "int32"), tf.scalar(h * w, "int32")), [b, 1]),
    ); // [B,N]
    const flat = tf.reshape(maps, [b * h * w, c]);
    const at = (offset: number) =>
      tf.reshape(tf.gather(flat, tf.reshape(tf.add(base, tf.scalar(offset, "int32")), [b * n])), [
        b,
        n,
        c,
      ]);
    const v00 = at(0), v01 = at(dx), v10 = at(dy), v11 = at(dx + dy);
    const top = tf.add(v00, tf.mul(fx, tf.sub(v01, v00)));
    const bottom = tf.add(v10, tf.mul(fx, tf.sub(v11, v10)));
    return tf.add(top, tf.mul(fy, tf.sub(bottom, top))) as tf.Tensor3D;
  });
}

/**
 * Weights of bilinear resizing along one axis, `[outSize, inSize]` row-major: half-pixel
 * centres and edge clamp, the convention of learn/train/resize.ts (and of PyTorch
 * `interpolate(mode="bilinear", align_corners=False)` for upsampling).
 */
export function bilinearWeights(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const s = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const f = Math.min(Math.max((o + 0.5) * s - 0.5, 0), inSize - 1);
    const i0 = Math.floor(f), i1 = Math.min(i0 + 1, inSize - 1), t = f - i0;
    m[o * inSize + i0] += 1 - t;
    m[o * inSize + i1] += t;
  }
  return m;
}

/**
 * Differentiable bilinear resize of `[B, H, W, C]` maps to `[B, outH, outW, C]` as two matrix
 * products with {@link bilinearWeights} (the same values on every backend, and a plain matMul
 * gradient; tfjs-wasm's ResizeBilinearGrad ignores half-pixel centres).
 */
export function resizeBilinearTf(x: tf.Tensor4D, outH: number, outW: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (h === outH && w === outW) return tf.clone(x);
  return tf.tidy(() => {
    const rx = tf.tensor2d(bilinearWeights(w, outW), [outW, w]);
    const ry = tf.tensor2d(bilinearWeights(h, outH), [outH, h]);
    // width: [B·H, W, C] → [B·H·C, W] · Rxᵀ
    const xt = tf.reshape(tf.transpose(x, [0, 1, 3, 2]), [b * h * c, w]);
    const xw = tf.reshape(tf.matMul(xt, rx, false, true), [b, h, c, outW]);
    // height: [B, C, outW, H] · Ryᵀ
    const yt = tf.reshape(tf.transpose(xw, [0, 2, 3, 1]), [b * c * outW, h]);
    const yh = tf.reshape(tf.matMul(yt, ry, false, true), [b, c, outW, outH]);
    return tf.transpose(yh, [0, 3, 2, 1]) as tf.Tensor4D;
  });
}
