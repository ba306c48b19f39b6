/**
 * Building one training batch in plain JS: 4-frame groups [t, t+g, t+5, t+g+5], horizontal
 * flip, flow for Lf, trajectory inputs of Lt and track pairs of Lr.
 *
 * Units (learn/losses/units.ts): flow vectors and Lt coordinates are in pixels of the paper's
 * 854×480 frame (x · 854/W, y · 480/H of a W×H working frame); positions that sample the
 * network's masks are in network pixels.
 *
 * Batch layout: position `role · G + j` holds role `role` (0: t, 1: t+g, 2: t+5, 3: t+g+5) of
 * group j, so frames `[0, 2G)` pair with frames `[2G, 4G)` five frames later (Lr pairs).
 * @module
 */
import type { RgbImage } from "../../video/types.ts";
import type { FlowField, Tracks } from "../../motion/types.ts";
import type { Rng } from "../../core/random.ts";
import { resizeImage } from "./resize.ts";
import { paperScale } from "../losses/units.ts";
import { consistencyMask } from "../../motion/flow/consistency.ts";
import type { ResolvedTrainConfig } from "./config.ts";

/** One training sequence, at the working resolution. */
export interface TrainSequence {
  /** Optional name, used in error messages. */
  name?: string;
  /** Frames at the working resolution (all the same size). */
  frames: RgbImage[];
  /**
   * Flow of frame t to t+gap (`fwd`) or to t−gap (`bwd`), at the working resolution or any
   * other (it is resized and its vectors rescaled); `null` where t±gap is out of range.
   */
  flow(t: number, gap: number, dir: "fwd" | "bwd"): FlowField | null | Promise<FlowField | null>;
  /** Tracks over the whole sequence in absolute pixels of the working frames. */
  tracks: Tracks;
}

/** The training data: one entry per sequence. */
export type TrainData = TrainSequence[];

/** One batch as flat arrays (see the module doc for the frame order). */
export interface Batch {
  size: number;
  /** `[B, Hn, Wn, 3]` in [0, 1]. */
  images: Float32Array;
  /**
   * `[B, Hf, Wf, 2]` flow at the flow resolution (`flowHeight`×`flowWidth`), vectors in pixels
   * of the 854×480 frame (empty when not needed).
   */
  flow: Float32Array;
  /**
   * `[B, Hf, Wf, 1]` weight of each Lf pixel: the fraction of its flow that passes the
   * forward–backward consistency test (`loss.flowConsistency`; empty when off or not needed).
   */
  flowWeight: Float32Array;
  flowHeight: number;
  flowWidth: number;
  /**
   * `[B, 2T, N]` smoothed absolute coordinates in pixels of the 854×480 frame, all x rows then
   * all y rows.
   */
  ltCoords: Float32Array;
  /** `[B, N, 2]` raw positions at the frame, in network pixels (for `sampleAt`). */
  ltXY: Float32Array;
  /** `[P, M, 2]` positions in the earlier frame a of each Lr pair (network pixels). */
  lrXYA: Float32Array;
  /** `[P, M, 2]` positions in the later frame b (network pixels). */
  lrXYB: Float32Array;
  /** `[P, M]` 1 where the track is visible in both frames. */
  lrVisible: Float32Array;
  /**
   * Tracks `[0, lrSplit)` of each Lr pair were sampled among those visible in frame a (the
   * a→b direction), the rest among those visible in b (b→a).
   */
  lrSplit: number;
  /** Context length T. */
  window: number;
  /** Which (sequence, frame, flipped) each batch position came from. */
  frames: { seq: number; t: number; flipped: boolean }[];
}

/** Per-sequence precomputation reused by every batch. */
export interface PreparedSequence {
  src: TrainSequence;
  name: string;
  numFrames: number;
  width: number;
  height: number;
  /** Frames as `[Hn, Wn, 3]` floats in [0, 1]. */
  images: Float32Array[];
  /** Smoothed track coordinates (same layout as `tracks.xy`). */
  smoothXY: Float32Array;
  /** Fraction of frames each track is visible in. */
  visFraction: Float32Array;
  /**
   * Memo of per-frame values every batch would otherwise recompute: flow resampled to a
   * smaller Lf resolution (`flow:t:gap:dir:HxW`; at most a fraction of the flow already held in
   * memory) and the Lt/Lr track pools (`lt:t`, `vis:t`).
   */
  memo: Map<string, Float32Array | number[]>;
}

/**
 * Precompute network-resolution images and smoothed tracks of each sequence.
 * `smooth` maps a `Tracks` to its temporally smoothed coordinates (same layout as `xy`).
 */
export function prepareSequences(
  data: TrainData,
  netHeight: number,
  netWidth: number,
  smooth: (tracks: Tracks) => Float32Array,
): PreparedSequence[] {
  if (data.length === 0) throw new RangeError("train: no training sequences given");
  return data.map((s, i) => {
    const name = s.name ?? `sequence ${i}`;
    if (s.frames.length === 0) throw new RangeError(`train: ${name} has no frames`);
    const { width, height } = s.frames[0];
    const images = s.frames.map((f, t) => {
      if (f.width !== width || f.height !== height || f.data.length !== width * height * 3) {
        throw new RangeError(`train: ${name} frame ${t} is not a ${width}x${height} RGB image`);
      }
      const scaled = width === netWidth && height === netHeight
        ? Float32Array.from(f.data)
        : resizeImage(f.data, height, width, 3, netHeight, netWidth);
      for (let k = 0; k < scaled.length; k++) scaled[k] /= 255;
      return scaled;
    });
    const tr = s.tracks;
    if (tr.numFrames !== s.frames.length) {
      throw new RangeError(
        `train: ${name} has ${s.frames.length} frames but its tracks cover ${tr.numFrames}`,
      );
    }
    if (tr.numTracks === 0) throw new RangeError(`train: ${name} has no tracks`);
    if (tr.width !== width || tr.height !== height) {
      throw new RangeError(
        `train: ${name} tracks are at ${tr.width}x${tr.height}, frames at ${width}x${height}`,
      );
    }
    const visFraction = new Float32Array(tr.numTracks);
    for (let n = 0; n < tr.numTracks; n++) {
      let c = 0;
      for (let t = 0; t < tr.numFrames; t++) c += tr.visible[n * tr.numFrames + t];
      visFraction[n] = c / tr.numFrames;
    }
    return {
      src: s,
      name,
      numFrames: s.frames.length,
      width,
      height,
      images,
      smoothXY: smooth(tr),
      visFraction,
      memo: new Map(),
    };
  });
}

/** Reflect an index into [0, n) (…, 2, 1, 0, 1, 2, …, n−1, n−2, …). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - m;
  return m;
}

/**
 * Frame indices of the context window of frame t: `t−c … t+c`, shifted to stay inside the
 * sequence, reflect-padded when the sequence is shorter than `2c+1`.
 */
export function contextWindow(t: number, c: number, numFrames: number): number[] {
  const len = 2 * c + 1;
  const out: number[] = [];
  if (numFrames >= len) {
    const start = Math.min(Math.max(t - c, 0), numFrames - len);
    for (let i = 0; i < len; i++) out.push(start + i);
  } else {
    for (let i = -c; i <= c; i++) out.push(reflectIndex(t + i, numFrames));
  }
  return out;
}

/** Pick `n` items from `pool` without replacement when possible, filling up with repeats. */
function pick(pool: number[], n: number, rng: Rng): number[] {
  const a = pool.slice();
  const out: number[] = [];
  const m = Math.min(n, a.length);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
    out.push(a[i]);
  }
  while (out.length < n) out.push(a[rng.int(a.length)]);
  return out;
}

/**
 * Tracks usable for Lt at frame t: visible at t, query frame in t−1…t+1, visible in more than
 * 10 % of frames. Falls back to dropping the query-frame rule, then the 10 % rule, then
 * visibility, so a frame always gets tracks.
 */
export function trajectoryPool(seq: PreparedSequence, t: number): number[] {
  return memoised(seq, `lt:${t}`, () => trajectoryPoolOf(seq, t));
}

/** `make()` once per key of the sequence's memo. */
function memoised<V extends Float32Array | number[]>(
  seq: PreparedSequence,
  key: string,
  make: () => V,
): V {
  let v = seq.memo.get(key) as V | undefined;
  if (!v) {
    v = make();
    seq.memo.set(key, v);
  }
  return v;
}

function trajectoryPoolOf(seq: PreparedSequence, t: number): number[] {
  const tr = seq.src.tracks;
  const F = tr.numFrames;
  const rules: ((n: number) => boolean)[] = [
    (n) => Math.abs(tr.queryFrame[n] - t) <= 1 && seq.visFraction[n] > 0.1,
    (n) => seq.visFraction[n] > 0.1,
    () => true,
  ];
  for (const rule of rules) {
    const pool: number[] = [];
    for (let n = 0; n < tr.numTracks; n++) if (tr.visible[n * F + t] && rule(n)) pool.push(n);
    if (pool.length > 0) return pool;
  }
  return Array.from({ length: tr.numTracks }, (_, n) => n);
}

function visiblePool(tr: Tracks, t: number): number[] {
  const pool: number[] = [];
  for (let n = 0; n < tr.numTracks; n++) if (tr.visible[n * tr.numFrames + t]) pool.push(n);
  return pool.length ? pool : Array.from({ length: tr.numTracks }, (_, n) => n);
}

/** Number of valid (sequence, gap, t) group starts. */
function groupStarts(seqs: PreparedSequence[], gaps: readonly number[], offset: number): number {
  let total = 0;
  for (const s of seqs) for (const g of gaps) total += Math.max(0, s.numFrames - g - offset);
  return total;
}

/** Resolution Lf is computed at (`loss.flowResolution`): the flow's own or the network's. */
function lfResolution(
  seq: { width: number; height: number },
  cfg: ResolvedTrainConfig,
): { width: number; height: number } {
  return cfg.loss.flowResolution === "network"
    ? { width: cfg.net.inputWidth, height: cfg.net.inputHeight }
    : { width: seq.width, height: seq.height };
}

/**
 * Build one batch. Randomness (group choice, flip, track sampling) comes from `rng` only, so a
 * saved RNG state reproduces the batch.
 */
export async function buildBatch(
  seqs: PreparedSequence[],
  cfg: ResolvedTrainConfig,
  rng: Rng,
): Promise<Batch> {
  const G = cfg.train.groups;
  const B = 4 * G;
  const off = cfg.internals.offset;
  const { flipProb, numTemporalTracks: M } = cfg.internals;
  const gaps = cfg.gaps;
  const total = groupStarts(seqs, gaps, off);
  if (total === 0) {
    throw new RangeError(
      `train: no sequence is long enough for a group [t, t+g, t+${off}, t+g+${off}] ` +
        `with gaps ${gaps.join(",")}`,
    );
  }
  const { inputHeight: Hn, inputWidth: Wn } = cfg.net;
  const { height: Hf, width: Wf } = lfResolution(seqs[0], cfg);
  const T = 2 * cfg.train.context + 1;
  const N = cfg.train.tracks;
  const needFlow = cfg.loss.flow, needTrajectory = cfg.loss.trajectory;
  const needTemporal = cfg.loss.temporal;
  const P = 2 * G;
  const batch: Batch = {
    size: B,
    images: new Float32Array(B * Hn * Wn * 3),
    flow: new Float32Array(needFlow ? B * Hf * Wf * 2 : 0),
    flowWeight: new Float32Array(needFlow && cfg.loss.flowConsistency ? B * Hf * Wf : 0),
    flowHeight: Hf,
    flowWidth: Wf,
    ltCoords: new Float32Array(needTrajectory ? B * 2 * T * N : 0),
    ltXY: new Float32Array(needTrajectory ? B * N * 2 : 0),
    lrXYA: new Float32Array(needTemporal ? P * M * 2 : 0),
    lrXYB: new Float32Array(needTemporal ? P * M * 2 : 0),
    lrVisible: new Float32Array(needTemporal ? P * M : 0),
    lrSplit: Math.ceil(M / 2),
    window: T,
    frames: new Array(B),
  };
  for (let j = 0; j < G; j++) {
    // choose (sequence, gap, t) uniformly among valid group starts
    let r = rng.int(total);
    let si = 0, gap = 0, t0 = 0;
    search: for (si = 0; si < seqs.length; si++) {
      for (const g of gaps) {
        const n = Math.max(0, seqs[si].numFrames - g - off);
        if (r < n) {
          gap = g;
          t0 = r;
          break search;
        }
        r -= n;
      }
    }
    const seq = seqs[si];
    const flipped = rng.next() < flipProb;
    const ts = [t0, t0 + gap, t0 + off, t0 + gap + off];
    const W = seq.width;
    const sx = Wn / W;
    const sy = Hn / seq.height;
    const toNetX = (x: number) => (x + 0.5) * sx - 0.5;
    const toNetY = (y: number) => (y + 0.5) * sy - 0.5;
    const tr = seq.src.tracks;
    const F = tr.numFrames;
    const fx = (x: number) => (flipped ? W - 1 - x : x);
    const [px, py] = paperScale(W, seq.height);
    for (let role = 0; role < 4; role++) {
      const b = role * G + j;
      const t = ts[role];
      batch.frames[b] = { seq: si, t, flipped };
      copyImage(seq.images[t], batch.images, b * Hn * Wn * 3, Hn, Wn, 3, flipped);
      if (needFlow) {
        const dir = role % 2 === 0 ? "fwd" : "bwd";
        const fl = await seq.src.flow(t, gap, dir);
        if (!fl) {
          throw new Error(`train: ${seq.name} has no ${dir} flow for frame ${t} with gap ${gap}`);
        }
        if (fl.uv.length !== fl.width * fl.height * 2) {
          throw new RangeError(`train: ${seq.name} flow of frame ${t} has a wrong buffer size`);
        }
        // vectors in pixels of the 854×480 frame, whatever the flow's own resolution
        const resample = () =>
          resizeImage(fl.uv, fl.height, fl.width, 2, Hf, Wf, paperScale(fl.width, fl.height));
        const scaled = Hf * Wf < fl.height * fl.width
          ? memoised(seq, `flow:${t}:${gap}:${dir}:${Hf}x${Wf}`, resample)
          : resample();
        copyImage(scaled, batch.flow, b * Hf * Wf * 2, Hf, Wf, 2, flipped, cfg.train.flipNegatesU);
        if (batch.flowWeight.length) {
          // the flow back from where this one lands: t+gap → t for a forward flow, and back
          const [bt, bdir] = dir === "fwd" ? [t + gap, "bwd" as const] : [t - gap, "fwd" as const];
          const back = await seq.src.flow(bt, gap, bdir);
          if (!back) {
            throw new Error(
              `train: ${seq.name} has no ${bdir} flow for frame ${bt} with gap ${gap}`,
            );
          }
          const valid = () =>
            resizeImage(consistencyMask(fl, back), fl.height, fl.width, 1, Hf, Wf);
          const weight = Hf * Wf < fl.height * fl.width
            ? memoised(seq, `valid:${t}:${gap}:${dir}:${Hf}x${Wf}`, valid)
            : valid();
          copyImage(weight, batch.flowWeight, b * Hf * Wf, Hf, Wf, 1, flipped);
        }
      }
      if (needTrajectory) {
        const ids = pick(trajectoryPool(seq, t), N, rng);
        const win = contextWindow(t, cfg.train.context, F);
        const base = b * 2 * T * N;
        for (let i = 0; i < N; i++) {
          const n = ids[i];
          for (let w = 0; w < T; w++) {
            const p = 2 * (n * F + win[w]);
            batch.ltCoords[base + w * N + i] = px * fx(seq.smoothXY[p]);
            batch.ltCoords[base + (T + w) * N + i] = py * seq.smoothXY[p + 1];
          }
          const q = 2 * (n * F + t);
          batch.ltXY[2 * (b * N + i)] = toNetX(fx(tr.xy[q]));
          batch.ltXY[2 * (b * N + i) + 1] = toNetY(tr.xy[q + 1]);
        }
      }
    }
    if (needTemporal) {
      for (let role = 0; role < 2; role++) {
        const p = role * G + j;
        const ta = ts[role];
        const tb = ts[role + 2];
        const half = batch.lrSplit;
        const ids = [
          ...pick(memoised(seq, `vis:${ta}`, () => visiblePool(tr, ta)), half, rng),
          ...pick(memoised(seq, `vis:${tb}`, () => visiblePool(tr, tb)), M - half, rng),
        ];
        for (let i = 0; i < M; i++) {
          const n = ids[i];
          const qa = 2 * (n * F + ta);
          const qb = 2 * (n * F + tb);
          const o = 2 * (p * M + i);
          batch.lrXYA[o] = toNetX(fx(tr.xy[qa]));
          batch.lrXYA[o + 1] = toNetY(tr.xy[qa + 1]);
          batch.lrXYB[o] = toNetX(fx(tr.xy[qb]));
          batch.lrXYB[o + 1] = toNetY(tr.xy[qb + 1]);
          batch.lrVisible[p * M + i] = tr.visible[n * F + ta] & tr.visible[n * F + tb];
        }
      }
    }
  }
  return batch;
}

/** Copy an `[h, w, c]` image into `dst` at `offset`, optionally mirrored (negating channel 0). */
function copyImage(
  src: ArrayLike<number>,
  dst: Float32Array,
  offset: number,
  h: number,
  w: number,
  c: number,
  flip: boolean,
  negateFirst = false,
): void {
  if (!flip) {
    for (let i = 0; i < h * w * c; i++) dst[offset + i] = src[i];
    return;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + (w - 1 - x)) * c;
      const d = offset + (y * w + x) * c;
      for (let k = 0; k < c; k++) dst[d + k] = k === 0 && negateFirst ? -src[s] : src[s + k];
    }
  }
}
