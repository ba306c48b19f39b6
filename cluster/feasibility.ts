/**
 * The paper's feasibility study (its item 6): with ground-truth tracks and instance masks,
 * how does the low-rank trajectory loss respond when the masks are degraded?
 *
 * Axes: mask noise η (one-hot masks plus noise, renormalised), softmax temperature τ
 * (masks = softmax(onehot / τ)) and structural edits s (s < 0: merge |s| objects into the
 * background; s > 0: split |s| objects in two at the median of their longer image axis).
 *
 * The loss is the float64 {@link lowRankLoss} of the 2T×N matrix of absolute pixel coordinates
 * (T-frame window around the query frame, shifted to stay inside the sequence; the whole
 * sequence if shorter), **summed** over the mask components (a sum rather than the paper's mean
 * over k, so that merging or splitting, which change the number of components, stay comparable).
 * Trajectories are those visible at the query frame whose position there lies inside the mask
 * image; each takes the label of the mask pixel it falls on (nearest pixel).
 * @module
 */

import type { Tracks } from "../motion/types.ts";
import type { LabelImage } from "../video/types.ts";
import { lowRankLoss } from "./lowrank_loss.ts";
import { Rng } from "../core/random.ts";

/** One point of the study. */
export interface FeasibilityRow {
  axis: "noise" | "temperature" | "structure";
  x: number;
  loss: number;
}

/** Options of {@link feasibilityStudy}. */
export interface FeasibilityOptions {
  /** Frame the masks belong to. */
  queryFrame: number;
  /** Window length T in frames (default 41, i.e. c = 20). */
  window?: number;
  /** r (default 5). */
  rank?: number;
  /** η values (default 0, 0.05, 0.1, 0.2, 0.5, 1). */
  noise?: number[];
  /** Noise distribution added to the one-hot masks: |N(0, η²)| or U(0, η) (default uniform). */
  noiseKind?: "uniform" | "gaussian";
  /** Noise draws averaged per η (default 3). */
  noiseRepeats?: number;
  /** τ values (default 0.01, 0.05, 0.1, 0.2, 0.5, 1). */
  temperatures?: number[];
  /** s values (default −n…n, n = number of objects). */
  structure?: number[];
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** GT trajectory matrix and labels prepared for the study. */
export interface FeasibilityData {
  /** 2T×N, rows x_{t0}…x_{t0+T−1} then y. */
  p: Float64Array;
  rows: number;
  cols: number;
  /** Label of each trajectory (0 background, 1…n objects, re-indexed densely). */
  labels: Int32Array;
  numObjects: number;
  /** Query-frame positions, for splits. */
  qx: Float64Array;
  qy: Float64Array;
}

/** Select trajectories and build P and labels (see the module doc). */
export function prepareFeasibility(
  tracks: Tracks,
  mask: LabelImage,
  queryFrame: number,
  window = 41,
): FeasibilityData {
  const F = tracks.numFrames;
  if (!Number.isInteger(queryFrame) || queryFrame < 0 || queryFrame >= F) {
    throw new RangeError(`feasibility: query frame ${queryFrame} outside 0…${F - 1}`);
  }
  const T = Math.min(window, F);
  const t0 = Math.max(0, Math.min(F - T, queryFrame - Math.floor(T / 2)));
  const sx = mask.width / tracks.width;
  const sy = mask.height / tracks.height;
  const chosen: number[] = [];
  const raw: number[] = [];
  for (let n = 0; n < tracks.numTracks; n++) {
    if (!tracks.visible[n * F + queryFrame]) continue;
    const x = tracks.xy[2 * (n * F + queryFrame)];
    const y = tracks.xy[2 * (n * F + queryFrame) + 1];
    const px = Math.round(x * sx - 0.5 + 1e-9);
    const py = Math.round(y * sy - 0.5 + 1e-9);
    if (px < 0 || py < 0 || px >= mask.width || py >= mask.height) continue;
    chosen.push(n);
    raw.push(mask.data[py * mask.width + px]);
  }
  if (chosen.length === 0) {
    throw new RangeError(
      `feasibility: no trajectory is visible inside the mask at frame ${queryFrame}`,
    );
  }
  // Dense object ids 1…n in increasing original label order; 0 stays background.
  const ids = [...new Set(raw.filter((l) => l !== 0))].sort((a, b) => a - b);
  const remap = new Map<number, number>([[0, 0]]);
  ids.forEach((l, i) => remap.set(l, i + 1));
  const cols = chosen.length;
  const rows = 2 * T;
  const p = new Float64Array(rows * cols);
  const qx = new Float64Array(cols);
  const qy = new Float64Array(cols);
  const labels = new Int32Array(cols);
  chosen.forEach((n, c) => {
    labels[c] = remap.get(raw[c])!;
    qx[c] = tracks.xy[2 * (n * F + queryFrame)];
    qy[c] = tracks.xy[2 * (n * F + queryFrame) + 1];
    for (let t = 0; t < T; t++) {
      p[t * cols + c] = tracks.xy[2 * (n * F + t0 + t)];
      p[(T + t) * cols + c] = tracks.xy[2 * (n * F + t0 + t) + 1];
    }
  });
  return { p, rows, cols, labels, numObjects: ids.length, qx, qy };
}

/** Σ_k loss of soft masks `m` (cols×k row-major). */
function maskLoss(data: FeasibilityData, m: Float64Array, k: number, rank: number): number {
  const w = new Float64Array(data.cols);
  let total = 0;
  for (let c = 0; c < k; c++) {
    let any = false;
    for (let n = 0; n < data.cols; n++) {
      w[n] = m[n * k + c];
      if (w[n] !== 0) any = true;
    }
    if (any) total += lowRankLoss(data.p, data.rows, data.cols, w, rank, { gradW: false }).value;
  }
  return total;
}

/**
 * Labels after a structural edit s of the ground truth (see the module doc). Objects are
 * edited in order 1, 2, …; merging sends them to the background (0), splitting moves the
 * points above the median of the object's longer axis to a new component.
 * @returns labels and the number of components (background included)
 */
export function structuralEdit(
  data: FeasibilityData,
  s: number,
): { labels: Int32Array; components: number } {
  const n = data.numObjects;
  if (!Number.isInteger(s) || Math.abs(s) > n) {
    throw new RangeError(`feasibility: structural edit ${s} needs an integer in −${n}…${n}`);
  }
  const labels = data.labels.slice();
  let components = n + 1;
  if (s < 0) {
    for (let i = 0; i < labels.length; i++) if (labels[i] >= 1 && labels[i] <= -s) labels[i] = 0;
  } else {
    for (let o = 1; o <= s; o++) {
      const members: number[] = [];
      for (let i = 0; i < labels.length; i++) if (data.labels[i] === o) members.push(i);
      if (members.length < 2) continue;
      const xs = members.map((i) => data.qx[i]);
      const ys = members.map((i) => data.qy[i]);
      const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
      const coord = spread(xs) >= spread(ys) ? data.qx : data.qy;
      const sorted = members.map((i) => coord[i]).sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      for (const i of members) if (coord[i] >= median) labels[i] = components;
      components++;
    }
  }
  return { labels, components };
}

/**
 * Run the study: the loss of the ground-truth masks degraded along each axis.
 * Deterministic given `seed`.
 */
export function feasibilityStudy(
  tracks: Tracks,
  mask: LabelImage,
  opts: FeasibilityOptions,
): FeasibilityRow[] {
  const data = prepareFeasibility(tracks, mask, opts.queryFrame, opts.window ?? 41);
  const rank = opts.rank ?? 5;
  const k = data.numObjects + 1;
  const noise = opts.noise ?? [0, 0.05, 0.1, 0.2, 0.5, 1];
  const temps = opts.temperatures ?? [0.01, 0.05, 0.1, 0.2, 0.5, 1];
  const structure = opts.structure ??
    Array.from({ length: 2 * data.numObjects + 1 }, (_, i) => i - data.numObjects);
  const repeats = opts.noiseRepeats ?? 3;
  const rng = Rng.fromState(opts.seed ?? 0);
  const total = noise.length + temps.length + structure.length;
  let done = 0;
  const rows: FeasibilityRow[] = [];
  const cols = data.cols;
  for (const eta of noise) {
    let sum = 0;
    const draws = eta === 0 ? 1 : repeats;
    for (let r = 0; r < draws; r++) {
      const m = new Float64Array(cols * k);
      for (let i = 0; i < cols; i++) {
        let s = 0;
        for (let c = 0; c < k; c++) {
          const e = opts.noiseKind === "gaussian" ? Math.abs(eta * rng.normal()) : eta * rng.next();
          const v = (data.labels[i] === c ? 1 : 0) + e;
          m[i * k + c] = v;
          s += v;
        }
        for (let c = 0; c < k; c++) m[i * k + c] /= s;
      }
      sum += maskLoss(data, m, k, rank);
    }
    rows.push({ axis: "noise", x: eta, loss: sum / draws });
    opts.onProgress?.(++done, total);
  }
  for (const tau of temps) {
    if (!(tau > 0)) throw new RangeError(`feasibility: temperature must be > 0, got ${tau}`);
    const m = new Float64Array(cols * k);
    const on = Math.exp(1 / tau - 1 / tau); // = 1, the largest logit shifted to 0
    const off = Math.exp(-1 / tau);
    for (let i = 0; i < cols; i++) {
      const s = on + (k - 1) * off;
      for (let c = 0; c < k; c++) m[i * k + c] = (data.labels[i] === c ? on : off) / s;
    }
    rows.push({ axis: "temperature", x: tau, loss: maskLoss(data, m, k, rank) });
    opts.onProgress?.(++done, total);
  }
  for (const s of structure) {
    const edit = structuralEdit(data, s);
    const m = new Float64Array(cols * edit.components);
    for (let i = 0; i < cols; i++) m[i * edit.components + edit.labels[i]] = 1;
    rows.push({ axis: "structure", x: s, loss: maskLoss(data, m, edit.components, rank) });
    opts.onProgress?.(++done, total);
  }
  return rows;
}
