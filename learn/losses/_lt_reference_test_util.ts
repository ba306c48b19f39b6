/**
 * Test support for the trajectory loss: an independent float64 reference (SVD of P itself, not
 * of its Gram matrix; analytic gradient from the singular vectors; central finite differences)
 * and the hard cases of the "method fidelity" issue (B = 2, K = 4, r = 5).
 * @module
 */
import { Matrix, SVD } from "ml-matrix";
import { generateSequence } from "../../video/synthetic/generate.ts";
import { contextWindow } from "../train/batch.ts";
import { smoothTracks } from "./smooth.ts";
import type { TrajectoryLossVariant } from "./trajectory.ts";
import { uniforms } from "../../core/random.ts";

export const VARIANTS: readonly TrajectoryLossVariant[] = [
  "tail",
  "nuclear",
  "squared-tail",
  "normalised-tail",
];

/** One test case: coordinates [B][2T][N] and weights [B][K][N] (float32, as the loss sees). */
export interface LtCase {
  name: string;
  b: number;
  k: number;
  t2: number;
  n: number;
  c: Float32Array;
  w: Float32Array;
  /** Units passed as `coordScale` (x rows × sx, y rows × sy). */
  coordScale?: [number, number];
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Soft masks [K][N] from a label per track: softmax(3·onehot + noise), clamped like training. */
function softMasks(labels: ArrayLike<number>, k: number, r: () => number): Float64Array {
  const n = labels.length;
  const w = new Float64Array(k * n);
  for (let j = 0; j < n; j++) {
    const logits = Array.from({ length: k }, (_, q) => (q === labels[j] ? 3 : 0) + gauss(r));
    const mx = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, v) => a + v, 0);
    for (let q = 0; q < k; q++) w[q * n + j] = Math.min(Math.max(e[q] / s, 1e-6), 1 - 1e-6);
  }
  return w;
}

/**
 * Tracks of three affinely moving objects in an 854×480 frame over `frames` frames, plus
 * Gaussian noise; returns per-frame [x; y] (2·frames × n) and the object of each track.
 */
function affineObjects(
  r: () => number,
  frames: number,
  n: number,
  noise: number,
): { xy: Float64Array; labels: Int32Array } {
  const xy = new Float64Array(2 * frames * n);
  const labels = new Int32Array(n);
  const objs = Array.from({ length: 3 }, (_, o) => ({
    cx: 150 + 270 * o,
    cy: 160 + 80 * o,
    rot: 0.01 * (r() - 0.5),
    scale: 0.004 * (r() - 0.5),
    vx: 6 * (r() - 0.5),
    vy: 4 * (r() - 0.5),
    wob: 2 * r(),
  }));
  for (let j = 0; j < n; j++) {
    const o = j % 3;
    labels[j] = o;
    const ob = objs[o];
    const px = 120 * (r() - 0.5), py = 90 * (r() - 0.5);
    for (let t = 0; t < frames; t++) {
      const a = ob.rot * t * (1 + 0.3 * Math.sin(t / 5)), s = 1 + ob.scale * t;
      const x = ob.cx + ob.vx * t + ob.wob * Math.sin(t / 3) +
        s * (Math.cos(a) * px - Math.sin(a) * py);
      const y = ob.cy + ob.vy * t + s * (Math.sin(a) * px + Math.cos(a) * py);
      xy[t * n + j] = x + noise * gauss(r);
      xy[(frames + t) * n + j] = y + noise * gauss(r);
    }
  }
  return { xy, labels };
}

/** Build a case from per-item [x; y] rows over `frames` frames and a window of frame indices. */
function fromItems(
  name: string,
  items: { xy: Float64Array; labels: ArrayLike<number>; frames: number }[],
  win: number[],
  n: number,
  k: number,
  r: () => number,
  coordScale?: [number, number],
): LtCase {
  const b = items.length, T = win.length, t2 = 2 * T;
  const c = new Float32Array(b * t2 * n);
  const w = new Float32Array(b * k * n);
  items.forEach((it, bi) => {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < n; j++) {
        c[(bi * t2 + t) * n + j] = it.xy[win[t] * n + j];
        c[(bi * t2 + T + t) * n + j] = it.xy[(it.frames + win[t]) * n + j];
      }
    }
    w.set(softMasks(it.labels, k, r), bi * k * n);
  });
  return { name, b, k, t2, n, c, w, coordScale };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Tracks of a small synthetic sequence (the project's generator), T = 41, smoothed. */
function syntheticItems(n: number, r: () => number) {
  const s = generateSequence({
    name: "lt-case",
    seed: 3,
    numFrames: 41,
    width: 128,
    height: 72,
    kind: "random",
    numObjects: 3,
    flowGaps: [1],
    trackQueryEvery: 10,
  });
  const tr = s.tracks;
  const F = tr.numFrames;
  const smooth = smoothTracks(tr.xy, tr.numTracks, F);
  const pool = range(tr.numTracks).filter((q) => tr.queryFrame[q] === 20);
  return [0, 1].map(() => {
    const ids = range(n).map(() => pool[Math.floor(r() * pool.length)]);
    const xy = new Float64Array(2 * F * n);
    const labels = new Int32Array(n);
    ids.forEach((id, j) => {
      labels[j] = s.trackObject[id] % 4;
      for (let t = 0; t < F; t++) {
        xy[t * n + j] = smooth[2 * (id * F + t)];
        xy[(F + t) * n + j] = smooth[2 * (id * F + t) + 1];
      }
    });
    return { xy, labels, frames: F };
  });
}

/** The cases (B = 2, K = 4; T = 41 unless the case says otherwise). */
export function ltCases(): LtCase[] {
  const k = 4, T = 41;
  const r = uniforms(2024);
  const cases: LtCase[] = [];
  {
    const n = 200, t2 = 2 * T;
    const c = Float32Array.from({ length: 2 * t2 * n }, () => 256 * r());
    const w = Float32Array.from({ length: 2 * k * n }, () => 0.01 + 0.98 * r());
    cases.push({ name: "random coordinates 0–256", b: 2, k, t2, n, c, w });
  }
  for (const noise of [0.3, 0.05]) {
    const n = 240;
    const items = [0, 1].map(() => ({ ...affineObjects(r, T, n, noise), frames: T }));
    cases.push(
      fromItems(`three affine objects, 854×480, ${noise} px noise`, items, range(T), n, k, r),
    );
  }
  cases.push(
    fromItems("synthetic GT tracks (T = 41)", syntheticItems(240, r), range(T), 240, k, r, [
      854 / 128,
      480 / 72,
    ]),
  );
  {
    const n = 240, F = 15;
    const items = [0, 1].map(() => ({ ...affineObjects(r, F, n, 0.3), frames: F }));
    cases.push(
      fromItems("window reflect-padded from 15 frames", items, contextWindow(7, 20, F), n, k, r),
    );
  }
  {
    const n = 30;
    const items = [0, 1].map(() => ({ ...affineObjects(r, T, n, 0.3), frames: T }));
    cases.push(fromItems("fewer tracks than rows (N = 30)", items, range(T), n, k, r));
  }
  return cases;
}

/** Singular values and left singular vectors (columns, row-major 2T×m) of a 2T×N matrix. */
function svd(
  p: Float64Array,
  t2: number,
  n: number,
): { s: Float64Array; u: Float64Array; m: number } {
  const rows: number[][] = [];
  for (let i = 0; i < t2; i++) rows.push(Array.from(p.subarray(i * n, (i + 1) * n)));
  const d = new SVD(new Matrix(rows), { autoTranspose: true });
  const sv = d.diagonal;
  const U = d.leftSingularVectors;
  const order = range(sv.length).sort((a, b) => sv[b] - sv[a]);
  const m = sv.length;
  const s = new Float64Array(m), u = new Float64Array(t2 * m);
  order.forEach((src, i) => {
    s[i] = sv[src];
    for (let row = 0; row < t2; row++) u[row * m + i] = U.get(row, src);
  });
  return { s, u, m };
}

function valueOf(s: Float64Array, rank: number, variant: TrajectoryLossVariant): number {
  let tail = 0, total = 0, sq = 0;
  s.forEach((v, i) => {
    total += v;
    if (i >= rank) {
      tail += v;
      sq += v * v;
    }
  });
  switch (variant) {
    case "tail":
      return tail;
    case "nuclear":
      return total;
    case "squared-tail":
      return sq;
    case "normalised-tail":
      return tail / total;
  }
}

/** Scaled float64 coordinates of item b (x rows × sx, y rows × sy). */
function itemCoords(cs: LtCase, b: number): Float64Array {
  const { t2, n } = cs;
  const [sx, sy] = cs.coordScale ?? [1, 1];
  const out = new Float64Array(t2 * n);
  for (let r = 0; r < t2; r++) {
    const f = r < t2 / 2 ? sx : sy;
    for (let j = 0; j < n; j++) out[r * n + j] = f * cs.c[(b * t2 + r) * n + j];
  }
  return out;
}

/** Value of one (b, k) component with weights `w` (float64), from the SVD of P. */
export function componentValue(
  c: Float64Array,
  w: ArrayLike<number>,
  t2: number,
  n: number,
  rank: number,
  variant: TrajectoryLossVariant,
): number {
  const p = new Float64Array(t2 * n);
  for (let r = 0; r < t2; r++) for (let j = 0; j < n; j++) p[r * n + j] = c[r * n + j] * w[j];
  return valueOf(svd(p, t2, n).s, rank, variant);
}

/** Reference of one variant over a case. */
export interface Reference {
  /** Mean over (b, k). */
  value: number;
  /** ∂/∂w, [B][K][N]. */
  gradW: Float64Array;
  /** ∂/∂c of the raw (unscaled) coordinates, [B][2T][N]. */
  gradC: Float64Array;
}

/** Reference of every variant over a case (one SVD per component). */
export function reference(cs: LtCase, rank: number): Record<TrajectoryLossVariant, Reference> {
  const { b, k, t2, n } = cs;
  const out = Object.fromEntries(
    VARIANTS.map((v) => [v, {
      value: 0,
      gradW: new Float64Array(b * k * n),
      gradC: new Float64Array(b * t2 * n),
    }]),
  ) as Record<TrajectoryLossVariant, Reference>;
  const [sx, sy] = cs.coordScale ?? [1, 1];
  for (let bi = 0; bi < b; bi++) {
    const c = itemCoords(cs, bi);
    for (let kk = 0; kk < k; kk++) {
      const w = Float64Array.from(cs.w.subarray((bi * k + kk) * n, (bi * k + kk + 1) * n));
      const p = new Float64Array(t2 * n);
      for (let r = 0; r < t2; r++) for (let j = 0; j < n; j++) p[r * n + j] = c[r * n + j] * w[j];
      const { s, u, m } = svd(p, t2, n);
      let tail = 0, total = 0;
      s.forEach((v, i) => {
        total += v;
        if (i >= rank) tail += v;
      });
      // projections of every track on every left singular vector
      const q = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let r = 0; r < t2; r++) {
          const ui = u[r * m + i];
          for (let j = 0; j < n; j++) q[i * n + j] += ui * c[r * n + j];
        }
      }
      for (const variant of VARIANTS) {
        const ref = out[variant];
        ref.value += valueOf(s, rank, variant) / (b * k);
        // exact null directions (σ at the SVD's round-off) carry no gradient
        const coef = Array.from(s, (v, i) => {
          if (!(v > 1e-10 * s[0])) return 0;
          switch (variant) {
            case "tail":
              return i >= rank ? 1 / v : 0;
            case "nuclear":
              return 1 / v;
            case "squared-tail":
              return i >= rank ? 2 : 0;
            case "normalised-tail":
              return (i >= rank ? 1 / total : 0) / v - tail / (total * total * v);
          }
        });
        const y = new Float64Array(t2);
        for (let j = 0; j < n; j++) {
          let g = 0;
          y.fill(0);
          for (let i = 0; i < m; i++) {
            if (coef[i] === 0) continue;
            const qi = q[i * n + j];
            g += coef[i] * qi * qi;
            for (let r = 0; r < t2; r++) y[r] += coef[i] * qi * u[r * m + i];
          }
          ref.gradW[(bi * k + kk) * n + j] = (w[j] * g) / (b * k);
          for (let r = 0; r < t2; r++) {
            ref.gradC[(bi * t2 + r) * n + j] += ((r < t2 / 2 ? sx : sy) * w[j] * w[j] * y[r]) /
              (b * k);
          }
        }
      }
    }
  }
  return out;
}

/** Central finite differences of the mean loss (every variant) w.r.t. weight `idx`. */
export function finiteDifferenceW(
  cs: LtCase,
  rank: number,
  idx: number,
  h: number,
): Record<TrajectoryLossVariant, number> {
  const { k, t2, n } = cs;
  const bk = Math.floor(idx / n), j = idx % n;
  const c = itemCoords(cs, Math.floor(bk / k));
  const w = Float64Array.from(cs.w.subarray(bk * n, (bk + 1) * n));
  const at = (delta: number) => {
    const ww = w.slice();
    ww[j] += delta;
    const p = new Float64Array(t2 * n);
    for (let r = 0; r < t2; r++) for (let q = 0; q < n; q++) p[r * n + q] = c[r * n + q] * ww[q];
    return svd(p, t2, n).s;
  };
  const sp = at(h), sm = at(-h);
  return Object.fromEntries(
    VARIANTS.map((v) => [
      v,
      (valueOf(sp, rank, v) - valueOf(sm, rank, v)) / (2 * h) / (cs.b * cs.k),
    ]),
  ) as Record<TrajectoryLossVariant, number>;
}

/** Central finite difference of the mean loss w.r.t. raw coordinate `idx` ([B][2T][N] flat). */
export function finiteDifferenceC(
  cs: LtCase,
  rank: number,
  variant: TrajectoryLossVariant,
  idx: number,
  h: number,
): number {
  const { b, k, t2, n } = cs;
  const bi = Math.floor(idx / (t2 * n)), row = Math.floor(idx / n) % t2, j = idx % n;
  const [sx, sy] = cs.coordScale ?? [1, 1];
  const at = (delta: number) => {
    const c = itemCoords(cs, bi);
    c[row * n + j] += (row < t2 / 2 ? sx : sy) * delta;
    let tot = 0;
    for (let kk = 0; kk < k; kk++) {
      tot += componentValue(
        c,
        cs.w.subarray((bi * k + kk) * n, (bi * k + kk + 1) * n),
        t2,
        n,
        rank,
        variant,
      );
    }
    return tot;
  };
  return (at(h) - at(-h)) / (2 * h) / (b * k);
}

/** max |a − ref| / max |ref|. */
export function relMaxError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(a[i] - ref[i]));
    m = Math.max(m, Math.abs(ref[i]));
  }
  return d / m;
}

/** Index of the largest |value|. */
export function argMaxAbs(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (Math.abs(a[i]) > Math.abs(a[best])) best = i;
  return best;
}
