/**
 * Where tests and benchmarks find the real sample data (`/work/shared/data` layout).
 * @module
 */

import { fileURLToPath } from "node:url";

/**
 * Root of the shared sample data: `LRTL_SHARED_DATA` when set, else `<project root>/../shared/data`.
 */
export function sharedDataRoot(): string {
  return Deno.env.get("LRTL_SHARED_DATA") ??
    fileURLToPath(new URL("../../shared/data", import.meta.url));
}
