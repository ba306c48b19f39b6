/**
 * Types of the segmentation network: its configuration, the model interface and the plain
 * serialised form of its weights.
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";

/** Architectures `createSegmenter` can build. */
export type Architecture = "unet" | "unet-small" | "encdec";

/** Normalisation layer used after every 3×3 convolution. */
export type NormKind = "batch" | "instance" | "none";

/** Configuration of a segmentation network. */
export interface SegmenterConfig {
  /**
   * `unet`: UNet with skip connections; `unet-small`: the same with one conv per block;
   * `encdec`: the same encoder-decoder without skip connections (architecture ablation).
   */
  arch: Architecture;
  /** Base number of channels (level i has `width · 2^i`), e.g. 16. */
  width: number;
  /** Number of resolution levels, e.g. 3 (two poolings). */
  depth: number;
  /** Number of mask components K (softmax channels). */
  k: number;
  /** Input height in pixels. */
  inputHeight: number;
  /** Input width in pixels. */
  inputWidth: number;
  /** Seed of the deterministic He initialisation. */
  seed: number;
  /** Normalisation after each conv; default `batch` (running statistics at inference). */
  norm?: NormKind;
}

/** One named weight array (row-major, tf layout), e.g. a conv filter `[3,3,Ci,Co]`. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Forward-pass options. */
export interface ForwardOptions {
  /** Use batch statistics and record them for the running averages (training). */
  training: boolean;
}

/** A segmentation network: one RGB frame in, K soft masks out. */
export interface Segmenter {
  readonly config: Readonly<Required<SegmenterConfig>>;
  /**
   * Soft masks for a batch of frames in inference mode: `x` `[B,H,W,3]` in [0,1] →
   * `[B,H,W,K]` softmax over K. Runs inside `tf.tidy`; the caller owns (disposes) the result.
   */
  predict(x: tf.Tensor4D): tf.Tensor4D;
  /**
   * Forward pass for training (call inside `tf.variableGrads`/`tf.tidy`). With
   * `training: true`, batch norm uses batch statistics; call `updateNormStats()` after the step.
   */
  forward(x: tf.Tensor4D, opts: ForwardOptions): tf.Tensor4D;
  /**
   * Fold the batch statistics recorded by the last training forward pass into the running
   * averages (momentum 0.1) and release them. No-op without batch norm.
   */
  updateNormStats(): void;
  /** Variables the optimiser updates, in a fixed order. */
  readonly trainableVariables: tf.Variable[];
  /** All weights (trainable and running statistics) as plain arrays, in a fixed order. */
  getWeights(): NamedArray[];
  /** Load weights produced by `getWeights` of a network with the same config. */
  setWeights(weights: NamedArray[]): void;
  /** Release all variables. */
  dispose(): void;
}
