/**
 * Synthetic trajectory matrices for the clustering tests: rigid affine motions (rank ≤ 4
 * subspaces), noise, labels. Internal to `cluster/` tests.
 * @module
 */

import { Rng } from "../core/random.ts";

/** A 2F×N trajectory matrix (rows x_1…x_F then y_1…y_F) of `groups` affine motions. */
export function affineMotions(
  groups: number,
  perGroup: number,
  frames: number,
  seed: number,
  noise = 0.5,
): { w: Float64Array; rows: number; cols: number; labels: Int32Array } {
  const rng = Rng.fromState(seed);
  const cols = groups * perGroup;
  const rows = 2 * frames;
  const w = new Float64Array(rows * cols);
  const labels = new Int32Array(cols);
  for (let g = 0; g < groups; g++) {
    // Per frame an affine map [a b tx; c d ty] drifting randomly.
    const maps: number[][] = [];
    let m = [1, 0, 100 + 150 * g, 0, 1, 80 + 60 * g];
    for (let t = 0; t < frames; t++) {
      maps.push(m);
      m = m.map((v, i) => v + (i === 2 || i === 5 ? 6 * rng.normal() : 0.04 * rng.normal()));
    }
    for (let p = 0; p < perGroup; p++) {
      const col = g * perGroup + p;
      labels[col] = g;
      const px = 60 * rng.normal();
      const py = 60 * rng.normal();
      for (let t = 0; t < frames; t++) {
        const a = maps[t];
        w[t * cols + col] = a[0] * px + a[1] * py + a[2] + noise * rng.normal();
        w[(frames + t) * cols + col] = a[3] * px + a[4] * py + a[5] + noise * rng.normal();
      }
    }
  }
  return { w, rows, cols, labels };
}
