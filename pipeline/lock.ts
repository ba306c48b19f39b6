/**
 * An exclusive lock on a cache directory (or a work folder), held by one process at a time.
 *
 * The lock is a file holding JSON ({@linkcode LockInfo}), created with its content in one step
 * (written to a temporary file, then hard-linked into place, which fails when the lock exists:
 * atomic on local filesystems and NFS). While held, a heartbeat in a worker thread (one per
 * process) touches the file's mtime every `leaseMs / 6`, so a stage that blocks the main thread
 * keeps its lock.
 *
 * A lock is stale, and taken over with a message, when
 * - its holder is on this host and its process is gone, or the pid now belongs to another
 *   process (the process start time differs from the one recorded);
 * - its heartbeat stopped: the mtime is older than `leaseMs`, or did not change while this
 *   process watched it for `leaseMs` (a holder on another host, a crashed one whose pid was
 *   reused, or an empty or unreadable lock file such as a full disk leaves).
 * @module
 */
import { hostname } from "node:os";
import { dirname } from "node:path";

/** What is recorded in a lock file. */
export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  since: string;
  /** Start time of the holder's process (clock ticks since boot, `/proc/<pid>/stat`). */
  procStart?: string;
  /** Unique per acquisition. */
  token?: string;
}

/** Default lease: a lock whose heartbeat stopped this long ago is stale. */
export const LOCK_LEASE_MS = 60_000;

/** Start time of process `pid` on this host, or `null` when it is gone (or not Linux). */
export function processStart(pid: number): string | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the process a lock (or run) names is alive: `false` when it is gone or its pid now
 * belongs to a younger process, `null` when this host cannot tell (another host, no `/proc`, a
 * record without a process start time).
 */
export function holderAlive(
  info: { pid: number; host: string; procStart?: string | null },
): boolean | null {
  if (info.host !== hostname()) return null;
  try {
    Deno.statSync("/proc/self");
  } catch {
    return null; // no procfs
  }
  const start = processStart(info.pid);
  if (start === null) return false;
  if (!info.procStart) return null;
  return info.procStart === start;
}

/** A held lock; release it with `release()` or `using`. */
export interface Lock {
  readonly path: string;
  release(): void;
  [Symbol.dispose](): void;
}

/** Options of {@linkcode acquireLock}. */
export interface LockOptions {
  /** What the holder is doing (recorded, shown to waiters). */
  command: string;
  /** Give up after this long (default: wait as long as the holder is alive). */
  timeoutMs?: number;
  /** Called once when the lock is held by someone else, with a sentence naming the lock file. */
  onWait?: (message: string, holder: LockInfo | null) => void;
  /** Called when a stale lock is taken over, with a sentence saying why. */
  onStale?: (message: string) => void;
  /** Lease of the heartbeat (default {@linkcode LOCK_LEASE_MS}). */
  leaseMs?: number;
}

type Seen = { holder: LockInfo | null; raw: string; mtime: number };

function look(path: string): Seen | null {
  let st: Deno.FileInfo;
  let raw: string;
  try {
    st = Deno.statSync(path);
    raw = Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    return { holder: null, raw: `unreadable: ${(e as Error).message}`, mtime: 0 };
  }
  let holder: LockInfo | null = null;
  try {
    const j = JSON.parse(raw);
    if (j && typeof j.pid === "number" && typeof j.host === "string") holder = j;
  } catch {
    // empty or damaged
  }
  return { holder, raw, mtime: st.mtime?.getTime() ?? 0 };
}

function describe(path: string, s: Seen): string {
  if (!s.holder) {
    return `lock file ${path} is ${s.raw.trim() === "" ? "empty" : "unreadable"}` +
      " (a full disk or a crash leaves this)";
  }
  const h = s.holder;
  return `lock file ${path} is held by pid ${h.pid} on ${h.host} ("${h.command}", since ${h.since})`;
}

/** The process's heartbeat thread, shared by its locks; stopped when it holds none. */
let heartbeat: { worker: Worker; acks: Map<string, () => void>; locks: number } | null = null;

async function startHeartbeat(path: string, token: string, everyMs: number): Promise<void> {
  if (!heartbeat) {
    const worker = new Worker(new URL("./_lock_heartbeat.ts", import.meta.url).href, {
      type: "module",
    });
    const hb = { worker, acks: new Map<string, () => void>(), locks: 0 };
    worker.onmessage = (e: MessageEvent<string>) => hb.acks.get(e.data)?.();
    worker.onerror = (e) => {
      e.preventDefault();
      for (const ack of hb.acks.values()) ack();
    };
    heartbeat = hb;
  }
  const hb = heartbeat;
  hb.locks++;
  // Wait for the first beat: until then a waiter could see the lease run out.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    hb.acks.set(token, () => {
      clearTimeout(timer);
      hb.acks.delete(token);
      resolve();
    });
    hb.worker.postMessage({ op: "add", path, token, everyMs });
  });
}

function stopHeartbeat(token: string): void {
  if (!heartbeat) return;
  heartbeat.worker.postMessage({ op: "remove", token });
  if (--heartbeat.locks === 0) {
    heartbeat.worker.terminate();
    heartbeat = null;
  }
}

/**
 * Acquires `path` (a file) exclusively. While another live process holds it, calls `onWait`
 * once and polls; takes over a stale lock (see the module doc); after `timeoutMs` throws an
 * error naming the lock file and its holder.
 */
export async function acquireLock(path: string, opts: LockOptions): Promise<Lock> {
  const lease = opts.leaseMs ?? LOCK_LEASE_MS;
  const token = crypto.randomUUID();
  const info: LockInfo = {
    pid: Deno.pid,
    host: hostname(),
    command: opts.command,
    since: new Date().toISOString(),
    procStart: processStart(Deno.pid) ?? undefined,
    token,
  };
  await Deno.mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + (opts.timeoutMs ?? Infinity);
  let told = false;
  // What this process saw of the current lock file, and since when (for the lease rule).
  let watched: { raw: string; mtime: number; since: number } | null = null;
  const tmp = `${path}.${Deno.pid}.${token.slice(0, 8)}.tmp`;
  try {
    Deno.writeTextFileSync(tmp, JSON.stringify(info));
  } catch (e) {
    throw new Error(`Cannot write lock file ${tmp}: ${(e as Error).message}`);
  }
  try {
    while (true) {
      try {
        Deno.linkSync(tmp, path);
        break;
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) {
          throw new Error(`Cannot create lock file ${path}: ${(e as Error).message}`);
        }
      }
      const seen = look(path);
      if (!seen) continue; // released meanwhile
      const now = Date.now();
      if (!watched || watched.raw !== seen.raw || watched.mtime !== seen.mtime) {
        watched = { raw: seen.raw, mtime: seen.mtime, since: now };
      }
      let stale: string | null = null;
      const alive = seen.holder ? holderAlive(seen.holder) : null;
      if (alive === false) stale = "its process is gone or its pid was reused";
      else if (alive === null && seen.mtime > 0 && now - seen.mtime > lease) {
        stale = `its heartbeat stopped ${Math.round((now - seen.mtime) / 1000)} s ago`;
      } else if (alive === null && now - watched.since > lease) {
        stale = `it did not change for ${Math.round(lease / 1000)} s`;
      }
      if (stale) {
        // Remove it unless it changed since we looked (someone else took it over first).
        const again = look(path);
        if (again && again.raw === seen.raw && again.mtime === seen.mtime) {
          try {
            Deno.removeSync(path);
          } catch { /* someone else removed it */ }
          opts.onStale?.(`Taking over a stale lock: ${describe(path, seen)}; ${stale}.`);
        }
        watched = null;
        continue;
      }
      if (!told) {
        const wait = alive === null
          ? ` (taken over if its heartbeat stops for ${Math.round(lease / 1000)} s)`
          : "";
        opts.onWait?.(`Waiting: ${describe(path, seen)}${wait}…`, seen.holder);
        told = true;
      }
      if (Date.now() > deadline) throw new Error(`Cannot take the lock: ${describe(path, seen)}`);
      await new Promise((r) => setTimeout(r, Math.min(200, lease / 4)));
    }
  } finally {
    try {
      Deno.removeSync(tmp);
    } catch { /* gone */ }
  }
  await startHeartbeat(path, token, Math.max(10, Math.floor(lease / 6)));
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    stopHeartbeat(token);
    const s = look(path);
    if (s?.holder?.token !== token) return; // taken over (we were considered dead)
    try {
      Deno.removeSync(path);
    } catch {
      // already gone
    }
  };
  return { path, release, [Symbol.dispose]: release };
}
