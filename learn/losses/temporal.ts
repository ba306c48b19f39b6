/**
 * Temporal smoothing loss Lr (PAPER.md "Temporal smoothing").
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/**
 * Visibility-weighted mean over tracks (and batch) of ‖ma − mb‖², where `ma` holds frame a's
 * masks at the tracks' positions in a and `mb` frame b's masks at the same tracks' positions
 * in b. The caller averages both directions (a→b and b→a). Zero when no track is visible.
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
  if (ma.shape.join() !== mb.shape.join() || visible.shape.join() !== ma.shape.slice(0, 2).join()) {
    throw new RangeError(
      `learn/losses/temporal.ts: shapes ma [${ma.shape}], mb [${mb.shape}], ` +
        `visible [${visible.shape}] do not match ([B,N,K], [B,N,K], [B,N])`,
    );
  }
  return tf.tidy(() => {
    const v = tf.cast(visible, "float32");
    const d = tf.sum(tf.square(tf.sub(ma, mb)), 2); // [B,N]
    return tf.div(tf.sum(tf.mul(d, v)), tf.maximum(tf.sum(v), 1e-12)) as tf.Scalar;
  });
}
