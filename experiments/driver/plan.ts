/**
 * From a request to a plan: resolve params (defaults → profile → params file → --set), expand
 * experiments (or bare stage names, or `--sweep` points) into one plan over the datasets they
 * cover, and label each target instance with the table rows it fills.
 * @module
 */
import {
  checkParams,
  type OverrideLayer,
  ParamError,
  type Params,
  Plan,
  resolveParams,
  StageRegistry,
} from "../../pipeline/mod.ts";
import { CHECKS, DATASET_PROFILES, PROFILES, SCHEMA } from "../../stages/params.ts";
import type { DatasetSelector, Experiment } from "../experiment.ts";
import { EXPERIMENTS, SWEEP_TABLE } from "../tables.ts";
import { type BackendName, resolveBackend } from "../../learn/backend_choice.ts";
import type { App, RunRequest, SweepAxis } from "./request.ts";

/** A resolved target: an experiment, or a stage run over datasets. */
type Target = { kind: "experiment"; experiment: Experiment } | { kind: "stage"; stage: string };

export function resolveTargets(
  targets: readonly string[],
  stageNames: readonly string[],
): Target[] {
  const out: Target[] = [];
  for (const t of targets) {
    if (t === "reproduce") {
      out.push(...EXPERIMENTS.map((experiment) => ({ kind: "experiment" as const, experiment })));
      continue;
    }
    const e = EXPERIMENTS.find((x) => x.name === t);
    if (e) out.push({ kind: "experiment", experiment: e });
    else if (stageNames.includes(t)) out.push({ kind: "stage", stage: t });
    else {
      throw new Error(
        `Unknown experiment or stage "${t}". Experiments: reproduce, ${
          EXPERIMENTS.map((x) => x.name).join(", ")
        }. Stages: ${stageNames.join(", ")}.`,
      );
    }
  }
  return out;
}

/** The params of layers over the defaults, validated key by key and then across keys. */
function resolveChecked(layers: OverrideLayer[], origin: string): Params {
  const params = resolveParams(SCHEMA, layers);
  checkParams(params, CHECKS, origin);
  return params;
}

function profileLayer(profile: string): OverrideLayer {
  const values = PROFILES[profile];
  if (!values) {
    throw new Error(`Unknown profile "${profile}"; available: ${Object.keys(PROFILES).join(", ")}`);
  }
  return { origin: `profile ${profile}`, values };
}

/** The profile's layer for one dataset (stages/params.ts DATASET_PROFILES), if it has one. */
function datasetLayer(profile: string, dataset: string): OverrideLayer | null {
  const values = DATASET_PROFILES[profile]?.[dataset];
  return values ? { origin: `profile ${profile}, dataset ${dataset}`, values } : null;
}

/** The params of a request before any experiment's overrides. */
export function baseParams(req: Pick<RunRequest, "profile" | "layers">): Params {
  return resolveChecked([profileLayer(req.profile), ...req.layers], "the command line");
}

/**
 * Parses `key=v1,v2,…` (values are JSON where they parse, else strings; commas inside `[…]`
 * or quotes do not split, so `flow.gaps=[1],[1,2]` works).
 */
export function parseSweep(text: string): SweepAxis {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) {
    throw new ParamError(`Cannot parse --sweep "${text}": expected key=v1,v2,…`);
  }
  const parts: string[] = [];
  let depth = 0, quote = false, cur = "";
  for (const ch of text.slice(eq + 1)) {
    if (ch === '"') quote = !quote;
    else if (!quote && ch === "[") depth++;
    else if (!quote && ch === "]") depth--;
    if (ch === "," && depth === 0 && !quote) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  const values = parts.map((raw) => {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  });
  return { key: text.slice(0, eq), values };
}

/** Every point of the cartesian product of the axes, as override objects. */
export function sweepPoints(axes: readonly SweepAxis[]): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.key]: v })));
  return points;
}

/** A point's row label: `loss.rank=2, model.k=3`. */
export function pointLabel(point: Record<string, unknown>): string {
  return Object.entries(point).map(([k, v]) =>
    `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
  )
    .join(", ");
}

/**
 * The request with `runtime.backend = auto` replaced by the backend it resolves to here (a last
 * override layer), so cache keys, worker requests and the `runs` row hold the concrete name.
 */
export function withResolvedBackend(
  req: RunRequest,
): { req: RunRequest; backend: string; why: string } {
  const requested = String(baseParams(req)["runtime.backend"]);
  const { name, why } = resolveBackend(requested as BackendName);
  if (requested !== "auto") return { req, backend: name, why };
  return {
    req: {
      ...req,
      layers: [...req.layers, { origin: `backend ${why}`, values: { "runtime.backend": name } }],
    },
    backend: name,
    why,
  };
}

/** Labels a metric row belongs to. */
export interface RowLabel {
  experiment: string;
  table: string;
  label: string;
  x?: number;
  seed?: number;
  /** Whether the report shows this run's qualitative figures. */
  figures?: boolean;
}

/**
 * Builds the plan of a request; `labels` maps target instance ids to table rows. A requested
 * dataset (`--datasets`, `--data-root`) that cannot be found is an error naming what was looked
 * for and where.
 */
export async function buildPlan(
  req: RunRequest,
  app: App,
): Promise<{ plan: Plan; labels: Map<string, RowLabel[]>; base: Params }> {
  const registry = new StageRegistry(app.stages);
  const base = baseParams(req);
  if (req.dataRootExplicit && !(await Deno.stat(req.dataRoot).then(() => true, () => false))) {
    throw new Error(
      `The data root "${req.dataRoot}" does not exist (it would hold ${
        ["davis2016/", "segtrackv2/", "fbms59/", "hopkins155/", "flow/sintel/"].join(", ")
      }); without it only the synthetic data is used: drop --data-root / LRTL_DATA_ROOT for that`,
    );
  }
  const plan = new Plan(registry, base);
  const labels = new Map<string, RowLabel[]>();
  const covered = new Set<string>();
  const select = async (selector: DatasetSelector, params: Params) => {
    const ds = await app.discovery.select(selector, params, req.dataRoot);
    for (const d of ds) covered.add(d.name);
    return req.datasets ? ds.filter((d) => req.datasets!.includes(d.name)) : ds;
  };
  /**
   * Adds `stage` over the datasets `selector` picks, each dataset with its profile layer between
   * the profile and the request's layers; `after` are the layers above the request's (an
   * experiment run, a sweep point), `origin` names the last of them in errors.
   */
  const addOver = async (
    stage: string,
    selector: DatasetSelector,
    after: OverrideLayer[],
    origin: string,
    only?: readonly string[],
  ): Promise<string[]> => {
    const layers = (d: string | null) => [
      profileLayer(req.profile),
      ...(d && datasetLayer(req.profile, d) ? [datasetLayer(req.profile, d)!] : []),
      ...req.layers,
      ...after,
    ];
    const datasets = (await select(selector, resolveChecked(layers(null), origin)))
      .filter((d) => !only || only.includes(d.name));
    const ids: string[] = [];
    for (const d of datasets) {
      ids.push(...plan.add(stage, resolveChecked(layers(d.name), origin), [d]));
    }
    return ids;
  };
  const addRows = (ids: string[], row: RowLabel) => {
    for (const id of ids) labels.set(id, [...(labels.get(id) ?? []), row]);
  };
  const axes = req.sweep ?? [];
  const points = axes.length ? sweepPoints(axes) : [];
  const sweepLayer = (point: Record<string, unknown>): OverrideLayer => ({
    origin: `--sweep point ${pointLabel(point)}`,
    values: point,
  });
  const sweepX = (point: Record<string, unknown>) => {
    const v = point[axes[0]?.key];
    return axes.length === 1 && typeof v === "number" ? v : undefined;
  };
  for (const target of resolveTargets(req.targets, [...registry.stages.keys()])) {
    if (target.kind === "stage") {
      if (points.length) {
        for (const point of points) {
          const layer = sweepLayer(point);
          addRows(await addOver(target.stage, "videos", [layer], layer.origin), {
            experiment: SWEEP_TABLE,
            table: SWEEP_TABLE,
            label: pointLabel(point),
            x: sweepX(point),
          });
        }
        continue;
      }
      // A bare stage's metrics are kept under its own name (table = stage).
      addRows(await addOver(target.stage, "videos", [], "the command line"), {
        experiment: target.stage,
        table: target.stage,
        label: "",
      });
      continue;
    }
    const e = target.experiment;
    const runs = e.runs(req.profile);
    const manyLabels = new Set(runs.map((r) => r.label)).size > 1;
    for (const run of runs) {
      const runLayer = {
        origin: `experiment ${e.name}, run "${run.label}"`,
        values: run.overrides,
      };
      // With --sweep, every run of the experiment at every point, in the sweep's own table.
      for (const point of points.length ? points : [null]) {
        const after = point ? [runLayer, sweepLayer(point)] : [runLayer];
        const ids = await addOver(e.stage, e.datasets, after, after.at(-1)!.origin, run.datasets);
        addRows(
          ids,
          point
            ? {
              experiment: SWEEP_TABLE,
              table: SWEEP_TABLE,
              label: pointLabel(point) + (manyLabels ? ` · ${run.label}` : ""),
              x: sweepX(point),
              seed: run.seed,
            }
            : {
              experiment: e.name,
              table: e.table,
              label: run.label,
              x: run.x,
              seed: run.seed,
              figures: run.figures,
            },
        );
      }
    }
  }
  const missing = (req.datasets ?? []).filter((d) => !covered.has(d));
  if (missing.length) {
    const why: string[] = [];
    for (const name of missing) {
      why.push(
        await app.discovery.missing?.(name, req.dataRoot) ??
          `Dataset "${name}" not found under "${req.dataRoot}"`,
      );
    }
    throw new Error(
      `${why.join("\n")}\n(--datasets ${req.datasets!.join(",")}; the targets ${
        req.targets.join(", ")
      } cover here: ${[...covered].join(", ") || "nothing"})`,
    );
  }
  return { plan, labels, base };
}
