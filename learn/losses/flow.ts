/**
 * The GWM parametric flow loss Lf (PAPER.md "Flow loss").
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { resizeBilinearTf } from "../sample.ts";

/** Options of {@link flowLoss}. */
export interface FlowLossOptions {
  /**
   * Clip flow to ±clip before fitting, in the flow's units (paper: 20 px of the 854×480
   * frame, the units learn/train/batch.ts gives the flow).
   */
  clip?: number;
  /** Ridge added to each 6×6 normal matrix, relative to its mean diagonal (default 1e-6). */
  ridge?: number;
  /**
   * `[B, H, W, 1]` per-pixel weight in [0, 1] at the flow's resolution (e.g. the forward-backward
   * consistency of the flow): it multiplies both the fit weights and the squared error. Absent:
   * every pixel weighs 1.
   */
  weight?: tf.Tensor4D;
}

/** Feature arrays per (h, w), computed once (plain arrays: tensors are made per call). */
const featureCache = new Map<
  string,
  { phi: Float32Array; phiT: Float32Array; phiPhi: Float32Array }
>();

/**
 * φ(p) = [x, y, x², y², xy, 1] with x = col/W, y = row/H: as [H*W, 6] (`phi`), [6, H*W]
 * (`phiT`) and the outer products φφᵀ as [H*W, 36] (`phiPhi`).
 */
function features(h: number, w: number) {
  const key = `${h}x${w}`;
  const hit = featureCache.get(key);
  if (hit) return hit;
  const hw = h * w;
  const phi = new Float32Array(hw * 6);
  const phiT = new Float32Array(hw * 6);
  const phiPhi = new Float32Array(hw * 36);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const x = j / w, y = i / h, p = i * w + j;
      const f = [x, y, x * x, y * y, x * y, 1];
      for (let a = 0; a < 6; a++) {
        phi[6 * p + a] = f[a];
        phiT[a * hw + p] = f[a];
        for (let c = 0; c < 6; c++) phiPhi[36 * p + 6 * a + c] = Math.fround(f[a] * f[c]);
      }
    }
  }
  const out = { phi, phiT, phiPhi };
  if (featureCache.size > 16) featureCache.clear();
  featureCache.set(key, out);
  return out;
}

/** Solves the [M,6,6] symmetric positive definite systems A X = R ([M,6,2]) in float64. */
function solveSpd(a: ArrayLike<number>, r: ArrayLike<number>, m: number): Float32Array {
  const out = new Float32Array(m * 12);
  const l = new Float64Array(36);
  for (let s = 0; s < m; s++) {
    const ao = s * 36;
    // Cholesky A = L Lᵀ
    l.fill(0);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j <= i; j++) {
        let v = 0.5 * (a[ao + i * 6 + j] + a[ao + j * 6 + i]);
        for (let q = 0; q < j; q++) v -= l[i * 6 + q] * l[j * 6 + q];
        if (i === j) {
          if (!(v > 0)) {
            throw new RangeError(
              `learn/losses/flow.ts: normal matrix ${s} is not positive definite (pivot ${v})`,
            );
          }
          l[i * 6 + i] = Math.sqrt(v);
        } else l[i * 6 + j] = v / l[j * 6 + j];
      }
    }
    for (let c = 0; c < 2; c++) {
      const z = new Float64Array(6);
      for (let i = 0; i < 6; i++) {
        let v = r[s * 12 + i * 2 + c];
        for (let q = 0; q < i; q++) v -= l[i * 6 + q] * z[q];
        z[i] = v / l[i * 6 + i];
      }
      for (let i = 5; i >= 0; i--) {
        let v = z[i];
        for (let q = i + 1; q < 6; q++) v -= l[q * 6 + i] * out[s * 12 + q * 2 + c];
        out[s * 12 + i * 2 + c] = v / l[i * 6 + i];
      }
    }
  }
  return out;
}

/**
 * θ = A⁻¹ R for A [M,6,6] (SPD) and R [M,6,2], solved in float64 on the CPU, differentiable:
 * ∂/∂R = A⁻¹ dθ, ∂/∂A = −(A⁻¹ dθ) θᵀ.
 */
function spdSolve(a: tf.Tensor3D, r: tf.Tensor3D): tf.Tensor3D {
  const m = a.shape[0];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [aa, rr, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    const av = aa.dataSync();
    const theta = tf.tensor3d(solveSpd(av, rr.dataSync(), m), [m, 6, 2]);
    save([theta]);
    return {
      value: theta,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = tf.tensor3d(solveSpd(av, dy.dataSync(), m), [m, 6, 2]);
        const da = tf.tidy(() => tf.neg(tf.matMul(g, saved[0], false, true)));
        return [da, g];
      },
    };
  });
  return f(a, r) as tf.Tensor3D;
}

/**
 * Lf: the masks are upsampled bilinearly to the flow's resolution (as the paper), then per
 * component k and flow channel θ = argmin ‖diag(m_k)(Φθ − u)‖² is fitted (quadratic motion
 * φ = [x, y, x², y², xy, 1], x, y divided by W, H), F̂ = Σ_k m_k ⊙ Φθ_k is reconstructed and
 * MSE(F, F̂) over all pixels and both channels is returned (with `weight` v: the fit weights are
 * v·m² and the error v·(F − F̂)², still averaged over all pixels). Gradients flow through the solve and
 * the upsampling. Lf scales with the square of the flow's units: the paper's λf = 0.03 assumes
 * pixels of the 854×480 frame.
 *
 * @param masks [B, h, w, K] soft masks (softmax over K), at any resolution
 * @param flow [B, H, W, 2] flow (u, v); clipped to ±`clip` here
 */
export function flowLoss(
  masks: tf.Tensor4D,
  flow: tf.Tensor4D,
  opts: FlowLossOptions = {},
): tf.Scalar {
  const [b, hm, wm, k] = masks.shape;
  const [bf, h, w, two] = flow.shape;
  if (bf !== b || two !== 2) {
    throw new RangeError(
      `learn/losses/flow.ts: flow [${flow.shape}] must be [${b},H,W,2] like masks [${masks.shape}]`,
    );
  }
  const v = opts.weight;
  if (v && (v.shape[0] !== b || v.shape[1] !== h || v.shape[2] !== w || v.shape[3] !== 1)) {
    throw new RangeError(
      `learn/losses/flow.ts: weight [${v.shape}] must be [${b},${h},${w},1] like the flow`,
    );
  }
  const clip = opts.clip ?? 20;
  const ridge = opts.ridge ?? 1e-6;
  // Pixels are the innermost axis throughout ([B,K,·,HW]): TensorFlow's broadcasting
  // multiplies are several times slower when they broadcast along the innermost axis.
  return tf.tidy(() => {
    const hw = h * w;
    const up = hm === h && wm === w ? masks : resizeBilinearTf(masks, h, w);
    const feat = features(h, w);
    const phi = tf.tensor2d(feat.phi, [hw, 6]);
    const phiT = tf.tensor2d(feat.phiT, [6, hw]);
    const phiPhi = tf.tensor2d(feat.phiPhi, [hw, 36]);
    const uT = tf.transpose(tf.reshape(tf.clipByValue(flow, -clip, clip), [b, hw, 2]), [0, 2, 1]);
    const mT = tf.transpose(tf.reshape(up, [b, hw, k]), [0, 2, 1]); // [B,K,HW]
    const vT = v ? tf.reshape(v, [b, 1, hw]) : null; // [B,1,HW]
    const wt = vT ? tf.mul(tf.square(mT), vT) : tf.square(mT); // weights v·m²
    const a = tf.reshape(tf.matMul(tf.reshape(wt, [b * k, hw]), phiPhi), [b * k, 6, 6]);
    const wu = tf.mul(tf.reshape(wt, [b, k, 1, hw]), tf.reshape(uT, [b, 1, 2, hw])); // [B,K,2,HW]
    const r = tf.transpose(
      tf.reshape(tf.matMul(tf.reshape(wu, [b * k * 2, hw]), phi), [b * k, 2, 6]),
      [0, 2, 1],
    ); // [B*K,6,2]
    const diagMean = tf.div(tf.sum(tf.mul(a, tf.eye(6)), [1, 2], true), 6);
    const aReg = tf.add(a, tf.mul(tf.add(tf.mul(diagMean, ridge), 1e-12), tf.eye(6)));
    const theta = spdSolve(aReg as tf.Tensor3D, r as tf.Tensor3D); // [B*K,6,2]
    const thT = tf.reshape(tf.transpose(theta, [0, 2, 1]), [b * k * 2, 6]);
    const pred = tf.reshape(tf.matMul(thT, phiT), [b, k, 2, hw]); // Φθ per component
    const fHat = tf.sum(tf.mul(pred, tf.reshape(mT, [b, k, 1, hw])), 1); // [B,2,HW]
    const err = tf.square(tf.sub(uT, fHat)); // [B,2,HW]
    return tf.mean(vT ? tf.mul(err, vT) : err) as tf.Scalar;
  });
}
