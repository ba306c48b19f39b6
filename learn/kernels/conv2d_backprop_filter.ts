/**
 * `Conv2DBackpropFilter` (the filter gradient of conv2d) for the wasm backend, written as one
 * forward convolution with the roles of batch and channels swapped.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { cropNegative, pair, runAsKernel } from "./_tensor_info.ts";

/**
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−top, ow·s+kw−left, ci] · dy[b,oh,ow,co], computed
 * as conv2d(x as [Ci,H,W,B], dy as the filter [OH,OW,B,Co], dilation = stride), whose output
 * [Ci, fh, fw, Co] is transposed to [fh, fw, Ci, Co]. NHWC only.
 */
export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (a.dataFormat === "NCHW") {
    throw new Error("learn/kernels/conv2d_backprop_filter.ts: dataFormat NCHW is not supported");
  }
  const [sh, sw] = pair(a.strides);
  const xShape = x.shape as [number, number, number, number];
  const fShape = a.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    fShape,
    [sh, sw],
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const [fh, fw] = fShape;
  const [oh, ow] = [dy.shape[1], dy.shape[2]];
  const { top, left } = info.padInfo;
  return runAsKernel(backend, [x, dy], (xT, dyT) => {
    const xs = tf.transpose(xT, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H, W, B]
    const dyF = tf.transpose(dyT, [1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, B, Co]
    const bottom = fh + (oh - 1) * sh - xShape[1] - top;
    const right = fw + (ow - 1) * sw - xShape[2] - left;
    const { x: xc, pad } = cropNegative(xs, top, bottom, left, right);
    const out = tf.conv2d(xc, dyF, 1, pad, "NHWC", [sh, sw]); // [Ci, fh, fw, Co]
    return tf.transpose(out, [1, 2, 0, 3]);
  });
};
