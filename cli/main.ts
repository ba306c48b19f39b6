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
  parseAssignment,
  readParamsFile,
} from "../pipeline/mod.ts";
import { EXPERIMENTS } from "../experiments/tables.ts";
import { PROFILES, SCHEMA } from "../stages/params.ts";
import { type RunRequest, runRequest } from "../experiments/orchestrate.ts";
import { parseSlurmFlags, type SlurmFlags } from "../experiments/slurm.ts";

const PROJECT_ROOT = resolve(new URL("..", import.meta.url).pathname);

interface CommonOptions {
  profile: string;
  dataRoot: string;
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
    .option(
      "--data-root <dir>",
      "where real datasets live (davis2016/, fbms59/, …)",
      Deno.env.get("LRTL_DATA_ROOT") ?? "data",
    )
    .option(
      "--cache-dir <dir>",
      "artifact cache",
      Deno.env.get("LRTL_CACHE") ?? `${PROJECT_ROOT}/.lrtl/cache`,
    )
    .option(
      "--db <file>",
      "results database (DuckDB)",
      Deno.env.get("LRTL_DB") ?? `${PROJECT_ROOT}/.lrtl/results.duckdb`,
    )
    .option(
      "--backend <name>",
      "tfjs backend: auto (default) | wasm | cpu | webgpu | tensorflow | tensorflow-gpu",
    )
    .option("-j, --jobs <n>", "stage instances run at once", "1")
    .option("--set <key=value...>", "override a param (repeatable), e.g. --set loss.rank=3", [])
    .option("--params <file>", "JSON file of param overrides (nested or dotted keys)")
    .option("--force <stage...>", "rebuild these stages (names or instance ids) even if cached", [])
    .option("--datasets <names>", "comma-separated datasets to include (default: all found)");
}

async function toRequest(
  targets: string[],
  o: CommonOptions,
  dryRun: boolean,
): Promise<RunRequest> {
  const layers: OverrideLayer[] = [];
  if (o.params) layers.push(await readParamsFile(o.params));
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

export function buildCli(): Command {
  const program = new Command("lrtl")
    .description(
      "Learning segmentation from point trajectories (LRTL): a cached pipeline from video to\n" +
        "optical flow, point tracks, training, evaluation and the paper's tables.",
    )
    .exitOverride()
    .showHelpAfterError("(add --help for usage)");

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
    .action(
      async (
        targets: string[],
        o: CommonOptions & SlurmFlags & { dryRun?: boolean; report?: boolean; executor: string },
      ) => {
        const req = await toRequest(targets, o, !!o.dryRun);
        if (o.executor === "slurm") {
          req.executor = "slurm";
          req.slurm = parseSlurmFlags(o);
        }
        const app = await loadApp();
        const ac = new AbortController();
        let interrupts = 0;
        const onSigint = () => {
          if (++interrupts > 1) Deno.exit(130);
          console.error(
            "\nInterrupted: finishing the stages in flight cleanly (Ctrl-C again to quit now)…",
          );
          ac.abort();
        };
        Deno.addSignalListener("SIGINT", onSigint);
        try {
          const { exitCode, runId } = await runRequest(req, app, { signal: ac.signal });
          Deno.exitCode = exitCode;
          if (
            !req.dryRun && o.report !== false && targets.includes("reproduce") && !ac.signal.aborted
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
    const experiment = { flow: "motion_flow", tracks: "motion_tracks" }[what];
    if (!experiment) throw new Error(`Unknown eval "${what}": use flow or tracks`);
    const req = await toRequest([experiment], o, false);
    const { runId, exitCode } = await runRequest(req, await loadApp());
    Deno.exitCode = exitCode;
    const { ResultsStore } = await import("../pipeline/mod.ts");
    const store = await ResultsStore.open(req.dbPath);
    try {
      const rows = await store.query(
        `SELECT dataset, row_label, metric, value FROM metrics
         WHERE run_id = $1 AND sequence = '' AND metric <> 'ms_per_pair' ORDER BY dataset, row_label, metric`,
        [runId],
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
    .argument("<id>", "stage instance id, e.g. train/synthetic[loss.rank=3]")
    .requiredOption("--request <file>", "the run request written by the driver")
    .description(
      "Run one stage instance against the shared cache (what --jobs workers and cluster jobs execute).",
    )
    .addHelpText(
      "after",
      "\nExample (normally started by `lrtl run --jobs 2`):\n  lrtl run-stage 'train/synthetic' --request .lrtl/cache/tmp/request.json\n",
    )
    .action(async (id: string, o: { request: string }) => {
      const { runStageWorker } = await import("../experiments/workers.ts");
      Deno.exitCode = await runStageWorker(id, o.request, await loadApp());
    });

  program.command("list")
    .argument("[what]", "experiments | stages | params | datasets", "experiments")
    .option(
      "--data-root <dir>",
      "where real datasets live",
      Deno.env.get("LRTL_DATA_ROOT") ?? "data",
    )
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
        for (const [k, s] of flattenSchema(SCHEMA)) {
          console.log(`${k.padEnd(26)} ${JSON.stringify(s.default).padEnd(12)} ${s.doc ?? ""}`);
        }
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
    .option(
      "--db <file>",
      "results database",
      Deno.env.get("LRTL_DB") ?? `${PROJECT_ROOT}/.lrtl/results.duckdb`,
    )
    .option("--run <id>", "run to report (default: the latest finished run)")
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
    .option(
      "--db <file>",
      "results database",
      Deno.env.get("LRTL_DB") ?? `${PROJECT_ROOT}/.lrtl/results.duckdb`,
    )
    .option("--run <id>", "run to check (default: run the smoke profile now)")
    .option("--update <why>", "write the run's metrics as the new baselines, recording why")
    .description("Compare a run's metrics with the committed baselines; exit 1 on a regression.")
    .addHelpText(
      "after",
      '\nExamples:\n  lrtl check\n  lrtl check --update "new tracker improves J"\n',
    )
    .option(
      "--cache-dir <dir>",
      "artifact cache",
      Deno.env.get("LRTL_CACHE") ?? `${PROJECT_ROOT}/.lrtl/cache`,
    )
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

  program.command("gc")
    .option(
      "--cache-dir <dir>",
      "artifact cache",
      Deno.env.get("LRTL_CACHE") ?? `${PROJECT_ROOT}/.lrtl/cache`,
    )
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
