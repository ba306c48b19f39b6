/**
 * The C++ shims behind the project's `Deno.dlopen` bindings (native/*.cpp, built by
 * `deno task setup`): a binding declares its sources with `new URL("…", import.meta.url)`, which
 * makes them part of the code identity of every stage that loads it (pipeline/code_hash.ts), and
 * refuses a library built before its sources were last edited — a cached result must never come
 * from a binary older than the code it is keyed by.
 * @module
 */
import { fileURLToPath } from "node:url";

/**
 * Slack of the age comparison (ms): copying a checkout file by file can leave a library a
 * moment older than its sources without anyone having edited them.
 */
const MTIME_SLACK_MS = 2000;

/**
 * Why the library at `libPath` is older than one of its `sources`, or null when it is not (or
 * when a time cannot be read: the load itself then reports a missing library).
 */
export function staleLibrary(libPath: string, sources: readonly URL[]): string | null {
  let built: number;
  try {
    built = Deno.statSync(libPath).mtime?.getTime() ?? NaN;
  } catch {
    return null;
  }
  for (const src of sources) {
    const path = fileURLToPath(src);
    let edited: number;
    try {
      edited = Deno.statSync(path).mtime?.getTime() ?? NaN;
    } catch {
      continue;
    }
    if (edited > built + MTIME_SLACK_MS) {
      return `"${libPath}" was built before its source "${path}" was last edited; ` +
        "rebuild it with `deno task setup`";
    }
  }
  return null;
}
