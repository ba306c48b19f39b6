/**
 * Which datasets a plan covers: the synthetic set (always; its sequence names come from the
 * preset without generating anything) and whatever real benchmark is found under the data root.
 * @module
 */
import { basename, join } from "node:path";
import type { Params, PlanDataset } from "../pipeline/mod.ts";
import { sha256 } from "../pipeline/mod.ts";
import { listDatasets, openDataset } from "../video/datasets.ts";
import { type PresetName, presetSpecs } from "../video/synthetic/mod.ts";
import { listHopkins } from "../cluster/hopkins155.ts";

/** Which datasets an experiment covers. */
export type DatasetSelector =
  | "synthetic" // the generated default data only
  | "videos" // synthetic + every video benchmark found under --data-root
  | "trajectories" // synthetic GT tracks + Hopkins155 when found
  | "flow"; // synthetic + Sintel flow ground truth when found

const VIDEO_BENCHMARKS = ["davis2016", "segtrackv2", "fbms59"];

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
  switch (selector) {
    case "synthetic":
      return [synth];
    case "videos":
      return [synth, ...(await realVideoDatasets(dataRoot))];
    case "trajectories":
      return [synth, ...(await hopkins(dataRoot))];
    case "flow":
      return [synth, ...(await sintel(dataRoot))];
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
