/**
 * Helpers of the end-to-end tests that drive the CLI as a subprocess.
 * @module
 */
import { join } from "node:path";

/** The CLI's entry module. */
export const LRTL_MAIN = new URL("../cli/main.ts", import.meta.url).pathname;

/**
 * `deno` arguments of a smoke-profile training on the synthetic data, `steps` long with a
 * checkpoint every 3 (the default 400 is long enough to be stopped while it trains). `where` is a
 * folder (cache `c` and DB `r.duckdb` inside it) or the two paths.
 */
export function smokeTrainArgs(
  where: string | { cache: string; db: string },
  extra: string[] = [],
  steps = 400,
): string[] {
  const { cache, db } = typeof where === "string"
    ? { cache: join(where, "c"), db: join(where, "r.duckdb") }
    : where;
  return [
    "run",
    "-A",
    LRTL_MAIN,
    "run",
    "train",
    "--profile",
    "smoke",
    "--datasets",
    "synthetic",
    "--cache-dir",
    cache,
    "--db",
    db,
    "--set",
    `train.steps=${steps}`,
    "--set",
    "train.checkpointEvery=3",
    ...extra,
  ];
}

/**
 * Reads `stream` (decoded) until `pattern` shows up or it ends; returns what was read and the
 * reader, to read on or release.
 */
export async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  while (!pattern.test(log)) {
    const { value, done } = await reader.read();
    if (done) break;
    log += value;
  }
  return { log, reader };
}

/** Options of {@link lrtl}. */
export interface LrtlOptions {
  /** Extra environment variables of the child (NO_COLOR=1 is always set). */
  env?: Record<string, string>;
  /** Kill the child (SIGKILL) after this long; no limit by default. */
  timeoutMs?: number;
}

/** Runs the CLI once as a subprocess: its exit code and its stdout followed by its stderr. */
export async function lrtl(
  args: string[],
  opts: LrtlOptions = {},
): Promise<{ code: number; text: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", LRTL_MAIN, ...args],
    env: { NO_COLOR: "1", ...opts.env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = opts.timeoutMs === undefined
    ? undefined
    : setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}
