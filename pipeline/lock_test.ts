import { hostname } from "node:os";
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { acquireLock } from "./lock.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-lock-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const old = new Date(Date.now() - 3600_000);

Deno.test("lock: an empty lock file (full disk) is taken over with a message naming it", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    // Left long ago: taken over at once.
    await Deno.writeTextFile(path, "");
    await Deno.utime(path, old, old);
    const stale: string[] = [];
    const lock = await acquireLock(path, {
      command: "t",
      timeoutMs: 5000,
      onStale: (m) => stale.push(m),
    });
    assert(stale[0]?.includes(`lock file ${path} is empty`), stale.join("\n"));
    lock.release();
    // Just written (another process may be about to fill it): taken over once it stays
    // unchanged for the lease, and the waiter is told which file it waits for.
    await Deno.writeTextFile(path, "");
    const waits: string[] = [];
    const t0 = Date.now();
    using _again = await acquireLock(path, {
      command: "t",
      timeoutMs: 10_000,
      leaseMs: 400,
      onWait: (m) => waits.push(m),
    });
    assert(Date.now() - t0 >= 350, "waited for the lease");
    assert(waits[0]?.includes(`lock file ${path} is empty`), waits.join("\n"));
  });
});

Deno.test("lock: a lock naming a reused live pid, or a dead holder on another host, is stale", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    // Our own (live) pid, but with another process start time: the pid was reused.
    await Deno.writeTextFile(
      path,
      JSON.stringify({ pid: Deno.pid, host: hostname(), command: "x", since: "", procStart: "1" }),
    );
    const stale: string[] = [];
    const a = await acquireLock(path, {
      command: "t",
      timeoutMs: 2000,
      onStale: (m) => stale.push(m),
    });
    assert(/pid was reused/.test(stale[0] ?? ""), stale.join("\n"));
    a.release();
    // Another host, heartbeat stopped an hour ago.
    await Deno.writeTextFile(
      path,
      JSON.stringify({ pid: 1, host: "elsewhere", command: "x", since: "" }),
    );
    await Deno.utime(path, old, old);
    using _b = await acquireLock(path, {
      command: "t",
      timeoutMs: 2000,
      onStale: (m) => stale.push(m),
    });
    assert(/heartbeat stopped/.test(stale[1] ?? ""), stale.join("\n"));
  });
});

Deno.test("lock: a live holder's heartbeat keeps its lock; the timeout names the lock file", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    const held = await acquireLock(path, { command: "holder", leaseMs: 300 });
    // Pretend the holder is on another host: only its heartbeat tells it is alive.
    const info = JSON.parse(await Deno.readTextFile(path));
    await Deno.writeTextFile(path, JSON.stringify({ ...info, host: "elsewhere" }));
    await assertRejects(
      () => acquireLock(path, { command: "waiter", timeoutMs: 1500, leaseMs: 300 }),
      `Cannot take the lock: lock file ${path} is held by pid ${Deno.pid} on elsewhere ("holder"`,
    );
    held.release();
    assertEquals(await Deno.stat(path).then(() => true, () => false), false, "released");
  });
});
