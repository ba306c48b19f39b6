/**
 * The heartbeat of a held lock, run in a worker thread so that a main thread busy with a long
 * computation still keeps its lock: touches the lock file's mtime every `everyMs` while the file
 * still holds this holder's token. Started and terminated by `acquireLock` (`lock.ts`).
 * @module
 */
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<{ path: string; token: string; everyMs: number }>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (e) => {
  const { path, token, everyMs } = e.data;
  const beat = () => {
    try {
      if (!Deno.readTextFileSync(path).includes(token)) return; // taken over
      const now = new Date();
      Deno.utimeSync(path, now, now);
    } catch {
      // gone or unwritable: a waiter will see the heartbeat stop
    }
  };
  beat();
  scope.postMessage("started");
  setInterval(beat, everyMs);
};
