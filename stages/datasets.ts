/**
 * Which datasets a plan covers: the synthetic set (always; its sequence names come from the
 * preset without generating anything) and whatever real benchmark is found under the data root.
 * @module
 */
import { basename, join } from "node:path";
import type { Params, PlanDataset } from "../pipeline/mod.ts";
import { sha256 } from "../pipeline/mod.ts";
import { ALIASES, listDatasets, openDataset, READERS } from "../video/datasets.ts";
import { type PresetName, presetSpecs } from "../video/synthetic/mod.ts";
import { listHopkins } from "../cluster/hopkins155.ts";

/** Which datasets an experiment covers. */
export type DatasetSelector =
  | "synthetic" // the generated default data only
  | "videos" // synthetic + every video benchmark found under --data-root
  | "trajectories" // synthetic GT tracks + Hopkins155 when found
  | "flow" // synthetic + Sintel flow ground truth when found
  | "ablation"; // DAVIS-2016 when found under --data-root (where the paper ran its ablations), else synthetic

const VIDEO_BENCHMARKS = ["davis2016", "segtrackv2", "fbms59"];

/** The benchmark the paper's ablation tables use (selector `ablation`). */
export const ABLATION_DATASET = "davis2016";

/** Datasets made of video frames (the others are trajectories or flow pairs only). */
export function isVideoDataset(name: string | undefined): boolean {
  return name === "synthetic" || VIDEO_BENCHMARKS.includes(name ?? "");
}

/** The synthetic dataset's sequences for the params' preset. */
export function syntheticDataset(params: Params): PlanDataset {
  const specs = presetSpecs(params["data.preset"] as PresetName, {
    seed: params["data.seed"] as number,
  });
  return { name: "synthetic", sequences: specs.map((s) => s.name!) };
}

/** Every dataset name a plan can hold, and the layout each is found by (for error messages). */
export const DATASET_LAYOUTS: Record<string, string> = {
  synthetic: "generated; needs no data",
  davis2016: "davis2016/ (or DAVIS2016/, DAVIS/, davis/) holding JPEGImages/480p/<seq>/ and " +
    "Annotations/480p/<seq>/",
  segtrackv2: "segtrackv2/ (or SegTrackv2/, SegTrackV2/) holding JPEGImages/<seq>/ and " +
    "GroundTruth/<seq>/",
  fbms59: "fbms59/ (or FBMS59/, FBMS/, fbms/) holding Trainingset/<seq>/ or Testset/<seq>/",
  hopkins155: "hopkins155/<seq>/<seq>_truth.mat",
  sintel: "flow/sintel/<scene>/",
};

/** What a benchmark folder needs, relative to it; checked when the folder is there. */
const REQUIRED: Record<string, string[][]> = {
  davis2016: [["JPEGImages/480p"], ["Annotations/480p"]],
  segtrackv2: [["JPEGImages"], ["GroundTruth"]],
  fbms59: [["Trainingset", "Testset"]],
};

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/**
 * Folders under the data root named like a benchmark that its reader does not accept (a DAVIS
 * copy without `Annotations/`, an empty `hopkins155/`): each problem in words. Such a folder
 * would otherwise be skipped without a word.
 */
export async function dataRootProblems(dataRoot: string): Promise<string[]> {
  const problems: string[] = [];
  for (const name of VIDEO_BENCHMARKS) {
    const reader = READERS[name as keyof typeof READERS];
    for (const alias of ALIASES[name as keyof typeof ALIASES]) {
      const dir = join(dataRoot, alias);
      if (!(await Deno.stat(dir).then((s) => s.isDirectory, () => false))) continue;
      if (reader.detect(dir)) continue;
      const missing: string[] = [];
      for (const any of REQUIRED[name]) {
        let found = false;
        for (const sub of any) if (await exists(join(dir, sub))) found = true;
        if (!found) missing.push(any.map((x) => `${x}/`).join(" or "));
      }
      problems.push(
        `"${dir}" is not a ${name} layout: ${
          missing.length ? `missing ${missing.join(" and ")}` : "unexpected contents"
        } (expected ${DATASET_LAYOUTS[name]})`,
      );
    }
  }
  const hop = join(dataRoot, "hopkins155");
  if (await exists(hop) && !(await hopkins(dataRoot)).length) {
    problems.push(
      `"${hop}" holds no <seq>/<seq>_truth.mat (expected ${DATASET_LAYOUTS.hopkins155})`,
    );
  }
  const sin = join(dataRoot, "flow", "sintel");
  if (await exists(sin) && !(await sintel(dataRoot)).length) {
    problems.push(`"${sin}" holds no scene folders (expected ${DATASET_LAYOUTS.sintel})`);
  }
  return problems;
}

/**
 * Why a requested dataset is not in a plan, in words: an unknown name, one not found under the
 * data root (with the layout looked for), or one found there that the targets do not use.
 */
export async function missingDataset(name: string, dataRoot: string): Promise<string> {
  const layout = DATASET_LAYOUTS[name];
  if (!layout) {
    const known = Object.keys(DATASET_LAYOUTS);
    const near = known.find((k) => editDistance(k, name) <= 2);
    return `Unknown dataset "${name}" (known: ${known.join(", ")})` +
      (near ? `; did you mean "${near}"?` : "");
  }
  const found = name === "synthetic" ||
    (await listDatasets(dataRoot).catch(() => [])).some((d) => d.name === name) ||
    (name === "hopkins155" && (await hopkins(dataRoot)).length > 0) ||
    (name === "sintel" && (await sintel(dataRoot)).length > 0);
  if (found) return `Dataset "${name}" is under "${dataRoot}" but the targets do not use it`;
  return `Dataset "${name}" not found under "${dataRoot}": looked for ${layout}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

async function realVideoDatasets(dataRoot: string): Promise<PlanDataset[]> {
  let found;
  try {
    found = await listDatasets(dataRoot);
  } catch {
    return []; // no data root: synthetic only
  }
  return found
    .filter((d) => VIDEO_BENCHMARKS.includes(d.name))
    .map((d) => ({ name: d.name, sequences: d.sequences.map((s) => s.name) }));
}

async function hopkins(dataRoot: string): Promise<PlanDataset[]> {
  try {
    const seqs = await listHopkins(dataRoot);
    return seqs.length
      ? [{
        name: "hopkins155",
        sequences: seqs.map((p) => basename(p).replace(/_truth\.mat$/, "")),
      }]
      : [];
  } catch {
    return [];
  }
}

async function sintel(dataRoot: string): Promise<PlanDataset[]> {
  const dir = join(dataRoot, "flow", "sintel");
  try {
    const seqs: string[] = [];
    for await (const e of Deno.readDir(dir)) if (e.isDirectory) seqs.push(e.name);
    return seqs.length ? [{ name: "sintel", sequences: seqs.sort() }] : [];
  } catch {
    return [];
  }
}

/** Datasets an experiment's selector covers. */
export async function selectDatasets(
  selector: DatasetSelector,
  params: Params,
  dataRoot: string,
): Promise<PlanDataset[]> {
  const synth = syntheticDataset(params);
  if (selector !== "synthetic" && await exists(dataRoot)) {
    const problems = await dataRootProblems(dataRoot);
    if (problems.length) {
      throw new Error(
        `Cannot use the data root "${dataRoot}":\n  ${problems.join("\n  ")}\n` +
          "Fix or move the folder (lrtl list datasets shows what is found).",
      );
    }
  }
  switch (selector) {
    case "synthetic":
      return [synth];
    case "videos":
      return [synth, ...(await realVideoDatasets(dataRoot))];
    case "trajectories":
      return [synth, ...(await hopkins(dataRoot))];
    case "flow":
      return [synth, ...(await sintel(dataRoot))];
    case "ablation": {
      const davis = (await realVideoDatasets(dataRoot)).find((d) => d.name === ABLATION_DATASET);
      return [davis ?? synth];
    }
  }
}

/** A cheap fingerprint of a real sequence's files (names, sizes, mtimes). */
export async function datasetFingerprint(
  dataset: string,
  sequence: string,
  dataRoot: string,
): Promise<string> {
  const ds = openDataset(dataset, dataRoot);
  const parts: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else if (p.includes(sequence)) {
        const st = await Deno.stat(p);
        parts.push(`${p.slice(ds.path.length)}:${st.size}:${st.mtime?.getTime()}`);
      }
    }
  };
  await walk(ds.path);
  return sha256(parts.sort().join("\n"));
}

/** Lines for `lrtl list datasets`. */
export async function describeDatasets(dataRoot: string): Promise<string[]> {
  const lines = [`synthetic    (generated)  presets: smoke, default`];
  let found: Awaited<ReturnType<typeof listDatasets>> = [];
  try {
    found = await listDatasets(dataRoot);
  } catch (e) {
    lines.push(`(${(e as Error).message})`);
  }
  for (const d of found) {
    const frames = d.sequences.reduce((s, q) => s + q.frames, 0);
    lines.push(
      `${d.name.padEnd(12)} ${d.path}  ${d.sequences.length} sequences, ${frames} frames: ${
        d.sequences.map((s) => s.name).join(", ")
      }`,
    );
  }
  for (const h of await hopkins(dataRoot)) {
    lines.push(`hopkins155   ${join(dataRoot, "hopkins155")}  ${h.sequences.length} sequences`);
  }
  for (const s of await sintel(dataRoot)) {
    lines.push(
      `sintel       ${join(dataRoot, "flow", "sintel")}  ${s.sequences.length} flow pairs`,
    );
  }
  return lines;
}
