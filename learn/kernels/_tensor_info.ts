/**
 * Internals shared by the kernels in this folder: wrapping kernel inputs as tensors and
 * handing a tensor's buffer back to the engine without copying.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** Minimal view of a backend that counts references to its data buffers. */
interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

/**
 * Runs `body` with the kernel inputs as `tf.Tensor`s and returns its result as a TensorInfo
 * that owns the result's buffer (no copy): the buffer's reference count is raised before the
 * tensor wrapper is disposed, so the engine can wrap it again as the kernel's output.
 */
export function runAsKernel(
  backend: unknown,
  inputs: tf.TensorInfo[],
  body: (...tensors: tf.Tensor[]) => tf.Tensor,
): tf.TensorInfo {
  const owned: tf.Tensor[] = [];
  const tensors = inputs.map((info) => {
    if (info instanceof tf.Tensor) return info;
    const t = tf.engine().makeTensorFromTensorInfo(info);
    (backend as RefCountingBackend).incRef(info.dataId);
    owned.push(t);
    return t;
  });
  try {
    const out = tf.tidy(() => body(...tensors));
    (backend as RefCountingBackend).incRef(out.dataId);
    const info: tf.TensorInfo = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
    out.dispose();
    return info;
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** Normalises a stride/dilation attribute to a pair. */
export function pair(v: number | [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/**
 * Inserts `s - 1` zeros between neighbouring rows and `t - 1` between columns of an NHWC
 * tensor: [B, H, W, C] → [B, (H-1)s+1, (W-1)t+1, C]. Identity when s = t = 1.
 */
export function zeroInsert(x: tf.Tensor4D, s: number, t: number): tf.Tensor4D {
  if (s === 1 && t === 1) return x;
  const [b, h, w, c] = x.shape;
  const x6 = tf.reshape(x, [b, h, 1, w, 1, c]);
  const padded = tf.pad(x6, [[0, 0], [0, 0], [0, s - 1], [0, 0], [0, t - 1], [0, 0]]);
  const flat = tf.reshape(padded, [b, h * s, w * t, c]) as tf.Tensor4D;
  return tf.slice(flat, [0, 0, 0, 0], [b, (h - 1) * s + 1, (w - 1) * t + 1, c]);
}

/**
 * Pads (non-negative amounts) or crops (negative amounts) the spatial axes of an NHWC tensor.
 * Returns the tensor and the remaining non-negative padding to pass to a conv as explicit pad.
 */
export function cropNegative(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): { x: tf.Tensor4D; pad: [[0, 0], [number, number], [number, number], [0, 0]] } {
  const [b, h, w, c] = x.shape;
  const ct = Math.max(0, -top), cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left), cr = Math.max(0, -right);
  const cropped = ct + cb + cl + cr === 0
    ? x
    : tf.slice(x, [0, ct, cl, 0], [b, h - ct - cb, w - cl - cr, c]);
  return {
    x: cropped,
    pad: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [
      Math.max(0, left),
      Math.max(0, right),
    ], [0, 0]],
  };
}
