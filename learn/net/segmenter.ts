/**
 * `createSegmenter`: a UNet-style segmentation network written with plain tf ops and
 * `tf.variable`, with seeded He initialisation and plain-array weight serialisation.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "../tf_gradients.ts";
import { Rng } from "../../core/random.ts";
import { isTensorflowBackend, nativeNormRelu } from "../kernels/tensorflow_norm_relu.ts";
import type {
  Architecture,
  ForwardOptions,
  NormKind,
  Segmenter,
  SegmenterConfig,
} from "./types.ts";

const ARCHS: readonly Architecture[] = ["unet", "unet-small", "encdec"];
const NORMS: readonly NormKind[] = ["batch", "instance", "none"];
const BN_MOMENTUM = 0.1;
const NORM_EPS = 1e-5;
/** Per-channel input normalisation (inputs are in [0, 1]). */
const INPUT_MEAN = 0.45;
const INPUT_STD = 0.225;

let instanceCounter = 0;

interface ConvLayer {
  w: tf.Variable;
  b: tf.Variable | null;
}

interface NormLayer {
  gamma: tf.Variable;
  beta: tf.Variable;
  runMean: tf.Variable | null;
  runVar: tf.Variable | null;
}

interface ConvNorm {
  conv: ConvLayer;
  norm: NormLayer | null;
}

interface PendingStats {
  layer: NormLayer;
  mean: tf.Tensor;
  variance: tf.Tensor;
  count: number;
}

function validate(cfg: SegmenterConfig): Required<SegmenterConfig> {
  const norm = cfg.norm ?? "batch";
  if (!ARCHS.includes(cfg.arch)) {
    throw new TypeError(`createSegmenter: unknown arch "${cfg.arch}" (known: ${ARCHS.join(", ")})`);
  }
  if (!NORMS.includes(norm)) {
    throw new TypeError(`createSegmenter: unknown norm "${norm}" (known: ${NORMS.join(", ")})`);
  }
  const ints: [string, number, number][] = [
    ["width", cfg.width, 1],
    ["depth", cfg.depth, 1],
    ["k", cfg.k, 2],
    ["inputHeight", cfg.inputHeight, 1],
    ["inputWidth", cfg.inputWidth, 1],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isInteger(v) || v < min) {
      throw new RangeError(`createSegmenter: ${name} must be an integer >= ${min}, got ${v}`);
    }
  }
  if (!Number.isFinite(cfg.seed)) {
    throw new TypeError(`createSegmenter: seed must be a finite number, got ${cfg.seed}`);
  }
  return { ...cfg, norm };
}

/**
 * Nearest-neighbour ×2 upsampling cropped to `[height, width]`, written as a broadcast multiply
 * so its gradient is a plain sum on every backend (tfjs 4.22's ResizeBilinear and
 * ResizeNearestNeighbor gradients are wrong on the cpu backend for non-square inputs, and a
 * stack-based version is slow on wasm: its Unpack gradient took ~4 s per step). On
 * `tensorflow` it is TensorFlow's own ResizeNearestNeighbor (the same values; its gradient is
 * a correct adjoint there, learn/tensorflow_test.ts, and ~3× cheaper than the strided sum).
 */
export function upsample2(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const up = isTensorflowBackend()
    ? tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w])
    : tf.reshape(tf.mul(tf.reshape(x, [b * h, 1, w, 1, c]), tf.ones([1, 2, 1, 2, 1])), [
      b,
      2 * h,
      2 * w,
      c,
    ]);
  if (2 * h === height && 2 * w === width) return up as tf.Tensor4D;
  return tf.slice(up as tf.Tensor4D, [0, 0, 0, 0], [b, height, width, c]);
}

/**
 * relu(γ·(x − μ)/√(σ² + ε) + β) with μ, σ² the (biased) moments of `x` over `axes` (`[0,1,2]`:
 * batch norm; `[1,2]`: instance norm), and its closed-form gradient
 * dx = γ/√(σ² + ε) · (g − (Σg + x̂·Σ(g·x̂))/n), dγ = Σ g·x̂, dβ = Σ g with g = dy·[y > 0].
 * Mathematically the same as tf.moments + the affine map + tf.relu under autodiff, in about a
 * quarter of the ops (tfjs's relu gradient is a Step, which costs ~7 ms per layer on tfjs-node).
 * Returns `mean`/`variance` (shape [C] for batch norm) for the running statistics; the caller
 * keeps or disposes them. On `tensorflow`, batch norm runs on TensorFlow's fused kernels
 * (learn/kernels/tensorflow_norm_relu.ts).
 */
export function normRelu(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D | tf.Variable,
  beta: tf.Tensor1D | tf.Variable,
  axes: number[],
): { y: tf.Tensor4D; mean: tf.Tensor; variance: tf.Tensor } {
  if (axes.length === 3 && isTensorflowBackend()) return nativeNormRelu(x, gamma, beta, NORM_EPS);
  const n = axes.reduce((p, a) => p * x.shape[a], 1);
  const channels = x.shape[3];
  let mean!: tf.Tensor, variance!: tf.Tensor;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, g, b, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const mu = tf.mul(tf.sum(xx, axes, true), 1 / n);
    const xc = tf.sub(xx, mu);
    const v = tf.mul(tf.sum(tf.square(xc), axes, true), 1 / n);
    const rstd = tf.rsqrt(tf.add(v, NORM_EPS));
    const xhat = tf.mul(xc, rstd);
    const y = tf.relu(tf.add(tf.mul(xhat, g), b)) as tf.Tensor4D;
    const batch = axes.length === 3;
    mean = tf.keep(batch ? tf.reshape(mu, [channels]) : mu);
    variance = tf.keep(batch ? tf.reshape(v, [channels]) : v);
    save([xhat, y, rstd, g]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, sy, srstd, sg] = saved;
        const gy = tf.mul(dy, tf.sign(sy)); // y ≥ 0: sign is the relu mask
        const s1 = tf.sum(gy, axes, true);
        const s2 = tf.sum(tf.mul(gy, sxhat), axes, true);
        const dx = tf.mul(
          tf.mul(srstd, sg),
          tf.sub(gy, tf.mul(tf.add(s1, tf.mul(sxhat, s2)), 1 / n)),
        );
        const dgamma = tf.reshape(batch ? s2 : tf.sum(s2, 0), [channels]);
        const dbeta = tf.reshape(batch ? s1 : tf.sum(s1, 0), [channels]);
        return [dx, dgamma, dbeta];
      },
    };
  });
  const y = f(x, gamma, beta) as tf.Tensor4D;
  return { y, mean, variance };
}

/**
 * Build a segmentation network with deterministic (seeded) initial weights.
 *
 * @example
 * ```ts
 * const net = createSegmenter({arch: "unet", width: 16, depth: 3, k: 4,
 *   inputHeight: 64, inputWidth: 112, seed: 0});
 * const masks = net.predict(frames); // [B,64,112,4], softmax over the last axis
 * masks.dispose(); net.dispose();
 * ```
 */
export function createSegmenter(config: SegmenterConfig): Segmenter {
  const cfg = validate(config);
  const rng = new Rng(cfg.seed);
  const prefix = `segmenter${instanceCounter++}/`;
  const named: { name: string; v: tf.Variable }[] = [];
  const trainable: tf.Variable[] = [];

  const addVar = (name: string, values: Float32Array, shape: number[], train: boolean) => {
    const init = tf.tensor(values, shape, "float32");
    const v = tf.variable(init, train, prefix + name);
    init.dispose(); // the variable keeps its own reference to the data
    named.push({ name, v });
    if (train) trainable.push(v);
    return v;
  };
  const fill = (n: number, value: number) => new Float32Array(n).fill(value);

  const makeConv = (name: string, ci: number, co: number, ks: number, bias: boolean) => {
    const n = ks * ks * ci * co;
    const std = Math.sqrt(2 / (ks * ks * ci));
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = rng.normal() * std;
    return {
      w: addVar(`${name}/w`, w, [ks, ks, ci, co], true),
      b: bias ? addVar(`${name}/b`, fill(co, 0), [co], true) : null,
    };
  };
  const makeNorm = (name: string, c: number): NormLayer | null => {
    if (cfg.norm === "none") return null;
    const layer: NormLayer = {
      gamma: addVar(`${name}/gamma`, fill(c, 1), [c], true),
      beta: addVar(`${name}/beta`, fill(c, 0), [c], true),
      runMean: null,
      runVar: null,
    };
    if (cfg.norm === "batch") {
      layer.runMean = addVar(`${name}/running_mean`, fill(c, 0), [c], false);
      layer.runVar = addVar(`${name}/running_var`, fill(c, 1), [c], false);
    }
    return layer;
  };
  const makeConvNorm = (name: string, ci: number, co: number): ConvNorm => ({
    conv: makeConv(`${name}/conv`, ci, co, 3, cfg.norm === "none"),
    norm: makeNorm(`${name}/norm`, co),
  });

  const convsPerBlock = cfg.arch === "unet-small" ? 1 : 2;
  const skips = cfg.arch !== "encdec";
  const ch = (i: number) => cfg.width * 2 ** i;
  const makeBlock = (name: string, ci: number, co: number): ConvNorm[] => {
    const layers: ConvNorm[] = [];
    for (let j = 0; j < convsPerBlock; j++) {
      layers.push(makeConvNorm(`${name}/${j}`, j === 0 ? ci : co, co));
    }
    return layers;
  };

  const encoder: ConvNorm[][] = [];
  for (let i = 0; i < cfg.depth; i++) {
    encoder.push(makeBlock(`enc${i}`, i === 0 ? 3 : ch(i - 1), ch(i)));
  }
  const ups: ConvNorm[] = [];
  const decoder: ConvNorm[][] = [];
  for (let i = cfg.depth - 2; i >= 0; i--) {
    ups.push(makeConvNorm(`up${i}`, ch(i + 1), ch(i)));
    decoder.push(makeBlock(`dec${i}`, skips ? 2 * ch(i) : ch(i), ch(i)));
  }
  const head = makeConv("head", ch(0), cfg.k, 1, true);

  let pending: PendingStats[] = [];
  let disposed = false;

  const applyNormRelu = (x: tf.Tensor4D, layer: NormLayer | null, training: boolean) => {
    if (layer === null) return tf.relu(x);
    if (cfg.norm === "batch" && !training) {
      const scale = tf.mul(tf.rsqrt(tf.add(layer.runVar!, NORM_EPS)), layer.gamma);
      return tf.relu(tf.add(tf.mul(tf.sub(x, layer.runMean!), scale), layer.beta)) as tf.Tensor4D;
    }
    const batch = cfg.norm === "batch";
    const { y, mean, variance } = normRelu(x, layer.gamma, layer.beta, batch ? [0, 1, 2] : [1, 2]);
    if (batch) {
      const count = x.shape[0] * x.shape[1] * x.shape[2];
      pending.push({ layer, mean, variance, count });
    } else tf.dispose([mean, variance]);
    return y;
  };
  const applyConv = (x: tf.Tensor4D, c: ConvLayer): tf.Tensor4D => {
    const y = tf.conv2d(x, c.w as tf.Tensor4D, 1, "same");
    return c.b ? tf.add(y, c.b) : y;
  };
  const applyConvNorm = (x: tf.Tensor4D, l: ConvNorm, training: boolean): tf.Tensor4D =>
    applyNormRelu(applyConv(x, l.conv), l.norm, training);
  const applyBlock = (x: tf.Tensor4D, b: ConvNorm[], training: boolean): tf.Tensor4D => {
    for (const l of b) x = applyConvNorm(x, l, training);
    return x;
  };

  const forward = (x: tf.Tensor4D, opts: ForwardOptions): tf.Tensor4D => {
    if (disposed) throw new Error("Segmenter.forward: the network was disposed");
    if (x.rank !== 4 || x.shape[3] !== 3) {
      throw new RangeError(`Segmenter.forward: expected [B,H,W,3] input, got [${x.shape}]`);
    }
    const training = opts.training;
    let h = tf.div(tf.sub(x, INPUT_MEAN), INPUT_STD) as tf.Tensor4D;
    const feats: tf.Tensor4D[] = [];
    for (let i = 0; i < cfg.depth; i++) {
      if (i > 0) h = tf.maxPool(h, 2, 2, "same");
      h = applyBlock(h, encoder[i], training);
      feats.push(h);
    }
    for (let j = 0; j < cfg.depth - 1; j++) {
      const i = cfg.depth - 2 - j;
      const skip = feats[i];
      h = upsample2(h, skip.shape[1], skip.shape[2]);
      h = applyConvNorm(h, ups[j], training);
      if (skips) h = tf.concat([h, skip], 3);
      h = applyBlock(h, decoder[j], training);
    }
    return tf.softmax(applyConv(h, head)) as tf.Tensor4D;
  };

  const seg: Segmenter = {
    config: cfg,
    trainableVariables: trainable,
    forward,
    predict: (x) => tf.tidy(() => forward(x, { training: false })),
    updateNormStats() {
      const todo = pending;
      pending = [];
      for (const p of todo) {
        tf.tidy(() => {
          const unbiased = tf.mul(p.variance, p.count / Math.max(1, p.count - 1));
          p.layer.runMean!.assign(
            tf.add(tf.mul(p.layer.runMean!, 1 - BN_MOMENTUM), tf.mul(p.mean, BN_MOMENTUM)),
          );
          p.layer.runVar!.assign(
            tf.add(tf.mul(p.layer.runVar!, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)),
          );
        });
        p.mean.dispose();
        p.variance.dispose();
      }
    },
    getWeights() {
      return named.map(({ name, v }) => ({
        name,
        shape: v.shape.slice(),
        data: Float32Array.from(v.dataSync() as Float32Array),
      }));
    },
    setWeights(weights) {
      const byName = new Map(weights.map((w) => [w.name, w]));
      for (const { name, v } of named) {
        const w = byName.get(name);
        if (!w) throw new Error(`Segmenter.setWeights: missing weight "${name}"`);
        if (w.shape.join(",") !== v.shape.join(",") || w.data.length !== v.size) {
          throw new RangeError(
            `Segmenter.setWeights: weight "${name}" has shape [${w.shape}], expected [${v.shape}]`,
          );
        }
      }
      if (byName.size !== named.length) {
        const known = new Set(named.map((n) => n.name));
        const extra = weights.find((w) => !known.has(w.name));
        throw new Error(`Segmenter.setWeights: unexpected weight "${extra?.name}"`);
      }
      for (const { name, v } of named) {
        const w = byName.get(name)!;
        tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, "float32")));
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const p of pending) {
        p.mean.dispose();
        p.variance.dispose();
      }
      pending = [];
      for (const { v } of named) v.dispose();
    },
  };
  return seg;
}
