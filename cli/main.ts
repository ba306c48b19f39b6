/**
 * `lrtl`: the command line of the pipeline. Every command has `--help` with an example.
 *
 *     deno task lrtl run reproduce --profile smoke
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { resolve } from "node:path";
import {
  acquireLock,
  Cache,
  flattenSchema,
  type OverrideLayer,
  type ParamSpec,
  parseAssignment,
  readParamsFile,
  ResultsStore,
} from "../pipeline/mod.ts";
import { EXPERIMENTS, motionFlow, motionTracks } from "../experiments/tables.ts";
import { DATASET_PROFILES, PROFILES, SCHEMA } from "../stages/params.ts";
import { parseSweep, type RunRequest, runRequest } from "../experiments/driver/mod.ts";
import denoJson from "../deno.json" with { type: "json" };
import { parseSlurmFlags, type SlurmFlags } from "../experiments/driver/mod.ts";

const PROJECT_ROOT = resolve(new URL("..", import.meta.url).pathname);
const DEFAULT_DB = `${PROJECT_ROOT}/.lrtl/results.duckdb`;

/** The environment variables the CLI reads (listed in --help and the README). */
export const ENV_VARS: readonly [string, string][] = [
  ["LRTL_DATA_ROOT", "default of --data-root (real datasets; default: data/)"],
  ["LRTL_CACHE", "default of --cache-dir (default: .lrtl/cache)"],
  ["LRTL_DB", "default of --db (default: .lrtl/results.duckdb)"],
  ["LRTL_FLOW_SHIM", "path of the native OpenCV flow shim (default: native/build/libflow_shim.so)"],
  ["LRTL_NATIVE_CACHE", "where setup keeps the TensorFlow libraries (default: ~/.cache/lrtl)"],
  ["LRTL_TENSORFLOW", "off: do not build or use the TensorFlow backend"],
  ["LRTL_LIBTENSORFLOW", "setup: a libtensorflow C folder or .tar.gz to build the backend from"],
  ["LRTL_TF_WHEEL", "setup: a TensorFlow .whl to take libtensorflow from"],
  ["LRTL_LT_THREADS", "threads of the native Lt kernels (default: 1)"],
  ["LRTL_DEBUG", "set: print stack traces of errors"],
  ["NO_COLOR", "set: no colours (progress bars need a terminal anyway)"],
];

const dataRootOption = () =>
  new Option("--data-root <dir>", "where real datasets live (davis2016/, fbms59/, …)")
    .default("data").env("LRTL_DATA_ROOT");
const cacheOption = () =>
  new Option("--cache-dir <dir>", "artifact cache").default(`${PROJECT_ROOT}/.lrtl/cache`).env(
    "LRTL_CACHE",
  );
const dbOption = () =>
  new Option("--db <file>", "results database (DuckDB)").default(DEFAULT_DB).env("LRTL_DB");

/** Runs `fn` on the results database opened read-only (it may be written by a run meanwhile). */
async function withReader<T>(db: string, fn: (store: ResultsStore) => Promise<T>): Promise<T> {
  const store = await ResultsStore.open(resolve(db), { readOnly: true });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

interface CommonOptions {
  profile: string;
  dataRoot: string;
  /** Set by the preAction hook: `--data-root` or LRTL_DATA_ROOT was given. */
  dataRootExplicit?: boolean;
  sweep?: string[];
  cacheDir: string;
  db: string;
  backend?: string;
  jobs: string;
  set: string[];
  params?: string;
  force: string[];
  datasets?: string;
}

function withRunOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--profile <name>", "parameter profile").choices(Object.keys(PROFILES)).default(
        "small",
      ),
    )
    .addOption(dataRootOption())
    .addOption(cacheOption())
    .addOption(dbOption())
    .option(
      "--backend <name>",
      "tfjs backend: auto (default) | wasm | cpu | webgpu | tensorflow | tensorflow-gpu",
    )
    .option("-j, --jobs <n>", "stage instances run at once", "1")
    .option("--set <key=value...>", "override a param (repeatable), e.g. --set loss.rank=3", [])
    .option("--params <file>", "YAML or JSON file of param overrides (nested or dotted keys)")
    .option("--force <stage...>", "rebuild these stages (names or instance ids) even if cached", [])
    .option("--datasets <names>", "comma-separated datasets to include (default: all found)")
    .option(
      "--sweep <key=values...>",
      "one-off sweep over the cartesian product of the axes (repeatable), e.g. --sweep loss.rank=2,3,4 --sweep model.k=3,4: table `sweep` in the report",
    );
}

async function toRequest(
  targets: string[],
  o: CommonOptions,
  dryRun: boolean,
): Promise<RunRequest> {
  const layers: OverrideLayer[] = [];
  if (o.params) layers.push(await readParamsFile(o.params));
  const sweep = (o.sweep ?? []).map(parseSweep);
  for (const s of o.set) layers.push({ origin: `--set ${s}`, values: parseAssignment(s) });
  if (o.backend) layers.push({ origin: "--backend", values: { "runtime.backend": o.backend } });
  const jobs = Number(o.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new Error(`--jobs must be a positive integer, got "${o.jobs}"`);
  }
  return {
    targets,
    profile: o.profile,
    dataRoot: resolve(o.dataRoot),
    dataRootExplicit: o.dataRootExplicit,
    sweep: sweep.length ? sweep : undefined,
    cacheDir: resolve(o.cacheDir),
    dbPath: resolve(o.db),
    jobs,
    dryRun,
    force: o.force,
    layers,
    datasets: o.datasets?.split(",").map((s) => s.trim()).filter(Boolean),
  };
}

async function loadApp() {
  // The stages pull in tfjs and OpenCV; load them only for commands that run stages.
  const { createApp } = await import("../stages/mod.ts");
  return await createApp();
}

/** `lrtl list params`: each param's default, what each profile sets, range and doc. */
export function paramLines(): string[] {
  // each profile, then its per-dataset layers (e.g. `small/synthetic`)
  const columns: [string, Record<string, unknown>][] = Object.keys(PROFILES).flatMap((p) => [
    [p, PROFILES[p]] as [string, Record<string, unknown>],
    ...Object.entries(DATASET_PROFILES[p] ?? {}).map(([d, layer]) =>
      [`${p}/${d}`, layer] as [string, Record<string, unknown>]
    ),
  ]);
  const v = (x: unknown) => (x === undefined ? "·" : JSON.stringify(x));
  const range = (s: ParamSpec) => {
    if (s.kind === "str") return s.choices ? s.choices.join("|") : "";
    if (s.kind !== "int" && s.kind !== "num") return "";
    const lo = s.kind === "num" && s.above !== undefined
      ? `>${s.above}`
      : s.min !== undefined
      ? `≥${s.min}`
      : "";
    const hi = s.max !== undefined ? `≤${s.max}` : "";
    return [lo, hi].filter(Boolean).join(" ");
  };
  const rows = [...flattenSchema(SCHEMA)].map(([k, s]) => [
    k,
    v(s.default),
    ...columns.map(([, values]) => v(values[k])),
    range(s),
    s.doc ?? "",
  ]);
  const head = ["param", "default", ...columns.map(([name]) => name), "range", "doc"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [
    "(the profile columns show what each --profile sets, a `profile/dataset` column what it " +
    "sets on top for that dataset's stages; · keeps the default)",
    ...[head, ...rows].map((r) =>
      r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ")
    ),
  ];
}

export function buildCli(): Command {
  const program = new Command("lrtl")
    .description(
      "Learning segmentation from point trajectories (LRTL): a cached pipeline from video to\n" +
        "optical flow, point tracks, training, evaluation and the paper's tables.",
    )
    .version(denoJson.version, "-V, --version", "print the lrtl version")
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .addHelpText(
      "after",
      `\nEnvironment variables:\n${
        ENV_VARS.map(([k, v]) => `  ${k.padEnd(16)} ${v}`).join("\n")
      }\n`,
    )
    .hook("preAction", (_program, action) => {
      const src = action.getOptionValueSource("dataRoot");
      if (src) action.setOptionValue("dataRootExplicit", src === "cli" || src === "env");
    });

  const experimentList = () => ["reproduce", ...EXPERIMENTS.map((e) => e.name)].join(", ");

  withRunOptions(
    program.command("run")
      .argument("<targets...>", "experiments, `reproduce` (all), or stage names")
      .option("--dry-run", "show what would run and why, run nothing")
      .description("Run experiments (or stages); only what is stale is recomputed.")
      .addHelpText(
        "after",
        `\nExperiments: ${experimentList()}\n\nExamples:\n  lrtl run reproduce --profile smoke\n  lrtl run sweep_rank --set train.steps=300 --jobs 2\n  lrtl run sweep_rank --executor slurm --partition gpu --gpus-per-task 1 --time 02:00:00\n  lrtl run frames --profile smoke --data-root ../shared/data --datasets davis2016\n`,
      ),
  ).option("--no-report", "do not render the report after `reproduce`")
    .addOption(
      new Option("--executor <name>", "where heavy stage instances run").choices(["local", "slurm"])
        .default("local"),
    )
    .option("--partition <name>", "slurm: partition of the array jobs")
    .option("--gpus-per-task <n>", "slurm: GPUs per array task")
    .option("--cpus-per-task <n>", "slurm: CPUs per array task")
    .option("--time <limit>", "slurm: time limit per task, HH:MM:SS")
    .option("--slurm-max-parallel <n>", "slurm: at most n tasks of one array at once")
    .option("--slurm-retries <n>", "slurm: resubmissions of a failed task", "1")
    .option("--name <name>", "a name for the run (lrtl show/compare accept it in place of the id)")
    .option("--note <text>", "a note kept with the run (lrtl runs / lrtl show)")
    .action(
      async (
        targets: string[],
        o: CommonOptions & SlurmFlags & {
          dryRun?: boolean;
          report?: boolean;
          executor: string;
          name?: string;
          note?: string;
        },
      ) => {
        const req = await toRequest(targets, o, !!o.dryRun);
        req.name = o.name;
        req.note = o.note;
        if (o.executor === "slurm") {
          req.executor = "slurm";
          req.slurm = parseSlurmFlags(o);
        }
        const app = await loadApp();
        const ac = new AbortController();
        let interrupts = 0;
        // SIGTERM (Slurm at a time limit, `kill`) is handled like Ctrl-C: trainings stop at the
        // next step with a checkpoint, the lock is released and the run is marked interrupted.
        const onSignal = (name: "SIGINT" | "SIGTERM") => () => {
          if (++interrupts > 1) Deno.exit(name === "SIGINT" ? 130 : 143);
          console.error(
            `\nInterrupted (${name}): finishing the stages in flight cleanly (Ctrl-C again to quit now)…`,
          );
          ac.abort();
        };
        const onSigint = onSignal("SIGINT"), onSigterm = onSignal("SIGTERM");
        Deno.addSignalListener("SIGINT", onSigint);
        Deno.addSignalListener("SIGTERM", onSigterm);
        try {
          const { exitCode, runId } = await runRequest(req, app, { signal: ac.signal });
          Deno.exitCode = exitCode;
          if (
            !req.dryRun && o.report !== false &&
            (targets.includes("reproduce") || req.sweep) && !ac.signal.aborted
          ) {
            const { renderRunReport } = await import("../experiments/report.ts");
            const r = await renderRunReport({
              dbPath: req.dbPath,
              runId,
              outDir: `${PROJECT_ROOT}/reports/out`,
            });
            console.log(`Report: ${r.htmlPath}`);
          }
        } finally {
          Deno.removeSignalListener("SIGINT", onSigint);
          Deno.removeSignalListener("SIGTERM", onSigterm);
        }
      },
    );

  withRunOptions(
    program.command("status")
      .argument("[targets...]", "experiments or stages", ["reproduce"])
      .description("Show each stage instance of the targets: up to date, or stale and why.")
      .addHelpText("after", "\nExample:\n  lrtl status main --profile smoke --set loss.rank=3\n"),
  ).action(async (targets: string[], o: CommonOptions) => {
    const app = await loadApp();
    const { exitCode } = await runRequest(await toRequest(targets, o, true), app);
    Deno.exitCode = exitCode;
  });

  withRunOptions(
    program.command("verify")
      .argument("[targets...]", "experiments or stages", ["reproduce"])
      .description(
        "Re-hash every file of every cached artifact the targets would read (runs re-hash only files whose size or mtime changed); corrupted ones are removed so the next run rebuilds them. Exit 1 if any was corrupted.",
      )
      .addHelpText(
        "after",
        "\nExamples:\n  lrtl verify reproduce --profile smoke\n  lrtl verify main --data-root ../shared/data\n",
      ),
  ).action(async (targets: string[], o: CommonOptions) => {
    const { verifyRequest } = await import("../experiments/driver/mod.ts");
    const r = await verifyRequest(await toRequest(targets, o, true), await loadApp());
    Deno.exitCode = r.corrupted.length ? 1 : 0;
  });

  withRunOptions(
    program.command("eval")
      .argument("<what>", "flow | tracks")
      .description(
        "Score the motion inputs: flow EPE per estimator (Sintel + synthetic) or TAP-Vid metrics per tracker (synthetic); stored in DuckDB and printed.",
      )
      .addHelpText(
        "after",
        "\nExamples:\n  lrtl eval flow --data-root ../shared/data\n  lrtl eval tracks --profile smoke\n",
      ),
  ).action(async (what: string, o: CommonOptions) => {
    const experiment = { flow: motionFlow.name, tracks: motionTracks.name }[what];
    if (!experiment) throw new Error(`Unknown eval "${what}": use flow or tracks`);
    const req = await toRequest([experiment], o, false);
    const { runId, exitCode } = await runRequest(req, await loadApp());
    Deno.exitCode = exitCode;
    const { ResultsStore, runAggregates } = await import("../pipeline/mod.ts");
    const store = await ResultsStore.open(req.dbPath, { readOnly: true });
    try {
      const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      const rows = (await runAggregates(store.connection, runId))
        .filter((r) => r.metric !== "ms_per_pair")
        .map((r) => ({ dataset: r.dataset, row_label: r.row, metric: r.metric, value: r.mean }))
        .sort((a, b) =>
          order(a.dataset, b.dataset) || order(a.row_label, b.row_label) ||
          order(a.metric, b.metric)
        );
      const metrics = [...new Set(rows.map((r) => String(r.metric)))];
      console.log(
        `\n${"dataset".padEnd(11)} ${(what === "flow" ? "estimator" : "tracker").padEnd(11)} ${
          metrics.map((m) => m.padStart(12)).join(" ")
        }`,
      );
      const keys = [...new Set(rows.map((r) => `${r.dataset}\t${r.row_label}`))];
      for (const k of keys) {
        const [ds, row] = k.split("\t");
        const vals = metrics.map((m) =>
          rows.find((r) => r.dataset === ds && r.row_label === row && r.metric === m)?.value
        );
        console.log(
          `${ds.padEnd(11)} ${row.padEnd(11)} ${
            vals.map((v) => (v === undefined ? "—" : Number(v).toFixed(2)).padStart(12)).join(" ")
          }`,
        );
      }
    } finally {
      store.close();
    }
  });

  program.command("run-stage")
    .requiredOption("--task <file>", "the instance's task, written by the driver")
    .description(
      "Run one stage instance against the shared cache (what --jobs workers and cluster jobs execute): the task file holds its stage, params, input artifacts and the cache key the driver expects; a worker that computes another key fails.",
    )
    .addHelpText(
      "after",
      "\nExample (normally started by `lrtl run --jobs 2`):\n  lrtl run-stage --task .lrtl/cache/tmp/task-1234-abcd.json\n",
    )
    .addOption(
      new Option("--watch-parent", "stop when stdin (a pipe from the driver) ends").hideHelp(),
    )
    .action(async (o: { task: string; watchParent?: boolean }) => {
      const { runStageWorker } = await import("../experiments/driver/mod.ts");
      const code = await runStageWorker(o.task, await loadApp(), o);
      // The pending read of stdin would keep the process alive.
      if (o.watchParent) Deno.exit(code);
      Deno.exitCode = code;
    });

  program.command("list")
    .argument("[what]", "experiments | stages | params | datasets", "experiments")
    .addOption(dataRootOption())
    .description("List experiments, stages, params (with defaults) or the datasets found.")
    .addHelpText(
      "after",
      "\nExamples:\n  lrtl list\n  lrtl list datasets --data-root ../shared/data\n",
    )
    .action(async (what: string, o: { dataRoot: string }) => {
      if (what === "experiments") {
        for (const e of EXPERIMENTS) console.log(`${e.name.padEnd(20)} ${e.title}`);
        console.log(`${"reproduce".padEnd(20)} all of the above`);
      } else if (what === "params") {
        for (const line of paramLines()) console.log(line);
      } else if (what === "stages") {
        const app = await loadApp();
        for (const s of app.stages) {
          console.log(
            `${s.name.padEnd(12)} ${s.scope.padEnd(9)} ← ${
              (s.inputs.join(", ") || "-").padEnd(28)
            } ${s.description}`,
          );
        }
      } else if (what === "datasets") {
        const { describeDatasets } = await import("../stages/datasets.ts");
        for (const line of await describeDatasets(resolve(o.dataRoot))) console.log(line);
      } else {
        throw new Error(`Unknown list "${what}": use experiments, stages, params or datasets`);
      }
    });

  program.command("report")
    .addOption(dbOption())
    .option(
      "--run <run>",
      "run to report: id, id prefix or name (default: the latest finished run)",
    )
    .option("--out <dir>", "output folder", `${PROJECT_ROOT}/reports/out`)
    .description(
      "Render the HTML page, Markdown summary and figures of a run from the results database.",
    )
    .addHelpText("after", "\nExample:\n  lrtl report && open reports/out/index.html\n")
    .action(async (o: { db: string; run?: string; out: string }) => {
      const { renderRunReport } = await import("../experiments/report.ts");
      const r = await renderRunReport({
        dbPath: resolve(o.db),
        runId: o.run,
        outDir: resolve(o.out),
      });
      console.log(`Report: ${r.htmlPath}\nSummary: ${r.mdPath}`);
    });

  program.command("check")
    .addOption(dbOption())
    .option("--run <id>", "run to check (default: run the smoke profile now)")
    .option("--update <why>", "write the run's metrics as the new baselines, recording why")
    .description("Compare a run's metrics with the committed baselines; exit 1 on a regression.")
    .addHelpText(
      "after",
      '\nExamples:\n  lrtl check\n  lrtl check --update "new tracker improves J"\n',
    )
    .addOption(cacheOption())
    .action(async (o: { db: string; run?: string; update?: string; cacheDir: string }) => {
      const { checkCommand } = await import("../experiments/check.ts");
      const dbPath = resolve(o.db);
      Deno.exitCode = await checkCommand({
        dbPath,
        runId: o.run,
        update: o.update,
        profile: "smoke",
        run: async () => {
          const app = await loadApp();
          const req = await toRequest(["reproduce"], {
            profile: "smoke",
            dataRoot: Deno.env.get("LRTL_DATA_ROOT") ?? "data",
            cacheDir: o.cacheDir,
            db: dbPath,
            jobs: "2",
            set: [],
            force: [],
          }, false);
          const { runId, exitCode } = await runRequest(req, app);
          if (exitCode) throw new Error(`The smoke run ${runId} failed; see the log above`);
          return runId;
        },
      });
    });

  program.command("runs")
    .addOption(dbOption())
    .option("-n, --last <n>", "only the last n runs")
    .description(
      "List the runs in the results database: id, date, name, profile, backend, status, wall time, stage counts, commit.",
    )
    .addHelpText("after", "\nExample:\n  lrtl runs --last 5\n")
    .action(async (o: { db: string; last?: string }) => {
      const { runsLines } = await import("../experiments/history.ts");
      await withReader(o.db, async (store) => {
        for (const l of await runsLines(store, { last: o.last ? Number(o.last) : undefined })) {
          console.log(l);
        }
      });
    });

  program.command("show")
    .argument("[run]", "run id, id prefix, name, or latest", "latest")
    .addOption(dbOption())
    .description(
      "Show one run: provenance, params that differ from the defaults, stages and its metrics.",
    )
    .addHelpText("after", "\nExamples:\n  lrtl show\n  lrtl show 20261201T1553\n")
    .action(async (ref: string, o: { db: string }) => {
      const { showLines } = await import("../experiments/history.ts");
      await withReader(o.db, async (store) => {
        for (const l of await showLines(store, ref)) console.log(l);
      });
    });

  program.command("compare")
    .argument("<runA>", "run id, id prefix, name, or latest")
    .argument("<runB>", "run id, id prefix, name, or latest")
    .addOption(dbOption())
    .option("--all", "also list the metrics that did not change")
    .option("--table <name>", "only this table's metrics (e.g. main_comparison)")
    .description(
      "Compare two runs: the params that differ, and each metric of either run with Δ = b − a.",
    )
    .addHelpText("after", "\nExample:\n  lrtl compare rank3 rank5 --table sweep\n")
    .action(async (a: string, b: string, o: { db: string; all?: boolean; table?: string }) => {
      const { compareLines } = await import("../experiments/history.ts");
      await withReader(o.db, async (store) => {
        for (const l of await compareLines(store, a, b, o)) console.log(l);
      });
    });

  program.command("gc")
    .addOption(cacheOption())
    .description("Remove cache entries no stage instance refers to, and leftovers of killed runs.")
    .action(async (o: { cacheDir: string }) => {
      const cache = new Cache(resolve(o.cacheDir));
      await cache.init();
      using _lock = await acquireLock(cache.lockPath, { command: "lrtl gc", timeoutMs: 0 });
      const { removed, kept } = await cache.gc();
      console.log(`Removed ${removed.length} entries; ${kept} referenced artifacts kept.`);
    });

  return program;
}

if (import.meta.main) {
  try {
    await buildCli().parseAsync(Deno.args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      Deno.exitCode = e.exitCode;
    } else {
      console.error(`error: ${(e as Error).message}`);
      if (Deno.env.get("LRTL_DEBUG")) console.error(e);
      Deno.exitCode = 1;
    }
  }
}
