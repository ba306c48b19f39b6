/**
 * `Conv2DBackpropInput` (the input gradient of conv2d, also conv2dTranspose) for the wasm
 * backend, written as one forward convolution.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { cropNegative, pair, runAsKernel, zeroInsert } from "./_tensor_info.ts";

/**
 * dX = conv(zero-inserted dy, filter flipped in space with in/out channels swapped), stride 1,
 * with the padding that reproduces the forward conv's geometry (SAME/VALID/explicit, odd or
 * even sizes). NHWC only.
 */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (a.dataFormat === "NCHW") {
    throw new Error("learn/kernels/conv2d_backprop_input.ts: dataFormat NCHW is not supported");
  }
  const [sh, sw] = pair(a.strides);
  const inShape = a.inputShape;
  const fShape = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    fShape,
    [sh, sw],
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const [fh, fw] = fShape;
  const { top, left } = info.padInfo;
  return runAsKernel(backend, [dy, filter], (dyT, wT) => {
    const dyd = zeroInsert(dyT as tf.Tensor4D, sh, sw);
    const wFlip = tf.transpose(tf.reverse(wT, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const padTop = fh - 1 - top, padLeft = fw - 1 - left;
    const padBottom = inShape[1] - dyd.shape[1] - padTop + fh - 1;
    const padRight = inShape[2] - dyd.shape[2] - padLeft + fw - 1;
    const { x, pad } = cropNegative(dyd, padTop, padBottom, padLeft, padRight);
    return tf.conv2d(x, wFlip, 1, pad);
  });
};
