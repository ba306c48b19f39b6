/**
 * Normalising by the statistics of given frames instead of the running averages (AdaBN, Li et
 * al. 2016): `eval.normStats = sequence`, not in the paper.
 *
 * Why: batch norm trains on each batch's own statistics, and a batch of the `small` profile is
 * one 4-frame group, i.e. one sequence. The running averages used at inference mix all
 * sequences, and their variance leaves out how far each sequence's mean lies from the others, so
 * at test time a sequence is normalised unlike any batch the network was trained on. Normalising
 * each sequence by its own statistics restores the training condition.
 *
 * Works through the public {@link Segmenter} API: one training-mode forward folds the batch
 * statistics s into the running ones as r ← (1 − m)·r + m·s; doing it from r = 0 and from r = 1
 * gives m·s and (1 − m) + m·s, hence m and s, whatever the momentum m. The variance is the
 * network's unbiased batch variance (n/(n − 1) of the biased one used in training; n is at least
 * the frames × the smallest feature map, so the two differ by well under 0.1 %).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { NamedArray, Segmenter } from "./types.ts";

const RUNNING_STAT = /\/running_(mean|var)$/;

/**
 * Set `net`'s batch-norm running statistics to the batch statistics of `x` (`[B, H, W, 3]`
 * network inputs). Returns the weights from before, for `net.setWeights` to restore; `null`
 * (and nothing changed) when the network has no batch norm.
 */
export function adoptBatchStatistics(net: Segmenter, x: tf.Tensor4D): NamedArray[] | null {
  const before = net.getWeights();
  if (!before.some((w) => RUNNING_STAT.test(w.name))) return null;
  const foldedFrom = (start: number): NamedArray[] => {
    net.setWeights(
      before.map((w) =>
        RUNNING_STAT.test(w.name) ? { ...w, data: new Float32Array(w.data.length).fill(start) } : w
      ),
    );
    tf.tidy(() => void net.forward(x, { training: true }));
    net.updateNormStats();
    return net.getWeights();
  };
  const fromZero = foldedFrom(0), fromOne = foldedFrom(1);
  net.setWeights(before.map((w, i) => {
    if (!RUNNING_STAT.test(w.name)) return w;
    const ms = fromZero[i].data, rest = fromOne[i].data;
    const data = new Float32Array(ms.length);
    for (let j = 0; j < data.length; j++) data[j] = ms[j] / (1 - (rest[j] - ms[j]));
    return { ...w, data };
  }));
  return before;
}
