/**
 * Trajectory clustering on the Hopkins155 samples: per method, the time per sequence and the
 * mean misclassification rate, ARI and FG-ARI. FG-ARI leaves out the largest ground-truth
 * group, taken as the background motion (Hopkins has no background label); it is averaged over
 * the 3-motion sequences only (with 2 motions one foreground group is left and FG-ARI is a
 * degenerate 0-or-1).
 *
 * By default only the sequences with ≤ 200 trajectories run, to stay near a minute on the
 * shared 2-core machine (SSC's N×N ADMM dominates); `LRTL_BENCH_CLUSTER_ALL=1` runs all.
 * `deno run -A bench/cluster_bench.ts` prints a per-sequence table too.
 * @module
 */
import {
  adjustedRandIndex,
  clusterTrajectories,
  foregroundARI,
  listHopkins,
  loadHopkins,
  misclassificationRate,
} from "../cluster/mod.ts";
import type { ClusterMethod, ClusterOptions, HopkinsSequence } from "../cluster/mod.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";

type Report = (name: string, value: number, unit: string, note?: string) => void;

/** Methods compared: name, method, options. */
const METHODS: [string, ClusterMethod, ClusterOptions][] = [
  ["kmeans", "kmeans", {}],
  ["ssc", "ssc", {}],
  ["lrr", "lrr", {}],
  // Paper-style LRTL-direct: r = 4, 6 random starts (on the top-16 subspace of P for speed).
  ["lrtl-direct r4", "lrtl-direct", { lrtl: { rank: 4, iterations: 150, basisRank: 16 } }],
  // Improved search: r = 3, starts from shape-interaction and k-means clusterings + 4 random.
  ["lrtl-direct r3+init", "lrtl-direct", {
    lrtl: {
      rank: 3,
      iterations: 150,
      basisRank: 16,
      inits: ["shape", "kmeans", "random", "random", "random", "random"],
    },
  }],
];

function largestGroup(labels: Int32Array): number {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

/** Mean of the finite values. */
function meanOf(values: number[]): number {
  const v = values.filter(Number.isFinite);
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** Per-sequence results of one method. */
export interface SequenceResult {
  method: string;
  sequence: string;
  seconds: number;
  misclassification: number;
  ari: number;
  /** NaN for sequences with fewer than 3 motions. */
  fgAri: number;
}

/** Run every method on the given sequences. */
export function evaluate(seqs: HopkinsSequence[], log?: (r: SequenceResult) => void) {
  const out: SequenceResult[] = [];
  for (const seq of seqs) {
    for (const [name, method, opts] of METHODS) {
      const t0 = performance.now();
      const labels = clusterTrajectories(
        method,
        seq.x,
        2 * seq.frames,
        seq.points,
        seq.numMotions,
        opts,
      );
      const r: SequenceResult = {
        method: name,
        sequence: seq.name,
        seconds: (performance.now() - t0) / 1000,
        misclassification: misclassificationRate(seq.labels, labels),
        ari: adjustedRandIndex(seq.labels, labels),
        fgAri: seq.numMotions >= 3
          ? foregroundARI(labels, seq.labels, largestGroup(seq.labels))
          : NaN,
      };
      out.push(r);
      log?.(r);
    }
  }
  return out;
}

/** Benchmark entry point (see bench/main.ts). */
export async function run(report: Report): Promise<void> {
  const all = Deno.env.get("LRTL_BENCH_CLUSTER_ALL") === "1";
  const seqs: HopkinsSequence[] = [];
  for (const path of await listHopkins(sharedDataRoot())) {
    const seq = await loadHopkins(path);
    if (all || seq.points <= 200) seqs.push(seq);
  }
  if (seqs.length === 0) throw new Error(`no Hopkins155 sequences under ${sharedDataRoot()}`);
  const results = evaluate(seqs);
  const note = `${seqs.length} Hopkins155 sequences${all ? "" : " (N ≤ 200)"}`;
  for (const [name] of METHODS) {
    const rs = results.filter((r) => r.method === name);
    const mean = (f: (r: SequenceResult) => number) => meanOf(rs.map(f));
    report(`hopkins ${name} misclassification`, 100 * mean((r) => r.misclassification), "%", note);
    report(`hopkins ${name} ARI`, mean((r) => r.ari), "", note);
    report(`hopkins ${name} FG-ARI`, mean((r) => r.fgAri), "", `${note}, 3-motion ones`);
    report(`hopkins ${name} time per sequence`, mean((r) => r.seconds), "s", note);
  }
}

if (import.meta.main) {
  const seqs: HopkinsSequence[] = [];
  const all = Deno.env.get("LRTL_BENCH_CLUSTER_ALL") === "1";
  for (const path of await listHopkins(sharedDataRoot())) {
    const seq = await loadHopkins(path);
    if (all || seq.points <= 200) seqs.push(seq);
  }
  console.log("sequence\tN\tF\tmethod\tmiscl%\tARI\tFG-ARI\ts");
  const results = evaluate(seqs, (r) => {
    const s = seqs.find((q) => q.name === r.sequence)!;
    console.log(
      [r.sequence, s.points, s.frames, r.method, (100 * r.misclassification).toFixed(2)]
        .concat([r.ari.toFixed(3), r.fgAri.toFixed(3), r.seconds.toFixed(2)]).join("\t"),
    );
  });
  console.log("\nmethod\tmean miscl%\tmedian miscl%\tARI\tFG-ARI\ts/seq");
  for (const [name] of METHODS) {
    const rs = results.filter((r) => r.method === name);
    const mean = (f: (r: SequenceResult) => number) => meanOf(rs.map(f));
    const med = rs.map((r) => r.misclassification).sort((a, b) => a - b)[Math.floor(rs.length / 2)];
    console.log(
      [name, (100 * mean((r) => r.misclassification)).toFixed(2), (100 * med).toFixed(2)]
        .concat([mean((r) => r.ari).toFixed(3), mean((r) => r.fgAri).toFixed(3)])
        .concat([mean((r) => r.seconds).toFixed(2)]).join("\t"),
    );
  }
}
