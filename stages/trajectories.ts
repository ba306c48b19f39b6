/**
 * Trajectory stages that need no network: `cluster` (K-Means, SSC, LRR and LRTL-direct on
 * complete trajectories of the synthetic ground truth and of Hopkins155) and `feasibility`
 * (Lt of the ground-truth masks as they are degraded).
 * @module
 */
import { join } from "node:path";
import { defineStage, type MetricRow } from "../pipeline/mod.ts";
import type { PipelineParams } from "./schema.ts";
import { readTracks } from "../formats/tracks.ts";
import { readGrey } from "../formats/image.ts";
import {
  adjustedRandIndex,
  type ClusterMethod,
  clusterTrajectories,
  feasibilityStudy,
  foregroundARI,
  listHopkins,
  loadHopkins,
  misclassificationRate,
} from "../cluster/mod.ts";
import type { Tracks } from "../motion/types.ts";
import { sha256 } from "../pipeline/mod.ts";
import { CLUSTERING_ROWS } from "../reports/rows.ts";

const METHODS: [ClusterMethod, string][] = [
  ["kmeans", CLUSTERING_ROWS.kmeans],
  ["ssc", CLUSTERING_ROWS.ssc],
  ["lrr", CLUSTERING_ROWS.lrr],
  ["lrtl-direct", CLUSTERING_ROWS.lrtlDirect],
];

/** A clustering problem: a 2F×N trajectory matrix and its ground-truth groups. */
interface Problem {
  name: string;
  w: Float64Array;
  rows: number;
  cols: number;
  labels: Int32Array;
  groups: number;
  /** Whether label 0 is background (FG-ARI is defined). */
  hasBackground: boolean;
}

/**
 * Complete trajectories of a synthetic sequence: tracks seeded at the middle frame that stay
 * visible over the whole sequence (like Hopkins155's), at most `maxPoints` of them (evenly
 * subsampled), labelled by the surface they lie on.
 */
function syntheticProblem(
  name: string,
  t: Tracks,
  surface: Uint8Array,
  maxPoints: number,
): Problem | null {
  const F = t.numFrames;
  const q = Math.floor(F / 2);
  const keep: number[] = [];
  for (let n = 0; n < t.numTracks; n++) {
    if (t.queryFrame[n] !== q) continue;
    let all = true;
    for (let f = 0; f < F && all; f++) all = t.visible[n * F + f] === 1;
    if (all) keep.push(n);
  }
  const step = Math.max(1, keep.length / maxPoints);
  const chosen = Array.from(
    { length: Math.min(maxPoints, keep.length) },
    (_, i) => keep[Math.floor(i * step)],
  );
  const ids = [...new Set(chosen.map((n) => surface[n]))].sort((a, b) => a - b);
  if (ids.length < 2) return null;
  const cols = chosen.length, rows = 2 * F;
  const w = new Float64Array(rows * cols);
  chosen.forEach((n, c) => {
    for (let f = 0; f < F; f++) {
      w[f * cols + c] = t.xy[2 * (n * F + f)];
      w[(F + f) * cols + c] = t.xy[2 * (n * F + f) + 1];
    }
  });
  const labels = Int32Array.from(chosen, (n) => ids.indexOf(surface[n]));
  return { name, w, rows, cols, labels, groups: ids.length, hasBackground: ids[0] === 0 };
}

export const cluster = defineStage<PipelineParams>({
  name: "cluster",
  cost: "heavy",
  description: "cluster trajectories directly: K-Means, SSC, LRR, LRTL-direct",
  module: import.meta.url,
  scope: "dataset",
  params: ["cluster.restarts", "cluster.rank", "runtime.seed"],
  inputs: ["synthesize"],
  applies: (s) => s.dataset === "synthetic" || s.dataset === "hopkins155",
  fingerprint: async (scope, _p, env) =>
    scope.dataset === "hopkins155"
      ? sha256((await listHopkins(env.dataRoot)).join("\n"))
      : "synthesize artifact",
  async run(ctx) {
    const problems: Problem[] = [];
    if (ctx.scope.dataset === "hopkins155") {
      for (const path of await listHopkins(ctx.env.dataRoot)) {
        const h = await loadHopkins(path);
        problems.push({
          name: h.name,
          w: h.x,
          rows: 2 * h.frames,
          cols: h.points,
          labels: h.labels,
          groups: h.numMotions,
          hasBackground: false,
        });
      }
    } else {
      const dir = ctx.input("synthesize").dir;
      const meta = JSON.parse(await Deno.readTextFile(join(dir, "meta.json")));
      for (const s of meta.sequences) {
        const name = s.spec.name as string;
        const t = await readTracks(join(dir, "Tracks", `${name}.lrtk`));
        const surface = await Deno.readFile(join(dir, "Tracks", `${name}.labels`));
        const p = syntheticProblem(name, t, surface, 200);
        if (p) problems.push(p);
      }
    }
    if (!problems.length) throw new Error(`No trajectories to cluster in ${ctx.scope.dataset}`);
    const rows: MetricRow[] = [];
    const sums = new Map<string, Record<string, number>>();
    let done = 0;
    for (const p of problems) {
      for (const [method, label] of METHODS) {
        const pred = clusterTrajectories(method, p.w, p.rows, p.cols, p.groups, {
          seed: ctx.param("runtime.seed"),
          lrtl: {
            // Two clustering-based starts plus random ones; the lowest final loss wins.
            inits: [
              "shape",
              "kmeans",
              ...Array(Math.max(0, ctx.param("cluster.restarts") - 2)).fill("random"),
            ],
            rank: ctx.param("cluster.rank"),
            // Optimise on the top-16 left singular subspace of P: exact when rank P ≤ 16 and
            // 10–20× faster (measured on Hopkins155 by bench/cluster_bench.ts).
            basisRank: 16,
          },
        });
        const m: Record<string, number> = {
          misclassification: 100 * misclassificationRate(p.labels, pred),
          ari: 100 * adjustedRandIndex(p.labels, pred),
        };
        if (p.hasBackground) m.fg_ari = 100 * foregroundARI(pred, p.labels);
        const acc = sums.get(label) ?? { n: 0 };
        acc.n++;
        for (const [k, v] of Object.entries(m)) {
          rows.push({ row: label, metric: k, value: v, sequence: p.name });
          acc[k] = (acc[k] ?? 0) + v;
        }
        sums.set(label, acc);
        ctx.progress(++done, problems.length * METHODS.length, `${p.name} ${label}`);
      }
    }
    for (const [label, acc] of sums) {
      for (const [k, v] of Object.entries(acc)) {
        if (k !== "n") rows.push({ row: label, metric: k, value: v / acc.n });
      }
    }
    ctx.metrics(rows);
  },
});

export const feasibility = defineStage<PipelineParams>({
  name: "feasibility",
  description: "Lt of the ground-truth masks under noise, temperature and merges/splits",
  module: import.meta.url,
  scope: "dataset",
  params: ["loss.rank", "train.context"],
  inputs: ["synthesize"],
  applies: (s) => s.dataset === "synthetic",
  async run(ctx) {
    const dir = ctx.input("synthesize").dir;
    const meta = JSON.parse(await Deno.readTextFile(join(dir, "meta.json")));
    const acc = new Map<string, { axis: string; x: number; sum: number; n: number }>();
    for (const [i, s] of meta.sequences.entries()) {
      const name = s.spec.name as string;
      const t = await readTracks(join(dir, "Tracks", `${name}.lrtk`));
      const q = Math.floor(t.numFrames / 2);
      const mask = await readGrey(
        join(dir, "Annotations", "480p", name, `${String(q).padStart(5, "0")}.png`),
      );
      const out = feasibilityStudy(t, mask, {
        queryFrame: q,
        window: 2 * ctx.param("train.context") + 1,
        rank: ctx.param("loss.rank"),
      });
      for (const r of out) {
        const key = `${r.axis}@${r.x}`;
        const a = acc.get(key) ?? { axis: r.axis, x: r.x, sum: 0, n: 0 };
        a.sum += r.loss;
        a.n++;
        acc.set(key, a);
      }
      ctx.progress(i + 1, meta.sequences.length, name);
    }
    ctx.metrics(
      [...acc.values()].map((a) => ({ row: a.axis, x: a.x, metric: "lt", value: a.sum / a.n })),
    );
  },
});
