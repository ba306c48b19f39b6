/**
 * Training checkpoints: weights, optimiser state, config, step, RNG state and the weights'
 * moving average when training keeps one, written
 * atomically (temporary file + rename) so a killed run always leaves the last complete one.
 *
 * Layout of a checkpoint directory: `checkpoint.json` (metadata and an index of the arrays)
 * and `state-<step>.bin` (all float32 arrays back to back). The JSON is renamed into place last,
 * so it only ever points at a complete binary file; older binaries are removed afterwards. The
 * JSON carries the SHA-256 of the binary: a damaged checkpoint (a same-size corruption included)
 * is refused with a {@linkcode CheckpointError}, never resumed.
 * @module
 */
import type { NamedArray } from "../net/types.ts";
import type { AdamWState } from "./adamw.ts";

/** Everything needed to resume training exactly. */
export interface Checkpoint<C = unknown> {
  weights: NamedArray[];
  optimizerState: AdamWState;
  config: C;
  step: number;
  rngState: number;
  /** The moving average of the weights (`train.ema`), when training keeps one. */
  average?: NamedArray[];
}

interface ArrayIndex {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

interface Manifest {
  format: "lrtl-checkpoint";
  version: 2;
  /** SHA-256 (hex) of `file`. */
  sha256: string;
  step: number;
  rngState: number;
  config: unknown;
  optimizerStep: number;
  file: string;
  weights: ArrayIndex[];
  moments: ArrayIndex[];
  average?: ArrayIndex[];
}

const MANIFEST = "checkpoint.json";

/** A checkpoint that cannot be resumed: unreadable, truncated or failing its checksum. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

/** Save a checkpoint into `dir` (created if needed), replacing the previous one atomically. */
export async function saveCheckpoint<C>(dir: string, ckpt: Checkpoint<C>): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const all = [...ckpt.weights, ...ckpt.optimizerState.moments, ...(ckpt.average ?? [])];
  const total = all.reduce((s, a) => s + a.data.length, 0);
  const buf = new Float32Array(total);
  let off = 0;
  const index = (arrs: NamedArray[]): ArrayIndex[] =>
    arrs.map((a) => {
      buf.set(a.data, off);
      const e = { name: a.name, shape: a.shape, offset: off, length: a.data.length };
      off += a.data.length;
      return e;
    });
  const weights = index(ckpt.weights);
  const moments = index(ckpt.optimizerState.moments);
  const average = ckpt.average && index(ckpt.average);
  const file = `state-${String(ckpt.step).padStart(8, "0")}.bin`;
  const bytes = new Uint8Array(buf.buffer);
  await writeAtomic(`${dir}/${file}`, bytes);
  const manifest: Manifest = {
    format: "lrtl-checkpoint",
    version: 2,
    sha256: await sha256Hex(bytes),
    step: ckpt.step,
    rngState: ckpt.rngState,
    config: ckpt.config,
    optimizerStep: ckpt.optimizerState.step,
    file,
    weights,
    moments,
    ...(average ? { average } : {}),
  };
  await writeAtomic(`${dir}/${MANIFEST}`, new TextEncoder().encode(JSON.stringify(manifest)));
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && /^state-\d+\.bin$/.test(e.name) && e.name !== file) {
      await Deno.remove(`${dir}/${e.name}`).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
    }
  }
}

/**
 * Load the checkpoint in `dir`, or `null` when the directory holds none.
 * @throws CheckpointError when it is damaged (the caller may discard it and start afresh)
 */
export async function loadCheckpoint<C = unknown>(dir: string): Promise<Checkpoint<C> | null> {
  const path = `${dir}/${MANIFEST}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  let m: Manifest;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(
      `Cannot read checkpoint "${path}": invalid JSON (${(err as Error).message})`,
    );
  }
  if (m?.format !== "lrtl-checkpoint" || m.version !== 2 || typeof m.sha256 !== "string") {
    throw new CheckpointError(
      `Cannot read checkpoint "${path}": not an lrtl checkpoint with a checksum (version 2)`,
    );
  }
  const binPath = `${dir}/${m.file}`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(binPath);
  } catch (err) {
    throw new CheckpointError(`Cannot read checkpoint "${binPath}": ${(err as Error).message}`);
  }
  if ((await sha256Hex(bytes)) !== m.sha256) {
    throw new CheckpointError(
      `Cannot read checkpoint "${binPath}": checksum mismatch (the file is damaged)`,
    );
  }
  const buf = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  const read = (idx: ArrayIndex[]): NamedArray[] =>
    idx.map((e) => {
      if (e.offset + e.length > buf.length) {
        throw new CheckpointError(
          `Cannot read checkpoint "${binPath}": array "${e.name}" is truncated`,
        );
      }
      return { name: e.name, shape: e.shape, data: buf.slice(e.offset, e.offset + e.length) };
    });
  return {
    weights: read(m.weights),
    optimizerState: { step: m.optimizerStep, moments: read(m.moments) },
    config: m.config as C,
    step: m.step,
    rngState: m.rngState,
    ...(m.average ? { average: read(m.average) } : {}),
  };
}

/**
 * The step of the checkpoint in `dir` after a full check (checksum included): `{ step }`,
 * `null` when there is none, or `{ problem }` saying why it cannot be resumed.
 */
export async function inspectCheckpoint(
  dir: string,
): Promise<{ step: number } | { problem: string } | null> {
  try {
    const ck = await loadCheckpoint(dir);
    return ck ? { step: ck.step } : null;
  } catch (err) {
    if (err instanceof CheckpointError) return { problem: err.message };
    throw err;
  }
}
