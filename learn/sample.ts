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
