/**
 * An exclusive lock on a cache directory, held by one process at a time. A lock whose
 * holder is gone (crashed, killed) is taken over. The waiter says who holds it.
 * @module
 */
import { hostname } from "node:os";

/** What is recorded in a lock file. */
export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  since: string;
}

function alive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // cannot tell; assume held
  try {
    Deno.statSync(`/proc/${info.pid}`);
    return true;
  } catch {
    return false;
  }
}

async function readLock(path: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as LockInfo;
  } catch {
    return null;
  }
}

/** A held lock; release it with `release()` or `using`. */
export interface Lock {
  release(): void;
  [Symbol.dispose](): void;
}

/**
 * Acquires `path` (a file) exclusively. While another live process holds it, calls `onWait`
 * once with the holder and polls; after `timeoutMs` throws an error naming the holder.
 */
export async function acquireLock(
  path: string,
  opts: { command: string; timeoutMs?: number; onWait?: (holder: LockInfo) => void },
): Promise<Lock> {
  const info: LockInfo = {
    pid: Deno.pid,
    host: hostname(),
    command: opts.command,
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + (opts.timeoutMs ?? Infinity);
  let told = false;
  while (true) {
    try {
      const f = Deno.openSync(path, { write: true, createNew: true });
      f.writeSync(new TextEncoder().encode(JSON.stringify(info)));
      f.close();
      break;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      const holder = await readLock(path);
      if (holder && !alive(holder)) {
        // Stale: its process is gone. Remove it unless someone else already replaced it.
        const again = await readLock(path);
        if (again && again.pid === holder.pid) await Deno.remove(path).catch(() => {});
        continue;
      }
      if (holder && !told) {
        opts.onWait?.(holder);
        told = true;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Cache is locked by pid ${holder?.pid} on ${holder?.host} ("${holder?.command}", since ${holder?.since}); lock file ${path}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    try {
      Deno.removeSync(path);
    } catch {
      // already gone
    }
  };
  return { release, [Symbol.dispose]: release };
}
