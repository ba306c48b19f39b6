/**
 * Temporal smoothing loss Lr (PAPER.md "Temporal smoothing").
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

function checkShapes(ma: tf.Tensor3D, mb: tf.Tensor3D, visible: tf.Tensor2D): void {
  if (ma.shape.join() !== mb.shape.join() || visible.shape.join() !== ma.shape.slice(0, 2).join()) {
    throw new RangeError(
      `learn/losses/temporal.ts: shapes ma [${ma.shape}], mb [${mb.shape}], ` +
        `visible [${visible.shape}] do not match ([B,N,K], [B,N,K], [B,N])`,
    );
  }
}

/**
 * One direction of Lr: the visibility-weighted mean over tracks (and batch) of ‖ma − mb‖²,
 * where `ma` holds frame a's masks at the tracks' positions in a and `mb` frame b's masks at
 * the same tracks' positions in b. Zero when no track is visible. The paper's Lr is the mean of
 * the two directions: {@link temporalLossBothWays}.
 *
 * @param ma [B, N, K]
 * @param mb [B, N, K]
 * @param visible [B, N], 1 where the track is visible in both frames
 */
export function temporalLoss(
  ma: tf.Tensor3D,
  mb: tf.Tensor3D,
  visible: tf.Tensor2D,
): tf.Scalar {
  checkShapes(ma, mb, visible);
  return tf.tidy(() => {
    const v = tf.cast(visible, "float32");
    const d = tf.sum(tf.square(tf.sub(ma, mb)), 2); // [B,N]
    return tf.div(tf.sum(tf.mul(d, v)), tf.maximum(tf.sum(v), 1e-12)) as tf.Scalar;
  });
}

/**
 * Lr as in the paper: the mean of the two directional means. Tracks `[0, split)` are the a→b
 * direction (sampled among those visible in frame a), tracks `[split, N)` the b→a direction
 * (sampled in frame b); each direction is the visibility-weighted mean of ‖ma − mb‖² over its
 * own tracks, pooled over the batch. A direction without a visible track is left out of the
 * mean (zero when neither has one).
 *
 * @param ma [B, N, K] masks of frame a at the tracks' positions in a
 * @param mb [B, N, K] masks of frame b at the tracks' positions in b
 * @param visible [B, N], 1 where the track is visible in both frames
 * @param split number of a→b tracks (0 < split < N)
 */
export function temporalLossBothWays(
  ma: tf.Tensor3D,
  mb: tf.Tensor3D,
  visible: tf.Tensor2D,
  split: number,
): tf.Scalar {
  checkShapes(ma, mb, visible);
  const [b, n] = ma.shape;
  if (!Number.isInteger(split) || split <= 0 || split >= n) {
    throw new RangeError(`learn/losses/temporal.ts: split must be in (0, ${n}), got ${split}`);
  }
  return tf.tidy(() => {
    const v = tf.cast(visible, "float32");
    const d = tf.sum(tf.square(tf.sub(ma, mb)), 2); // [B,N]
    const part = (lo: number, len: number) => {
      const dv = tf.slice(d, [0, lo], [b, len]);
      const vv = tf.slice(v, [0, lo], [b, len]);
      const count = tf.sum(vv);
      return {
        mean: tf.div(tf.sum(tf.mul(dv, vv)), tf.maximum(count, 1e-12)),
        has: tf.minimum(count, 1),
      };
    };
    const ab = part(0, split), ba = part(split, n - split);
    const num = tf.add(tf.mul(ab.mean, ab.has), tf.mul(ba.mean, ba.has));
    return tf.div(num, tf.maximum(tf.add(ab.has, ba.has), 1)) as tf.Scalar;
  });
}
