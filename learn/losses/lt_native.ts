/**
 * Deno.dlopen binding of `native/build/liblt_shim.so` (the float64 kernels of Lt in C++; see
 * `native/lt_shim.cpp`). Optional: learn/losses/lt_kernels.ts falls back to pure JS.
 * @module
 */
import { staleLibrary } from "../../core/native_library.ts";

/** (c, w, b, t2, n, k, basis, coef, mp, active, scale, threads, out) of lt_grad_w and lt_grad_c. */
const GRAD_PARAMS = [
  "buffer",
  "buffer",
  "i32",
  "i32",
  "i32",
  "i32",
  "buffer",
  "buffer",
  "i32",
  "buffer",
  "f64",
  "i32",
  "buffer",
] as const;

const SYMBOLS = {
  lt_shim_version: { parameters: [], result: "i32" },
  lt_grams: {
    parameters: ["buffer", "buffer", "i32", "i32", "i32", "i32", "i32", "buffer"],
    result: "void",
  },
  lt_eigh: { parameters: ["buffer", "i32", "i32", "i32", "buffer", "buffer"], result: "void" },
  lt_jacobi: { parameters: ["buffer", "i32", "i32", "i32", "buffer", "buffer"], result: "void" },
  lt_proj_grams: {
    parameters: [
      "buffer",
      "buffer",
      "i32",
      "i32",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
    ],
    result: "void",
  },
  lt_grad_w: {
    parameters: GRAD_PARAMS,
    result: "void",
  },
  lt_grad_c: {
    parameters: GRAD_PARAMS,
    result: "void",
  },
} as const;

/** The loaded shim's functions. */
export type LtShim = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** How to build the shim; part of every "not available" error. */
export const LT_SHIM_BUILD_HINT =
  "build it with `bash native/build_lt.sh` (needs g++: `apt-get install -y g++`)";

/** Path of the shim: `LRTL_LT_SHIM` or `<project>/native/build/liblt_shim.so`. */
export function ltShimPath(): string {
  try {
    const env = Deno.env.get("LRTL_LT_SHIM");
    if (env) return env;
  } catch { /* no env permission */ }
  return DEFAULT_PATH;
}

const DEFAULT_PATH = new URL("../../native/build/liblt_shim.so", import.meta.url).pathname;

/** The shim's sources (its build script included): see core/native_library.ts. */
const LT_SHIM_SOURCES = [
  new URL("../../native/lt_shim.cpp", import.meta.url),
  new URL("../../native/build_lt.sh", import.meta.url),
];

let cached: { shim: LtShim } | { error: string } | null = null;

/** Load the shim once; returns its functions or the reason it is unavailable. */
export function tryLoadLtShim(): { shim: LtShim } | { error: string } {
  if (cached) return cached;
  const path = ltShimPath();
  const stale = path === DEFAULT_PATH ? staleLibrary(path, LT_SHIM_SOURCES) : null;
  if (stale) return (cached = { error: `native Lt shim: ${stale}` });
  try {
    const lib = Deno.dlopen(path, SYMBOLS);
    if (lib.symbols.lt_shim_version() !== 1) {
      lib.close();
      cached = { error: `native Lt shim "${path}" has an unexpected version; rebuild it` };
    } else {
      cached = { shim: lib.symbols };
    }
  } catch (err) {
    cached = {
      error: `native Lt shim "${path}" is not available (${
        (err as Error).message.split("\n")[0]
      }); ${LT_SHIM_BUILD_HINT}`,
    };
  }
  return cached;
}
