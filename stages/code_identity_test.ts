/**
 * Which stages an edit re-runs: each stage's code identity (`stageCode`) is computed from the
 * real sources, then again with one file edited in memory; nothing is trained or written.
 */
import { assert, assertEquals } from "../tests/_assert.ts";
import { fileURLToPath } from "node:url";
import { stageCode } from "../pipeline/mod.ts";
import { STAGES } from "./mod.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Stage name → code hash, with `file`'s text edited by `edit` (relative to the project). */
async function identities(file?: string, edit?: (text: string) => string) {
  const target = file ? ROOT + file : "";
  let applied = false;
  const read = async (path: string) => {
    const text = await Deno.readTextFile(path);
    if (path !== target || !edit) return text;
    const out = edit(text);
    if (out === text) throw new Error(`The edit of ${file} changed nothing`);
    applied = true;
    return out;
  };
  const out = new Map<string, string>();
  for (const s of STAGES) out.set(s.name, (await stageCode(s, { read })).hash);
  return { hashes: out, applied };
}

/** Inserts a comment into the declaration that starts with `head` (a code edit there). */
const inside = (head: string) => (text: string) => {
  if (!text.includes(head)) throw new Error(`"${head}" not found`);
  return text.replace(head, `${head} /* edited */`);
};

const before = (await identities()).hashes;

/** The stages whose identity an edit changes (`unread`: whether no stage even reads the file). */
async function rerun(
  file: string,
  edit: (text: string) => string,
  opts: { unread?: boolean } = {},
): Promise<string[]> {
  const { hashes, applied } = await identities(file, edit);
  assertEquals(!applied, opts.unread ?? false, `${file} read by a stage's identity`);
  return STAGES.map((s) => s.name).filter((n) => before.get(n) !== hashes.get(n));
}

Deno.test("code identity: evaluation-only code leaves train cached", async () => {
  assertEquals(await rerun("eval/merge.ts", inside("export function foregroundFromGroups(")), [
    "evaluate",
  ]);
  assertEquals(await rerun("eval/overlay.ts", inside("export function imageGrid(")), [
    "motion_floor",
    "evaluate",
  ]);
  assertEquals(await rerun("stages/_grid.ts", inside("export const GRID_ROWS")), [
    "motion_floor",
    "evaluate",
  ]);
});

Deno.test("code identity: the merge train's val-J curve runs does invalidate train", async () => {
  assertEquals(await rerun("eval/merge.ts", inside("export function mergeByMotion(")), [
    "train",
    "evaluate",
  ]);
});

Deno.test("code identity: the loss code invalidates train and only what it feeds", async () => {
  assertEquals(await rerun("learn/losses/flow.ts", inside("export function flowLoss(")), [
    "train",
  ]);
});

Deno.test("code identity: the C++ behind a native binding invalidates the stages that load it", async () => {
  const ltUsers = await rerun("native/lt_shim.cpp", (t) => `${t}// edited\n`);
  assert(ltUsers.includes("train"), `lt_shim.cpp: ${ltUsers}`);
  for (const s of ["frames", "flow", "tracks", "evaluate"]) {
    assert(!ltUsers.includes(s), `lt_shim.cpp re-runs ${s}: ${ltUsers}`);
  }
  const flowUsers = await rerun("native/flow_shim.cpp", (t) => `${t}// edited\n`);
  assert(flowUsers.includes("flow"), `flow_shim.cpp: ${flowUsers}`);
  for (const s of ["frames", "train", "evaluate"]) {
    assert(!flowUsers.includes(s), `flow_shim.cpp re-runs ${s}: ${flowUsers}`);
  }
});

Deno.test("code identity: the Hopkins reader leaves frames, flow and tracks cached", async () => {
  // Only the trajectory stages (cluster, and feasibility beside it in stages/trajectories.ts,
  // which reaches cluster/mod.ts) see the Hopkins reader; the video stages never do.
  const video = ["frames", "flow", "tracks", "train", "evaluate"];
  for (const fn of ["listHopkins", "loadHopkins"]) {
    const changed = await rerun("cluster/hopkins155.ts", inside(`export async function ${fn}(`));
    assert(changed.includes("cluster"), `${fn}: ${changed}`);
    assertEquals(changed.filter((s) => video.includes(s)), [], `${fn}: ${changed}`);
  }
});

Deno.test("code identity: another stage of the same module is not part of it", async () => {
  const synth = await rerun(
    "stages/data.ts",
    inside("export const synthesize = defineStage<PipelineParams>({"),
  );
  assertEquals(synth, ["synthesize"]);
  assertEquals(
    await rerun("stages/motion.ts", inside("export const tracks = defineStage<PipelineParams>({")),
    [
      "tracks",
    ],
  );
});

Deno.test("code identity: types and top-level comments are not part of it", async () => {
  // Imported only with `import type` / `{ type X }`: not even read.
  const types = inside("export interface RgbImage {");
  assertEquals(await rerun("video/types.ts", types, { unread: true }), []);
  // An interface next to code that is used.
  assertEquals(await rerun("eval/merge.ts", inside("export interface MaskStack {")), []);
  assertEquals(await rerun("eval/merge.ts", (t) => t.replace("/**", "/** Edited.\n *")), []);
});
