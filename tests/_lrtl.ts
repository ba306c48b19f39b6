/**
 * Helpers of the end-to-end tests that drive the CLI as a subprocess.
 * @module
 */
import { join } from "node:path";

/** The CLI's entry module. */
export const LRTL_MAIN = new URL("../cli/main.ts", import.meta.url).pathname;

/**
 * `deno` arguments of a smoke-profile training on the synthetic data in `dir` (cache `c`, DB
 * `r.duckdb`), long enough (400 steps, a checkpoint every 3) to be stopped while it trains.
 */
export function smokeTrainArgs(dir: string, extra: string[] = []): string[] {
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
    join(dir, "c"),
    "--db",
    join(dir, "r.duckdb"),
    "--set",
    "train.steps=400",
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
