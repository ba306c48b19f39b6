/**
 * The content-addressed artifact cache.
 *
 * Layout under the cache root:
 * - `objects/<k0k1>/<key>/`: one finished artifact per cache key, with `.manifest.json`
 *   (every file's size, mtime and SHA-256). Only complete artifacts ever appear here: a stage
 *   writes into `tmp/<key>.<pid>.<n>.incomplete/`, which is renamed into place when it
 *   succeeds. A killed run leaves only an `.incomplete` folder, which nothing reads.
 * - `state/<hash of instance id>.json`: the last successful record of each stage instance
 *   (its key, code hash, params and input hashes), used to explain staleness.
 * - `work/<key>/`: scratch space that survives a kill (training checkpoints).
 * - `lock`: held by the process running a pipeline.
 *
 * Reads verify files against the manifest: a file whose size or mtime changed is re-hashed,
 * and a mismatch marks the artifact corrupted (it is then rebuilt, never used). A change that
 * keeps both (same-size damage, mtime restored) is only found by a full re-hash,
 * {@linkcode Cache.verifyDeep} (`lrtl verify`).
 * @module
 */
import { join, relative } from "node:path";
import { canonicalJson, sha256, sha256File } from "./hash.ts";

export const MANIFEST = ".manifest.json";

interface ManifestFile {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

interface Manifest {
  key: string;
  files: ManifestFile[];
}

/** Result of checking an artifact. */
export type ArtifactCheck =
  | { ok: true; hash: string; dir: string }
  | { ok: false; problem: "missing" | "corrupted"; detail: string };

/** The last successful record of a stage instance. */
export interface InstanceRecord {
  id: string;
  stage: string;
  key: string;
  code: string;
  /** Hash of the code the stage uses in each file (see `stageCode`); absent in old records. */
  codeFiles?: Record<string, string>;
  params: Record<string, unknown>;
  inputs: Record<string, string>;
  env: Record<string, string>;
  hash: string;
  finished: string;
}

/** Writes `data` to `path` atomically (temp file + rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  if (typeof data === "string") await Deno.writeTextFile(tmp, data);
  else await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else if (e.isFile) yield p;
  }
}

/** The artifact's content hash: depends on file paths and contents only. */
function manifestHash(files: readonly ManifestFile[]): string {
  return sha256(canonicalJson(files.map((f) => [f.path, f.size, f.sha256])));
}

/** A staged artifact being written. */
export interface PendingArtifact {
  /** Where the stage writes. */
  dir: string;
  /** Hashes the files, writes the manifest and moves the artifact into place; returns its hash. */
  commit(): Promise<string>;
  /** Removes the staged files. */
  abort(): Promise<void>;
}

/** A cache directory. */
export class Cache {
  constructor(readonly root: string) {}

  objectDir(key: string): string {
    return join(this.root, "objects", key.slice(0, 2), key);
  }

  workDir(key: string): string {
    return join(this.root, "work", key);
  }

  get lockPath(): string {
    return join(this.root, "lock");
  }

  async init(): Promise<void> {
    for (const d of ["objects", "tmp", "state", "work"]) {
      await Deno.mkdir(join(this.root, d), { recursive: true });
    }
  }

  /** Verifies the artifact of `key` (cheap when nothing changed: a stat per file). */
  async check(key: string): Promise<ArtifactCheck> {
    const dir = this.objectDir(key);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await Deno.readTextFile(join(dir, MANIFEST)));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        return { ok: false, problem: "missing", detail: "output missing" };
      }
      return { ok: false, problem: "corrupted", detail: `manifest unreadable in ${dir}` };
    }
    for (const f of manifest.files) {
      const p = join(dir, f.path);
      let st: Deno.FileInfo;
      try {
        st = await Deno.stat(p);
      } catch {
        return { ok: false, problem: "corrupted", detail: `file ${f.path} missing from ${dir}` };
      }
      if (st.size !== f.size) {
        return { ok: false, problem: "corrupted", detail: `file ${f.path} changed size in ${dir}` };
      }
      if (st.mtime?.getTime() !== f.mtimeMs && (await sha256File(p)) !== f.sha256) {
        return {
          ok: false,
          problem: "corrupted",
          detail: `file ${f.path} hash mismatch in ${dir}`,
        };
      }
    }
    return { ok: true, hash: manifestHash(manifest.files), dir };
  }

  /** Re-hashes every file of an artifact (slow; `lrtl verify`). */
  async verifyDeep(key: string): Promise<ArtifactCheck> {
    const c = await this.check(key);
    if (!c.ok) return c;
    const manifest: Manifest = JSON.parse(await Deno.readTextFile(join(c.dir, MANIFEST)));
    for (const f of manifest.files) {
      if ((await sha256File(join(c.dir, f.path))) !== f.sha256) {
        return {
          ok: false,
          problem: "corrupted",
          detail: `file ${f.path} hash mismatch in ${c.dir}`,
        };
      }
    }
    return c;
  }

  /** Removes a (corrupted) artifact so it can be rebuilt. */
  async evict(key: string): Promise<void> {
    const dir = this.objectDir(key);
    const trash = join(this.root, "tmp", `${key}.${Deno.pid}.evicted`);
    try {
      await Deno.rename(dir, trash);
      await Deno.remove(trash, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  /** Starts writing the artifact of `key` into a fresh `.incomplete` folder. */
  async begin(key: string): Promise<PendingArtifact> {
    const dir = join(
      this.root,
      "tmp",
      `${key}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.incomplete`,
    );
    await Deno.mkdir(dir, { recursive: true });
    const abort = () => Deno.remove(dir, { recursive: true }).catch(() => {});
    const commit = async () => {
      const files: ManifestFile[] = [];
      for await (const p of walk(dir)) {
        const rel = relative(dir, p);
        if (rel === MANIFEST) continue;
        const st = await Deno.stat(p);
        files.push({
          path: rel,
          size: st.size,
          mtimeMs: st.mtime!.getTime(),
          sha256: await sha256File(p),
        });
      }
      files.sort((a, b) => (a.path < b.path ? -1 : 1));
      await Deno.writeTextFile(join(dir, MANIFEST), JSON.stringify({ key, files }, null, 1));
      const target = this.objectDir(key);
      await Deno.mkdir(join(target, ".."), { recursive: true });
      try {
        await Deno.rename(dir, target);
      } catch (e) {
        // Another process finished the same key first: keep theirs if it is sound.
        const other = await this.check(key);
        await abort();
        if (other.ok) return other.hash;
        throw e;
      }
      return manifestHash(files);
    };
    return { dir, commit, abort };
  }

  private statePath(id: string): string {
    return join(this.root, "state", `${sha256(id).slice(0, 32)}.json`);
  }

  async readRecord(id: string): Promise<InstanceRecord | null> {
    try {
      return JSON.parse(await Deno.readTextFile(this.statePath(id)));
    } catch {
      return null;
    }
  }

  async writeRecord(rec: InstanceRecord): Promise<void> {
    await writeFileAtomic(this.statePath(rec.id), JSON.stringify(rec, null, 1));
  }

  /** Every instance record. */
  async records(): Promise<InstanceRecord[]> {
    const out: InstanceRecord[] = [];
    try {
      for await (const e of Deno.readDir(join(this.root, "state"))) {
        if (!e.name.endsWith(".json")) continue;
        try {
          out.push(JSON.parse(await Deno.readTextFile(join(this.root, "state", e.name))));
        } catch {
          // a half-written record cannot exist (atomic writes); ignore foreign files
        }
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return out;
  }

  /**
   * Removes artifacts no instance record points to and stale `.incomplete` folders (call it
   * with the cache lock held). Work folders (checkpoints of unfinished stages) are kept so an
   * interrupted training can still resume. Returns what was removed.
   */
  async gc(): Promise<{ removed: string[]; kept: number }> {
    const live = new Set((await this.records()).map((r) => r.key));
    const removed: string[] = [];
    const objects = join(this.root, "objects");
    for (const shard of await listDir(objects)) {
      for (const name of await listDir(join(objects, shard))) {
        if (live.has(name)) continue;
        await Deno.remove(join(objects, shard, name), { recursive: true });
        removed.push(name);
      }
    }
    for (const name of await listDir(join(this.root, "tmp"))) {
      await Deno.remove(join(this.root, "tmp", name), { recursive: true });
      removed.push(`tmp/${name}`);
    }
    return { removed, kept: live.size };
  }
}

async function listDir(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}
