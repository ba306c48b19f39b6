/**
 * The paper's tables and figures as experiments (PAPER.md "What the paper reports").
 * @module
 */
import { type PipelineParams, SEEDS } from "../stages/params.ts";
import type { TableSpec } from "../reports/tables.ts";
import type { PaperNumber } from "../reports/table_model.ts";
import {
  defineExperiment,
  type Experiment,
  type ExperimentRun,
  type FindingSpec,
  overSeeds,
} from "./experiment.ts";
import { CLUSTERING_ROWS, MAIN_ROWS } from "../reports/rows.ts";
import { TRAJECTORY_VARIANTS } from "../learn/losses/params.ts";

const seeds = (profile: string) => SEEDS[profile] ?? [0];
/** Tables other than the main one use one seed except in the `full` profile (CPU budget). */
const tableSeeds = (
  profile: string,
) => (profile === "full" ? seeds(profile) : seeds(profile).slice(0, 1));

/**
 * Where the `small` profile runs a main-table row's seeds after the first: DAVIS-2016 (the
 * benchmark its recipe is judged on) and the synthetic data (cheap); other real datasets get one
 * seed there (CPU budget).
 */
const moreSeedsOn = (profile: string) =>
  profile === "small" ? ["davis2016", "synthetic"] as const : undefined;

/** Runs of one main-table row over the profile's seeds (see {@link moreSeedsOn}). */
const mainRow = (
  profile: string,
  label: string,
  overrides: Record<string, unknown>,
  seedList = seeds(profile),
) =>
  overSeeds(seedList, label, overrides).map((r, i) =>
    i === 0 ? r : { ...r, datasets: moreSeedsOn(profile) }
  );

const LOSSES = {
  Lf: { "loss.flow": true, "loss.trajectory": false, "loss.temporal": false },
  Lt: { "loss.flow": false, "loss.trajectory": true, "loss.temporal": false },
  Lr: { "loss.flow": false, "loss.trajectory": false, "loss.temporal": true },
  "Lf+Lt": { "loss.flow": true, "loss.trajectory": true, "loss.temporal": false },
  "Lf+Lr": { "loss.flow": true, "loss.trajectory": false, "loss.temporal": true },
  "Lt+Lr": { "loss.flow": false, "loss.trajectory": true, "loss.temporal": true },
  "Lf+Lt+Lr": { "loss.flow": true, "loss.trajectory": true, "loss.temporal": true },
} as const;

/** The J (×100) the small recipe is meant to reach on DAVIS-2016 (the learning issue's bar). */
const DAVIS_TARGET = 50;

/** A mean as the findings' evidence prints it. */
const f1 = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(1));

const CPU_NOTE =
  "Ours: a UNet trained from scratch on a 2-core CPU (the small profile: 128×224 input, 1 200 " +
  "steps, its weights' moving average, each sequence scored with batch norm by its own " +
  "statistics), classical flow (DIS) and flow-chained tracks; the paper used a frozen DINO ViT-B/8, " +
  "RAFT flow and CoTracker tracks for 20 000 iterations on a GPU, so absolute numbers are not " +
  "comparable — the shape is.";

const SYNTHETIC_LITE_NOTE = "Synthetic data; in the small profile at 256×144 frames, a 64×112 " +
  "UNet and 300 steps (cheaper than the real-video recipe).";

/** Sweeps that run where the paper ran them: DAVIS-2016 when found, else synthetic. */
const ABLATION_NOTE = "Run on DAVIS-2016 when --data-root holds it (as the paper), else on the " +
  "synthetic data; the dataset column says which.";

export const clustering = defineExperiment({
  name: "clustering",
  table: "trajectory_clustering",
  title: "Trajectory clustering (Table 1)",
  description: "Clustering point trajectories into motions: classic subspace methods against " +
    "the trajectory loss used directly as a clustering objective (LRTL-direct).",
  stage: "cluster",
  datasets: "trajectories",
  runs: () => [{ label: "", overrides: {} }],
  note: "Hopkins155: only the sample sequences present under --data-root are scored (the paper's " +
    "anchors are means over all 155). Synthetic: complete trajectories of the generator's exact " +
    "tracks. LRTL-direct here uses r = 3 and starts from shape-interaction and k-means labels " +
    "plus random ones (lowest loss wins); the 15.0 % anchor is r = 4 with 6 random starts.",
  present: { chart: "grouped_bar", rowOrder: Object.values(CLUSTERING_ROWS) },
  paper: [
    {
      row: CLUSTERING_ROWS.ssc,
      dataset: "hopkins155",
      metric: "misclassification",
      value: 2.2,
      source: "Elhamifar & Vidal, all 155 sequences",
      kind: "published",
    },
    {
      row: CLUSTERING_ROWS.kmeans,
      dataset: "hopkins155",
      metric: "misclassification",
      value: 21.0,
      source: "PAPER.md, reference Python on all 155 sequences",
      kind: "measured",
    },
    {
      row: CLUSTERING_ROWS.lrtlDirect,
      dataset: "hopkins155",
      metric: "misclassification",
      value: 15.0,
      source: "PAPER.md, reference Python, r = 4, 6 restarts",
      kind: "measured",
    },
  ],
  findings: [{
    metric: "ari",
    datasets: ["synthetic", "hopkins155"],
    decide: ({ rows }, dataset) => {
      const l = rows.get(CLUSTERING_ROWS.lrtlDirect), k = rows.get(CLUSTERING_ROWS.kmeans);
      if (l === undefined || k === undefined) return null;
      return {
        claim: `LRTL-direct beats K-Means on trajectory clustering (${dataset} ARI)`,
        holds: l > k,
        evidence: `${f1(l)} vs ${f1(k)}`,
      };
    },
  }],
});

/** The runs of the main table; those that train (not the untrained network) are "learned". */
const mainRuns = (profile: string): ExperimentRun[] => [
  // The report shows the picture grid of the first seed of ours only.
  ...mainRow(profile, MAIN_ROWS.ours, LOSSES["Lf+Lt+Lr"]).map((r, i) => ({
    ...r,
    figures: i === 0,
  })),
  ...mainRow(profile, MAIN_ROWS.lfOnly, LOSSES.Lf),
  // Lt alone is the least informative row: outside the full profile one seed, and in `small`
  // only where the further seeds run (DAVIS-2016, synthetic): CPU budget.
  ...mainRow(profile, MAIN_ROWS.ltOnly, LOSSES.Lt, tableSeeds(profile)).map((r) => ({
    ...r,
    datasets: moreSeedsOn(profile),
  })),
  { label: MAIN_ROWS.untrained, overrides: { "train.steps": 0 } },
];

/** Rows of the main table that are trained (not floors, not the untrained network). */
export function learnedRows(profile = "small"): string[] {
  return [
    ...new Set(
      mainRuns(profile).filter((r) => (r.overrides["train.steps"] ?? 1) !== 0).map((r) => r.label),
    ),
  ];
}

const MAIN_FINDINGS: readonly FindingSpec[] = [
  {
    metric: "J",
    datasets: ["synthetic"],
    decide: ({ rows }) => {
      const ours = rows.get(MAIN_ROWS.ours), lf = rows.get(MAIN_ROWS.lfOnly);
      return {
        claim: "Lt helps over Lf alone (synthetic J of Lf+Lt+Lr vs Lf only)",
        holds: ours === undefined || lf === undefined ? null : ours > lf,
        evidence: `${f1(ours)} vs ${f1(lf)}`,
      };
    },
  },
  {
    metric: "J",
    datasets: ["synthetic"],
    decide: ({ rows }) => {
      const ours = rows.get(MAIN_ROWS.ours);
      const whole = rows.get(MAIN_ROWS.wholeFrame), untrained = rows.get(MAIN_ROWS.untrained);
      return {
        claim: "Training beats an untrained network and the whole-frame floor (synthetic J)",
        holds: ours === undefined || whole === undefined || untrained === undefined
          ? null
          : ours > whole && ours > untrained,
        evidence: `ours ${f1(ours)}, untrained ${f1(untrained)}, whole frame ${f1(whole)}`,
      };
    },
  },
  // Not a claim of the paper: the target of this CPU reproduction on real video (the learning
  // issue's bar), stated with the spread over seeds.
  {
    metric: "J",
    datasets: ["davis2016"],
    decide: ({ rows, stds }) => {
      const ours = rows.get(MAIN_ROWS.ours), lf = rows.get(MAIN_ROWS.lfOnly);
      const floor = rows.get(MAIN_ROWS.floor);
      if (ours === undefined) return null;
      const pm = (label: string) =>
        `${f1(rows.get(label))}${stds.has(label) ? ` ± ${f1(stds.get(label))}` : ""}`;
      const fails = [
        ...(ours >= DAVIS_TARGET ? [] : [`below ${DAVIS_TARGET}`]),
        ...(floor === undefined || ours >= floor ? [] : ["below the floor"]),
        ...(lf === undefined || ours > lf ? [] : ["not above Lf only"]),
      ];
      return {
        kind: "check",
        claim: `Target of this reproduction (DAVIS-2016 J): Lf+Lt+Lr ≥ ${DAVIS_TARGET}, ≥ the ` +
          "learning-free floor and above Lf only",
        holds: lf === undefined || floor === undefined ? null : fails.length === 0,
        evidence: `ours ${pm(MAIN_ROWS.ours)}, Lf only ${pm(MAIN_ROWS.lfOnly)}, floor ` +
          `${f1(floor)}${fails.length ? `; fails: ${fails.join(", ")}` : ""}`,
      };
    },
  },
  // Not a claim of the paper: the floor a learned motion segmenter must clear, per dataset
  // where the learning-free classical floor (computed from the same flow) was run.
  {
    metric: "J",
    datasets: { having: MAIN_ROWS.floor },
    decide: ({ rows }, dataset) => {
      const floor = rows.get(MAIN_ROWS.floor)!;
      const learned = learnedRows().filter((l) => rows.has(l));
      if (!learned.length) return null;
      return {
        kind: "check",
        claim: `Every learned row beats the learning-free floor (${dataset} J; floor ${f1(floor)})`,
        holds: learned.every((l) => rows.get(l)! > floor),
        evidence: learned.map((l) =>
          `${l} ${f1(rows.get(l))} ${rows.get(l)! > floor ? "beats it" : "does not"}`
        ).join(", "),
      };
    },
  },
];

export const main = defineExperiment({
  name: "main",
  table: "main_comparison",
  title: "Motion segmentation: main comparison (Table 2)",
  description: "Foreground J (×100) of the trained network on the binary benchmarks, " +
    "with loss variants and floors (learning-free classical motion segmentation from the " +
    "same flow, whole frame, centred ellipse, untrained network).",
  stage: "evaluate",
  datasets: "videos",
  runs: mainRuns,
  note: CPU_NOTE,
  present: {
    rowOrder: [MAIN_ROWS.lfOnly, MAIN_ROWS.ltOnly, MAIN_ROWS.ours, MAIN_ROWS.floor],
    chart: "grouped_bar",
    chartMetrics: ["J"],
    tableMetrics: ["J", "J_oracle"],
    perSequence: { metric: "J", rows: [MAIN_ROWS.lfOnly, MAIN_ROWS.ours, MAIN_ROWS.floor] },
  },
  // Reference numbers: `paper` only for numbers printed in the paper (and the baselines it
  // cites), `published` for other papers, `measured` for the reference implementation's results
  // that PAPER.md records. Nothing else is ever invented.
  paper: [
    {
      row: MAIN_ROWS.ours,
      dataset: "davis2016",
      metric: "J",
      value: 82.2,
      source: "LRTL, NeurIPS 2024 (DINO ViT-B/8, RAFT, CoTracker)",
    },
    ...([["davis2016", 80.9], ["segtrackv2", 76.7], ["fbms59", 69.9]] as const).map((
      [dataset, value],
    ) => ({
      row: "RCF (multi-stage, no post-processing)",
      dataset,
      metric: "J",
      value,
      source: "RCF as cited by LRTL",
    })),
    {
      row: MAIN_ROWS.wholeFrame,
      dataset: "davis2016",
      metric: "J",
      value: 8.3,
      source: "PAPER.md floors, all 20 DAVIS val sequences",
      kind: "measured",
    },
    {
      row: MAIN_ROWS.centredEllipse,
      dataset: "davis2016",
      metric: "J",
      value: 22.0,
      source: "PAPER.md floors, all 20 DAVIS val sequences",
      kind: "measured",
    },
    {
      row: MAIN_ROWS.floor,
      dataset: "davis2016",
      metric: "J",
      value: 48.9,
      source: "PAPER.md floors, OpenCV DIS flow at 854×480, all 20 DAVIS val sequences " +
        "(46.7 on the four samples)",
      kind: "measured",
    },
  ],
  findings: MAIN_FINDINGS,
});

export const baselines = defineExperiment({
  name: "baselines",
  table: main.table,
  title: "Trivial baselines",
  description: "Whole frame as foreground and a centred ellipse, scored with the same protocol.",
  stage: "baselines",
  datasets: "videos",
  runs: () => [{ label: "", overrides: {} }],
});

export const motionFloor = defineExperiment({
  name: "motion_floor",
  table: main.table,
  title: "Learning-free floor: classical motion segmentation",
  description: "RANSAC homography fitted to the same cached flow, Otsu threshold on the " +
    "residual, opening/closing, largest component; scored with the same protocol.",
  stage: "motion_floor",
  datasets: "videos",
  runs: () => [{ label: "", overrides: {}, figures: true }],
});

export const formulations = defineExperiment({
  name: "formulations",
  table: "trajectory_formulations",
  title: "Trajectory-loss formulations (Table 3)",
  description: "The proposed tail of the singular values against other low-rank penalties.",
  stage: "evaluate",
  datasets: "synthetic",
  runs: (profile) =>
    TRAJECTORY_VARIANTS.flatMap((v) =>
      overSeeds(tableSeeds(profile), v === "tail" ? "tail (proposed)" : v, {
        ...LOSSES["Lf+Lt+Lr"],
        "loss.variant": v,
      })
    ),
  note: `${CPU_NOTE} ${SYNTHETIC_LITE_NOTE}`,
  present: {
    chart: "grouped_bar",
    chartMetrics: ["J"],
    tableMetrics: ["J", "J_oracle", "ari", "fg_ari"],
  },
});

export const ablation = defineExperiment({
  name: "ablation",
  table: "loss_ablation",
  title: "Loss ablation (Table 4)",
  description: "Training with subsets of the flow (Lf), trajectory (Lt) and " +
    "temporal-smoothing (Lr) losses.",
  stage: "evaluate",
  datasets: "ablation",
  runs: (profile) =>
    Object.entries(LOSSES).flatMap(([label, o]) =>
      overSeeds(tableSeeds(profile), label, o).map((r) =>
        // the two rows that say least (no Lf: no instantaneous motion signal) run on real
        // video only outside `small` (CPU budget)
        profile === "small" && !o["loss.flow"] && o["loss.temporal"]
          ? { ...r, datasets: ["synthetic"] }
          : r
      )
    ),
  note: "Lr alone has no motion signal: it only asks masks to agree along tracks. " +
    `${ABLATION_NOTE} In the small profile the two rows without Lf but with Lr (Lr, Lt+Lr) ` +
    "run on the synthetic data only (CPU budget).",
  present: {
    rowOrder: Object.keys(LOSSES),
    chart: "grouped_bar",
    chartMetrics: ["J"],
    tableMetrics: ["J", "J_oracle", "ari", "fg_ari"],
  },
});

/** A sweep of one param with Lf+Lt+Lr: one row per value, charted against it. */
function sweep(o: {
  /** Experiment and table name. */
  name: string;
  title: string;
  description: string;
  key: keyof PipelineParams;
  values: readonly (number | string)[];
  /** Axis title of the setting. */
  xTitle: string;
  note?: string;
  /** `ablation`: DAVIS-2016 when found (the paper's setting), else synthetic (the default). */
  datasets?: "synthetic" | "ablation";
  /** Fewer points for the `small` profile's CPU budget (default: all of `values`). */
  smallValues?: readonly (number | string)[];
  findings?: readonly FindingSpec[];
}): Experiment {
  const numeric = o.values.every((v) => typeof v === "number");
  const datasets = o.datasets ?? "synthetic";
  const notes = [o.note, datasets === "ablation" ? ABLATION_NOTE : SYNTHETIC_LITE_NOTE];
  return defineExperiment({
    name: o.name,
    table: o.name,
    title: o.title,
    description: o.description,
    stage: "evaluate",
    datasets,
    runs: (profile) =>
      (profile === "small" && o.smallValues ? o.smallValues : o.values).flatMap((v) =>
        overSeeds(
          tableSeeds(profile),
          `${v}`,
          { [o.key]: v },
          typeof v === "number" ? v : undefined,
        )
      ),
    note: notes.filter((n) => n).join(" "),
    present: {
      chart: "sweep_bar",
      chartMetrics: ["J"],
      tableMetrics: ["J", "J_oracle"],
      xField: numeric ? "x" : "row_label",
      xTitle: o.xTitle,
    },
    findings: o.findings,
  });
}

/** The one-knob sweeps, in report order: adding a sweep is one entry here. */
export const SWEEPS: readonly Experiment[] = [
  sweep({
    name: "sweep_rank",
    title: "Sweep: rank r",
    description: "J against the rank r kept free of penalty in the trajectory loss.",
    key: "loss.rank",
    values: [1, 2, 3, 4, 5, 6, 8],
    smallValues: [2, 5, 8],
    datasets: "ablation",
    xTitle: "rank r",
    findings: [{
      metric: "J",
      // wherever it ran (DAVIS-2016 when found, else synthetic): every value list holds r = 5
      datasets: { having: "5" },
      decide: ({ rows }, dataset) => {
        if (!rows.size) return null;
        const [best] = [...rows].sort((a, b) => b[1] - a[1]);
        return {
          claim: `Rank near 4–5 is best (${dataset} J)`,
          holds: ["4", "5"].includes(best[0]),
          evidence: `best r = ${best[0]} (J ${f1(best[1])}); ` +
            [...rows].map(([r, v]) => `r=${r}: ${f1(v)}`).join(", "),
        };
      },
    }],
  }),
  sweep({
    name: "sweep_components",
    title: "Sweep: number of components k",
    description: "J against the number of predicted masks k.",
    key: "model.k",
    values: [2, 3, 4, 5, 6],
    xTitle: "components k",
  }),
  sweep({
    name: "sweep_context",
    title: "Sweep: context length",
    description: "J against the half-window c of the trajectory context (T = 2c + 1 frames).",
    key: "train.context",
    values: [2, 5, 10, 20, 30],
    xTitle: "half-window c (frames)",
    note: "Sequences shorter than 2c+1 frames are reflect-padded in time, as in the reference.",
  }),
  sweep({
    name: "sweep_tracker",
    title: "Sweep: point tracker",
    description: "J with trajectories from different point trackers.",
    key: "tracks.tracker",
    values: ["flow-chain", "klt", "gt"],
    xTitle: "tracker",
  }),
  sweep({
    name: "sweep_architecture",
    title: "Sweep: architecture",
    description: "J with different segmentation networks.",
    key: "model.arch",
    values: ["unet", "encdec"],
    xTitle: "architecture",
  }),
];

/**
 * The search that chose the `small` profile's training recipe (README "The small recipe"): each
 * point is an ordinary cached run of Lf+Lt+Lr, seed 0, on DAVIS-2016 when found. The row
 * "chosen" is the profile itself (so it is the main table's first seed, computed once).
 */
/** The small profile's settings before the weights' average and the per-sequence statistics. */
const BEFORE_AVERAGE = { "train.ema": 0, "eval.normStats": "running" } as const;
/** The flow settings of the small profile before this recipe (DIS preset, Lf at the flow's size). */
const PREVIOUS_FLOW = {
  ...BEFORE_AVERAGE,
  "flow.disFinestScale": -1,
  "loss.flowResolution": "flow",
} as const;

export const recipe = defineExperiment({
  name: "recipe",
  table: "recipe_search",
  title: "Recipe search: the small profile's training recipe",
  description: "J of Lf+Lt+Lr (seed 0) for the recipes tried around the small profile; the " +
    "row marked chosen is the profile itself.",
  stage: "evaluate",
  datasets: "ablation",
  runs: (profile) =>
    profile !== "small" ? [{ label: "this profile", overrides: { ...LOSSES["Lf+Lt+Lr"] } }] : [
      {
        label: "first small: 64×112 depth 3, 150 steps, 256×144 frames, DIS half-res, Lf at flow",
        overrides: {
          ...PREVIOUS_FLOW,
          "data.width": 256,
          "data.height": 144,
          "model.inputWidth": 112,
          "model.inputHeight": 64,
          "model.depth": 3,
          "train.steps": 150,
          "train.warmup": 50,
        },
      },
      {
        label: "128×224 depth 4, 600 steps, DIS half-res, Lf at flow (previous small's settings)",
        overrides: { ...PREVIOUS_FLOW, "train.steps": 600 },
      },
      {
        label: "128×224 depth 4, 1200 steps, DIS full-res, Lf at 128×224, last weights, " +
          "running BN statistics",
        overrides: BEFORE_AVERAGE,
      },
      {
        label: "the same, weights averaged (EMA 0.995), each sequence's BN statistics (chosen)",
        overrides: {},
      },
      {
        label: "the same, 1500 steps (the CPU reference run's count)",
        overrides: { "train.steps": 1500 },
      },
    ].map((r, i) => ({
      ...r,
      overrides: { ...LOSSES["Lf+Lt+Lr"], ...r.overrides, "runtime.seed": 0 },
      seed: 0,
      x: i,
    })),
  note: "Each row is one training of Lf+Lt+Lr (seed 0). Chosen for this machine's budget " +
    "(one training ≤ 15 min): the 128×224 depth-4 UNet as in the CPU reference run; DIS flow " +
    "with its patches matched at the 427×240 frames' full resolution (its medium preset matches " +
    "at half); Lf at the network's resolution (flow area-averaged down), which is what makes " +
    "1 200 steps fit; 200 warm-up steps, poly decay; the model is the weights' moving average " +
    "(train.ema), and each sequence is scored with batch norm by its own statistics " +
    "(eval.normStats = sequence: a training batch holds one sequence, so the running averages " +
    "normalise unlike training did). The choice was made from this table, the " +
    "J-during-training curves and the exploration runs the README lists; nothing is tuned per " +
    "sequence.",
  present: {
    chart: "sweep_bar",
    chartMetrics: ["J"],
    tableMetrics: ["J", "J_oracle"],
    xField: "row_label",
    xTitle: "recipe",
  },
});

/** The feasibility study's axes (rows written by the `feasibility` stage) and their titles. */
const FEASIBILITY_AXES = {
  noise: "mask noise η",
  temperature: "softmax temperature τ",
  structure: "structure s (merge < 0 < split)",
};

export const feasibility = defineExperiment({
  name: "feasibility",
  table: "feasibility",
  title: "Feasibility study (synthetic, ground-truth tracks)",
  description: "Trajectory loss Lt of perturbed ground-truth masks: it should be smallest " +
    "for the true masks and grow with mask noise, softmax temperature and wrong structure " +
    "(s < 0 merges objects, s > 0 splits them).",
  stage: "feasibility",
  datasets: "synthetic",
  runs: () => [{ label: "", overrides: {} }],
  present: {
    chart: "line_panels",
    xField: "x",
    panelTitles: FEASIBILITY_AXES,
    highlightBest: false,
    showTable: false,
  },
  // Along each axis, Lt is smallest at the true masks (x = 0 for structure, the least
  // perturbation otherwise).
  findings: Object.keys(FEASIBILITY_AXES).map((axis): FindingSpec => ({
    metric: "lt",
    datasets: ["synthetic"],
    decide: ({ points }) => {
      const pts = points.get(axis) ?? [];
      if (!pts.length) return null;
      const truth = axis === "structure"
        ? pts.find((p) => p.x === 0)
        : pts.reduce((a, b) => (a.x <= b.x ? a : b));
      const min = pts.reduce((a, b) => (a.v <= b.v ? a : b));
      return {
        claim: `Lt is smallest for the true masks along "${axis}"`,
        holds: truth !== undefined && min.v >= truth.v - 1e-9,
        evidence: `Lt at the true masks ${truth?.v.toPrecision(4)}, minimum ${
          min.v.toPrecision(4)
        } at ${axis} = ${min.x}`,
      };
    },
  })),
});

export const motionFlow = defineExperiment({
  name: "motion_flow",
  table: "motion_flow",
  title: "Optical flow accuracy",
  description: "End-point error and share of pixels within 1, 3 and 5 px of ground truth.",
  stage: "flow_eval",
  datasets: "flow",
  runs: () => [{ label: "", overrides: {} }],
  present: { chart: "grouped_bar", chartMetrics: ["epe", "within_3px"] },
  findings: [{
    metric: "epe",
    datasets: ["sintel"],
    decide: ({ rows }) => {
      const dis = rows.get("dis"), farneback = rows.get("farneback");
      if (dis === undefined || farneback === undefined) return null;
      return {
        claim: "DIS (native OpenCV) is more accurate than Farneback on Sintel",
        holds: dis < farneback,
        evidence: `EPE ${dis.toFixed(2)} vs ${farneback.toFixed(2)} px`,
      };
    },
  }],
});

export const motionTracks = defineExperiment({
  name: "motion_tracks",
  table: "motion_tracks",
  title: "Point tracking accuracy",
  description: "TAP-Vid style metrics: position accuracy within δ px, occlusion accuracy and " +
    "average Jaccard.",
  stage: "track_eval",
  datasets: "synthetic",
  runs: () => [{ label: "", overrides: {} }],
  present: {
    chart: "grouped_bar",
    chartMetrics: ["delta_avg", "occlusion_accuracy", "average_jaccard"],
  },
  findings: [{
    metric: "average_jaccard",
    datasets: ["synthetic"],
    decide: ({ rows }) => {
      const fc = rows.get("flow-chain"), klt = rows.get("klt");
      if (fc === undefined || klt === undefined) return null;
      return {
        claim: "Dense flow-chained tracks beat KLT on synthetic average Jaccard",
        holds: fc > klt,
        evidence: `${f1(fc)} vs ${f1(klt)}` +
          (fc > klt ? "" : "; KLT re-matches an image window at every frame while " +
            "flow chaining accumulates the interpolation error of each flow field along the chain, and on these " +
            "richly textured, mostly rigid scenes patch matching is hard to beat — flow-chain's advantage is " +
            "density (a track at every grid point, re-seeded at every frame), not per-point accuracy"),
      };
    },
  }],
});

/** Every experiment, in report order. `reproduce` runs them all. */
export const EXPERIMENTS: readonly Experiment[] = [
  clustering,
  main,
  baselines,
  motionFloor,
  formulations,
  ablation,
  ...SWEEPS,
  recipe,
  feasibility,
  motionFlow,
  motionTracks,
];

/** The table of `lrtl run --sweep` (not an experiment: its points come from the command line). */
export const SWEEP_TABLE = "sweep";
const SWEEP_SPEC: TableSpec = {
  title: "Sweep (lrtl run --sweep)",
  description: "A one-off sweep from the command line: every point of the cartesian product " +
    "of the --sweep axes (params key=value per row), mean ± std over seeds.",
  chart: "sweep_bar",
  chartMetrics: ["J"],
  tableMetrics: ["J", "J_oracle"],
  xField: "row_label",
  xTitle: "sweep point",
};

/** How the report shows each table (from the experiment that owns it), in report order. */
export const TABLE_SPECS: Readonly<Record<string, TableSpec>> = Object.fromEntries([
  ...EXPERIMENTS.filter((e) => e.present).map((e) => [
    e.table,
    { title: e.title, description: e.description, ...e.present! },
  ]),
  [SWEEP_TABLE, SWEEP_SPEC],
]);

/** Every table's reference numbers (paper, published, measured), with their source. */
export const PAPER_NUMBERS: readonly PaperNumber[] = EXPERIMENTS.flatMap((e) =>
  (e.paper ?? []).map((p) => ({ table: e.table, ...p }))
);
