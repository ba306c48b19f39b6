/**
 * Hopkins155 motion-segmentation sequences (Tron and Vidal, CVPR 2007).
 *
 * Layout: `<root>/hopkins155/<seq>/<seq>_truth.mat` with fields `x` (3×N×F homogeneous points
 * in normalised camera coordinates, K⁻¹·pixels), `y` (3×N×F homogeneous pixel coordinates),
 * `s` (N labels 1…n), `width`, `height` (optional: `points`, `frames`).
 * @module
 */

import { join } from "node:path";
import { getNumeric, getScalar, readMatFile } from "../formats/mat.ts";

/** One Hopkins155 sequence as trajectory matrices. */
export interface HopkinsSequence {
  name: string;
  /** Number of trajectories N. */
  points: number;
  /** Number of frames F. */
  frames: number;
  /**
   * 2F×N trajectory matrix, row-major (`x[r * N + n]`), from field `x` (normalised
   * coordinates, what the reference SSC/LRR code clusters): rows 0…F−1 hold the first
   * coordinate at frames 1…F, rows F…2F−1 the second coordinate.
   */
  x: Float64Array;
  /** Same layout as `x`, in pixels, from field `y`. */
  pixels: Float64Array;
  /** Ground-truth group of each trajectory, 0-based. */
  labels: Int32Array;
  numMotions: number;
  width: number;
  height: number;
}

/**
 * Paths of the sequences found under `<root>/hopkins155/<seq>/<seq>_truth.mat`, sorted by name.
 * A missing `hopkins155` folder gives an empty list.
 */
export async function listHopkins(root: string): Promise<string[]> {
  const dir = join(root, "hopkins155");
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory) continue;
      const path = join(dir, entry.name, `${entry.name}_truth.mat`);
      try {
        if ((await Deno.stat(path)).isFile) out.push(path);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return out.sort();
}

function trajectoryMatrix(path: string, field: string, data: Float64Array, dims: number[]) {
  if (dims.length !== 3 || dims[0] < 2) {
    throw new Error(
      `Cannot read Hopkins sequence "${path}": field "${field}" has dimensions [${dims}], ` +
        "expected 3×N×F",
    );
  }
  const [c, n, f] = dims;
  const out = new Float64Array(2 * f * n);
  for (let t = 0; t < f; t++) {
    for (let p = 0; p < n; p++) {
      const base = c * (p + n * t);
      const w = c >= 3 ? data[base + 2] : 1;
      out[t * n + p] = data[base] / w;
      out[(f + t) * n + p] = data[base + 1] / w;
    }
  }
  return out;
}

/** Load one `<seq>_truth.mat` file. The sequence name is the file's folder name. */
export async function loadHopkins(path: string): Promise<HopkinsSequence> {
  const mat = await readMatFile(path);
  const xv = getNumeric(mat, "x");
  const yv = getNumeric(mat, "y");
  const sv = getNumeric(mat, "s");
  const [, n, f] = xv.dims;
  if (yv.dims.join() !== xv.dims.join()) {
    throw new Error(
      `Cannot read Hopkins sequence "${path}": fields "x" [${xv.dims}] and "y" [${yv.dims}] differ`,
    );
  }
  if (sv.data.length !== n) {
    throw new Error(
      `Cannot read Hopkins sequence "${path}": field "s" has ${sv.data.length} labels for ${n} points`,
    );
  }
  const labels = new Int32Array(n);
  let numMotions = 0;
  for (let i = 0; i < n; i++) {
    labels[i] = sv.data[i] - 1;
    if (labels[i] < 0) {
      throw new Error(`Cannot read Hopkins sequence "${path}": label ${sv.data[i]} below 1`);
    }
    numMotions = Math.max(numMotions, labels[i] + 1);
  }
  const parts = path.split(/[\\/]/);
  return {
    name: parts.length >= 2 ? parts[parts.length - 2] : path,
    points: n,
    frames: f,
    x: trajectoryMatrix(path, "x", xv.data, xv.dims),
    pixels: trajectoryMatrix(path, "y", yv.data, yv.dims),
    labels,
    numMotions,
    width: getScalar(mat, "width"),
    height: getScalar(mat, "height"),
  };
}
