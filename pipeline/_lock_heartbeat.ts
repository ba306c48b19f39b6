/**
 * The heartbeat of held locks, run in one worker thread per process so that a main thread busy
 * with a long computation still keeps its locks: touches each lock file's mtime every `everyMs`
 * while the file still holds its holder's token. Driven by `acquireLock` (`lock.ts`): `add`
 * starts a lock's beat (answered with its token after the first beat), `remove` stops it.
 * @module
 */
type Message =
  | { op: "add"; path: string; token: string; everyMs: number }
  | { op: "remove"; token: string };

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Message>) => void) | null;
  postMessage(message: unknown): void;
};

const timers = new Map<string, ReturnType<typeof setInterval>>();

scope.onmessage = (e) => {
  const m = e.data;
  if (m.op === "remove") {
    clearInterval(timers.get(m.token));
    timers.delete(m.token);
    return;
  }
  const beat = () => {
    try {
      if (!Deno.readTextFileSync(m.path).includes(m.token)) return; // taken over
      const now = new Date();
      Deno.utimeSync(m.path, now, now);
    } catch {
      // gone or unwritable: a waiter will see the heartbeat stop
    }
  };
  beat();
  timers.set(m.token, setInterval(beat, m.everyMs));
  scope.postMessage(m.token);
};
