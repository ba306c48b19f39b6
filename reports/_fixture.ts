/**
 * Test fixture: a results store with rows for every table the report renders, written through
 * the store itself (`ResultsStore`, in memory unless a path is given), so it has exactly the
 * schema of `pipeline/results_schema.ts`. The numbers are made up; they test rendering, not
 * results.
 *
 * @module
 */
import { MAIN_ROWS } from "./rows.ts";
import { Resvg } from "@resvg/resvg-js";
import type { PaperNumber } from "./table_model.ts";
import { ResultsStore } from "../pipeline/store.ts";
import { Rng } from "../core/random.ts";
import type { MetricDbRow } from "../pipeline/results_schema.ts";

/** The id of the latest finished fixture run. */
export const FIXTURE_RUN = "run-2026-11-20-b";
/** An older finished run, with different numbers. */
export const FIXTURE_OLD_RUN = "run-2026-11-19-a";
/** A run that has not finished (never the default). */
export const FIXTURE_RUNNING = "run-2026-11-21-c";

/** Paper numbers for the fixture's tables. */
export const FIXTURE_PAPER: PaperNumber[] = [
  {
    table: "main_comparison",
    row: MAIN_ROWS.ours,
    dataset: "davis2016",
    metric: "J",
    value: 82.2,
    source: "Table 2",
  },
  {
    table: "main_comparison",
    row: "RCF (multi-stage)",
    dataset: "davis2016",
    metric: "J",
    value: 80.9,
    source: "Table 2",
  },
  {
    table: "main_comparison",
    row: "RCF (multi-stage)",
    dataset: "segtrackv2",
    metric: "J",
    value: 76.7,
    source: "Table 2",
  },
  {
    table: "main_comparison",
    row: "RCF (multi-stage)",
    dataset: "fbms59",
    metric: "J",
    value: 69.9,
    source: "Table 2",
  },
];

/** Options of {@link createFixtureStore}. */
export interface FixtureOptions {
  /** Leave these table names out of the latest run. */
  omitTables?: string[];
  /** Write the qualitative PNG here (its absolute path goes into `figures`). */
  figureDir: string;
  /** Curve length per term (default 400, above the chart's downsampling limit). */
  curveSteps?: number;
}

function metricRows(
  runId: string,
  r: () => number,
  offset: number,
  omit: string[],
): MetricDbRow[] {
  const out: MetricDbRow[] = [];
  const add = (
    exp: string,
    table: string,
    row: string,
    dataset: string,
    metric: string,
    value: number,
    x: number | null,
    seed: number | null,
    sequence = "",
  ) => {
    if (omit.includes(table)) return;
    out.push({
      run_id: runId,
      experiment: exp,
      table_name: table,
      row_label: row,
      dataset,
      sequence,
      metric,
      value,
      x,
      seed,
      stage_id: `${exp}-stage`,
      cache_key: `key-${table}-${row}-${seed}`,
    });
  };
  const noise = (s: number) => (r() - 0.5) * s;
  // Table 1: trajectory clustering.
  const clus: [string, number][] = [["K-Means", 0.45], ["SSC", 0.9], ["LRR", 0.85], [
    "LRTL-direct",
    0.7,
  ]];
  for (const [row, base] of clus) {
    for (const dataset of ["synthetic", "hopkins155"]) {
      const seeds = row === "LRTL-direct" ? [0, 1, 2] : [null];
      for (const seed of seeds) {
        const ari = Math.min(1, base + noise(0.08) + offset);
        add("clustering", "trajectory_clustering", row, dataset, "ari", ari, null, seed);
        add("clustering", "trajectory_clustering", row, dataset, "fg_ari", ari * 0.95, null, seed);
        add(
          "clustering",
          "trajectory_clustering",
          row,
          dataset,
          "misclassification",
          (1 - ari) * 30,
          null,
          seed,
        );
      }
    }
  }
  // Table 2: main comparison.
  const main: [string, number][] = [
    [MAIN_ROWS.lfOnly, 55],
    [MAIN_ROWS.ltOnly, 50],
    [MAIN_ROWS.ours, 60],
    [MAIN_ROWS.wholeFrame, 8.3],
    [MAIN_ROWS.centredEllipse, 22],
    [MAIN_ROWS.untrained, 15],
  ];
  for (const [row, base] of main) {
    for (const dataset of ["synthetic", "davis2016", "segtrackv2", "fbms59"]) {
      const floor = row === MAIN_ROWS.wholeFrame || row === MAIN_ROWS.centredEllipse;
      for (const seed of floor ? [null] : [0, 1, 2]) {
        const v = base + (floor ? 0 : noise(4)) + offset * 100 + (dataset === "synthetic" ? 20 : 0);
        add("main", "main_comparison", row, dataset, "J", v, null, seed);
      }
    }
  }
  for (const seq of ["dog", "camel", "cows"]) {
    add(
      "main",
      "main_comparison",
      MAIN_ROWS.ours,
      "davis2016",
      "J",
      50 + noise(30),
      null,
      0,
      seq,
    );
  }
  // Table 3 and 4.
  for (
    const [row, base] of [["tail (proposed)", 60], ["nuclear", 48], ["squared-tail", 52], [
      "normalised-tail",
      55,
    ]] as [string, number][]
  ) {
    for (const seed of [0, 1, 2]) {
      add(
        "formulations",
        "trajectory_formulations",
        row,
        "davis2016",
        "J",
        base + noise(3),
        null,
        seed,
      );
    }
  }
  const abl = ["Lf", "Lt", "Lr", "Lf+Lt", "Lf+Lr", "Lt+Lr", "Lf+Lt+Lr"];
  abl.forEach((row, i) => {
    for (const seed of [0, 1]) {
      add("ablation", "loss_ablation", row, "davis2016", "J", 30 + 4 * i + noise(3), null, seed);
    }
  });
  // Sweeps.
  for (const rank of [1, 2, 3, 4, 5, 6, 8]) {
    for (const seed of [0, 1]) {
      const j = 60 - 1.5 * Math.abs(rank - 5) + noise(2);
      add("sweeps", "sweep_rank", `r=${rank}`, "davis2016", "J", j, rank, seed);
      add("sweeps", "sweep_rank", `r=${rank}`, "synthetic", "J", j + 15, rank, seed);
    }
  }
  for (const k of [2, 3, 4, 5, 6]) {
    for (const seed of [0, 1]) {
      add(
        "sweeps",
        "sweep_components",
        "",
        "davis2016",
        "J",
        58 - Math.abs(k - 4) + noise(2),
        k,
        seed,
      );
    }
  }
  for (const c of [5, 10, 20, 30]) {
    add("sweeps", "sweep_context", `c=${c}`, "davis2016", "J", 50 + c / 3, c, 0);
  }
  for (const [row, base] of [["flow-chain", 55], ["klt", 50], ["gt", 70]] as [string, number][]) {
    for (const seed of [0, 1]) {
      add("sweeps", "sweep_tracker", row, "synthetic", "J", base + noise(3), null, seed);
    }
  }
  for (
    const [row, base] of [["unet-16-32-64", 55], ["unet-32-64-128", 58], [
      "unet-64-128-256 (wide)",
      60,
    ]] as [
      string,
      number,
    ][]
  ) {
    add("sweeps", "sweep_architecture", row, "davis2016", "J", base + noise(3), null, 0);
  }
  // Feasibility.
  for (const x of [0, 0.1, 0.2, 0.4, 0.8]) {
    add("feasibility", "feasibility", "noise", "synthetic", "lt", 100 + 400 * x + noise(10), x, 0);
  }
  for (const x of [0.25, 0.5, 1, 2, 4]) {
    add("feasibility", "feasibility", "temperature", "synthetic", "lt", 100 + 60 * x, x, 0);
  }
  for (const x of [-2, -1, 0, 1, 2]) {
    add("feasibility", "feasibility", "structure", "synthetic", "lt", 100 + 50 * Math.abs(x), x, 0);
  }
  // Motion.
  for (
    const [row, epe] of [["farneback", 18], ["dis-medium", 11.9], ["zero", 21.9]] as [
      string,
      number,
    ][]
  ) {
    for (const dataset of ["sintel", "synthetic"]) {
      const e = dataset === "synthetic" ? epe / 4 : epe;
      add("motion", "motion_flow", row, dataset, "epe", e, null, null);
      add("motion", "motion_flow", row, dataset, "within_1px", 60 - e * 2, null, null);
      add("motion", "motion_flow", row, dataset, "within_3px", 75 - e * 2, null, null);
      add("motion", "motion_flow", row, dataset, "within_5px", 85 - e * 2, null, null);
    }
  }
  for (const [row, base] of [["flow-chain", 50], ["klt", 40]] as [string, number][]) {
    for (const d of [1, 2, 4, 8, 16]) {
      add(
        "motion",
        "motion_tracks",
        row,
        "synthetic",
        `delta_${d}`,
        base + 8 * Math.log2(d),
        null,
        null,
      );
    }
    add("motion", "motion_tracks", row, "synthetic", "delta_avg", base + 16, null, null);
    add("motion", "motion_tracks", row, "synthetic", "occlusion_accuracy", base + 30, null, null);
    add("motion", "motion_tracks", row, "synthetic", "average_jaccard", base - 10, null, null);
  }
  return out;
}

/** A small qualitative grid PNG (no text, so no font needed). */
export function fixtureOverlayPng(): Uint8Array {
  const cells: string[] = [];
  for (let i = 0; i < 4; i++) {
    const x = i * 130 + 10;
    cells.push(
      `<rect x="${x}" y="10" width="120" height="80" fill="#8a9aa8"/>`,
      `<ellipse cx="${x + 60}" cy="50" rx="${20 + 5 * i}" ry="22" fill="#e45756" ` +
        `fill-opacity="0.6"/>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="530" height="100">` +
    `<rect width="530" height="100" fill="white"/>${cells.join("")}</svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng();
}

const at = (text: string) => new Date(`${text.replace(" ", "T")}Z`);

/**
 * A results store (in memory, or at `o.path`) with three runs: an older finished one, the
 * latest finished one ({@link FIXTURE_RUN}) and an unfinished one. The caller closes it.
 */
export async function createFixtureStore(
  o: FixtureOptions & { path?: string },
): Promise<ResultsStore> {
  const store = await ResultsStore.open(o.path ?? ":memory:");
  try {
    const params_json = JSON.stringify({
      flow: { estimator: "dis-medium" },
      tracks: { tracker: "flow-chain" },
      train: { arch: "unet-16-32-64", seeds: [0, 1, 2], lr: 7e-4 },
    });
    const run = { git_dirty: false, runtime: "deno 2.9.6", tfjs: "4.22.0", backend: "wasm" };
    await store.beginRun({
      ...run,
      run_id: FIXTURE_OLD_RUN,
      started: at("2026-11-19 09:00:00"),
      git_commit: "aaaa111",
      profile: "quick",
      experiments: "all",
      data_root: "/data",
      params_json,
    });
    await store.finishRun(FIXTURE_OLD_RUN, "ok", at("2026-11-19 10:00:00"));
    await store.beginRun({
      ...run,
      run_id: FIXTURE_RUN,
      started: at("2026-11-20 09:00:00"),
      git_commit: "0123456789abcdef0123456789abcdef01234567",
      git_dirty: true,
      profile: "full",
      experiments: "main,clustering,formulations,ablation,sweeps,feasibility,motion",
      data_root: "/work/shared/data",
      params_json,
    });
    await store.finishRun(FIXTURE_RUN, "ok", at("2026-11-20 11:02:05"));
    await store.beginRun({
      ...run,
      run_id: FIXTURE_RUNNING,
      started: at("2026-11-21 09:00:00"),
      git_commit: "bbbb222",
      profile: "full",
      experiments: "all",
      data_root: "/data",
      params_json: "{}",
    });
    const stageRun = (
      run_id: string,
      stage_id: string,
      stage: string,
      cache_key: string,
      status: "ran" | "cached",
      reason: string,
      started: string,
      seconds: number,
    ) =>
      store.addStageRun({
        run_id,
        stage_id,
        stage,
        cache_key,
        status,
        reason,
        started: at(started),
        finished: new Date(at(started).getTime() + seconds * 1000),
      });
    await stageRun(
      FIXTURE_RUN,
      "flow.dis",
      "flow",
      "k-flow",
      "cached",
      "no change",
      "2026-11-20 09:00:01",
      0.1,
    );
    await stageRun(
      FIXTURE_RUN,
      "train.main.seed0",
      "train",
      "k-train-0",
      "ran",
      "params changed: lr",
      "2026-11-20 09:10:00",
      3600,
    );
    await stageRun(
      FIXTURE_RUN,
      "train.main.seed1",
      "train",
      "k-train-1",
      "cached",
      "no change",
      "2026-11-20 09:10:01",
      0.05,
    );
    await stageRun(
      FIXTURE_RUN,
      "eval.main",
      "eval",
      "k-eval",
      "ran",
      "input changed",
      "2026-11-20 10:10:00",
      600,
    );
    await stageRun(
      FIXTURE_OLD_RUN,
      "train.main.seed0",
      "train",
      "k-train-old",
      "ran",
      "no record",
      "2026-11-19 09:00:01",
      100,
    );
    const rng = Rng.fromState(7);
    const r = () => rng.next();
    const omit = o.omitTables ?? [];
    await store.addMetrics([
      ...metricRows(FIXTURE_OLD_RUN, r, -0.3, []),
      ...metricRows(FIXTURE_RUN, r, 0, omit),
    ]);
    const steps = o.curveSteps ?? 400;
    const terms: [string, number][] = [["total", 1], ["lf", 0.3], ["lt", 0.5], ["lr", 0.05]];
    // k-train-0 ran in this run; k-train-1 was cached here: its curve was written by an older run
    // (and written twice, to check it is read once); k-train-old belongs to the old run only.
    for (
      const [cache_key, run_id, stage_id] of [
        ["k-train-0", FIXTURE_RUN, "train.main.seed0"],
        ["k-train-1", FIXTURE_OLD_RUN, "train.main.seed1"],
        ["k-train-1", "run-older-still", "train.main.seed1"],
        ["k-train-old", FIXTURE_OLD_RUN, "train.main.seed0"],
      ]
    ) {
      const curve = { run_id, cache_key, stage_id };
      const points = [];
      for (let step = 0; step < steps; step++) {
        for (const [name, scale] of terms) {
          const v = scale * (0.1 + Math.exp(-step / (steps / 4))) * (1 + 0.1 * Math.sin(step));
          points.push({ ...curve, step, name, value: cache_key === "k-train-old" ? v * 1000 : v });
        }
        // J on the scored frames every 100 steps (a labelled validation curve).
        if (step % 100 === 0) points.push({ ...curve, step, name: "val_J", value: 10 + step / 20 });
      }
      await store.addCurves(points);
    }
    await Deno.mkdir(o.figureDir, { recursive: true });
    const png = `${o.figureDir.replace(/\/+$/, "")}/overlay_grid.png`;
    await Deno.writeFile(png, fixtureOverlayPng());
    await store.addFigures([
      {
        run_id: FIXTURE_RUN,
        experiment: "main",
        name: "overlay grid",
        path: png,
        caption: "Predicted foreground (red) on four frames.",
      },
      {
        run_id: FIXTURE_OLD_RUN,
        experiment: "main",
        name: "old grid",
        path: png,
        caption: "from the old run",
      },
    ]);
    return store;
  } catch (e) {
    store.close();
    throw e;
  }
}
