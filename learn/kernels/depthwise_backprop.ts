/**
 * `DepthwiseConv2dNativeBackpropInput` / `...BackpropFilter` for the wasm backend, written as
 * forward depthwise convolutions (same designs as the dense conv kernels in this folder).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { cropNegative, pair, runAsKernel, zeroInsert } from "./_tensor_info.ts";

function assertNoDilation(file: string, d: number | [number, number] | undefined): void {
  const [a, b] = pair(d ?? 1);
  if (a !== 1 || b !== 1) {
    throw new Error(`learn/kernels/${file}: dilations > 1 are not supported, got ${d}`);
  }
}

/** Input gradient of a depthwise conv (filter [fh, fw, Ci, M]). */
export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  assertNoDilation("depthwise_backprop.ts", a.dilations);
  const [sh, sw] = pair(a.strides);
  const inShape = a.inputShape;
  const [fh, fw, ci, m] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    [fh, fw, ci, m],
    [sh, sw],
    1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const { top, left } = info.padInfo;
  return runAsKernel(backend, [dy, filter], (dyT, wT) => {
    const dyd = zeroInsert(dyT as tf.Tensor4D, sh, sw); // [B, H', W', Ci*M]
    const wFlip = tf.reshape(tf.reverse(wT, [0, 1]), [fh, fw, ci * m, 1]) as tf.Tensor4D;
    const padTop = fh - 1 - top, padLeft = fw - 1 - left;
    const padBottom = inShape[1] - dyd.shape[1] - padTop + fh - 1;
    const padRight = inShape[2] - dyd.shape[2] - padLeft + fw - 1;
    const { x, pad } = cropNegative(dyd, padTop, padBottom, padLeft, padRight);
    const out = tf.depthwiseConv2d(x, wFlip, 1, pad); // [B, H, W, Ci*M]
    if (m === 1) return out;
    return tf.sum(tf.reshape(out, [inShape[0], inShape[1], inShape[2], ci, m]), 4);
  });
};

/** Filter gradient of a depthwise conv (returns [fh, fw, Ci, M]). */
export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  assertNoDilation("depthwise_backprop.ts", a.dilations);
  const [sh, sw] = pair(a.strides);
  const xShape = x.shape as [number, number, number, number];
  const [fh, fw, ci, m] = a.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    a.filterShape,
    [sh, sw],
    1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const { top, left } = info.padInfo;
  const [b, h, w] = xShape;
  const [oh, ow] = [dy.shape[1], dy.shape[2]];
  return runAsKernel(backend, [x, dy], (xT, dyT) => {
    // x as one image with B*Ci channels; dy (per multiplier j) as a [OH, OW, B*Ci, 1] filter.
    const xs = tf.reshape(tf.transpose(xT, [1, 2, 0, 3]), [1, h, w, b * ci]) as tf.Tensor4D;
    const bottom = fh + (oh - 1) * sh - h - top;
    const right = fw + (ow - 1) * sw - w - left;
    const { x: xc, pad } = cropNegative(xs, top, bottom, left, right);
    const dy5 = tf.reshape(dyT, [b, oh, ow, ci, m]);
    const parts: tf.Tensor[] = [];
    for (let j = 0; j < m; j++) {
      const dyj = tf.reshape(
        tf.transpose(tf.slice(dy5, [0, 0, 0, 0, j], [b, oh, ow, ci, 1]), [1, 2, 0, 3, 4]),
        [oh, ow, b * ci, 1],
      ) as tf.Tensor4D;
      const o = tf.depthwiseConv2d(xc, dyj, 1, pad, "NHWC", [sh, sw]); // [1, fh, fw, B*Ci]
      parts.push(tf.sum(tf.reshape(o, [fh, fw, b, ci]), 2));
    }
    return tf.stack(parts, 3);
  });
};
