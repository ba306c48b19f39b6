/**
 * `UnsortedSegmentSum` for the wasm backend (the gradient of gather), via `scatterND`.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { runAsKernel } from "./_tensor_info.ts";

/**
 * out[j, ...] = Σ_{i: segmentIds[i] = j} x[i, ...], for any rank of `segmentIds` (a prefix of
 * `x`'s shape). Ids must lie in [0, numSegments); out-of-range ids are an error here (TF drops
 * them) because scatterND cannot skip them.
 */
export const unsortedSegmentSumKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const idRank = segmentIds.shape.length;
  const inner = x.shape.slice(idRank);
  const n = segmentIds.shape.reduce((p, q) => p * q, 1);
  return runAsKernel(backend, [x, segmentIds], (xT, idsT) => {
    const ids = tf.reshape(tf.cast(idsT, "int32"), [n, 1]);
    const updates = tf.reshape(xT, [n, ...inner]);
    return tf.scatterND(ids, updates, [numSegments, ...inner]);
  });
};
