/**
 * Deno.dlopen binding of `native/build/libflow_shim.so` (Debian OpenCV 4 through a C shim).
 * @module
 */
import { staleLibrary } from "../../core/native_library.ts";

const SYMBOLS = {
  flow_last_error: { parameters: [], result: "pointer" },
  flow_shim_version: { parameters: [], result: "i32" },
  flow_has_tvl1: { parameters: [], result: "i32" },
  flow_set_threads: { parameters: ["i32"], result: "void" },
  flow_dis: {
    parameters: ["buffer", "buffer", "i32", "i32", "i32", "i32", "buffer"],
    result: "i32",
  },
  flow_farneback: {
    parameters: [
      "buffer",
      "buffer",
      "i32",
      "i32",
      "f64",
      "i32",
      "i32",
      "i32",
      "i32",
      "f64",
      "i32",
      "buffer",
    ],
    result: "i32",
  },
  flow_tvl1: { parameters: ["buffer", "buffer", "i32", "i32", "buffer"], result: "i32" },
  flow_pyrlk: {
    parameters: [
      "buffer",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "i32",
      "i32",
      "i32",
    ],
    result: "i32",
  },
} as const;

/** The loaded shim's functions. */
export type FlowShim = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** How to build the shim; part of every "not available" error. */
export const FLOW_SHIM_BUILD_HINT =
  "build it with `bash native/build.sh` (needs g++ and Debian OpenCV: " +
  "`apt-get install -y --no-install-recommends libopencv-video-dev libopencv-contrib-dev`)";

/** Path of the shim: `LRTL_FLOW_SHIM` or `<project>/native/build/libflow_shim.so`. */
export function flowShimPath(): string {
  const env = Deno.env.get("LRTL_FLOW_SHIM");
  if (env) return env;
  return DEFAULT_PATH;
}

const DEFAULT_PATH = new URL("../../native/build/libflow_shim.so", import.meta.url).pathname;

/** The shim's sources (its build script included): see core/native_library.ts. */
const FLOW_SHIM_SOURCES = [
  new URL("../../native/flow_shim.cpp", import.meta.url),
  new URL("../../native/build.sh", import.meta.url),
];

let cached: { shim: FlowShim } | { error: string } | null = null;

/**
 * Load the shim once (sets OpenCV to `threads` threads, default 1 for reproducible timings on a
 * shared machine). Returns the functions, or the reason it is unavailable.
 */
export function tryLoadFlowShim(): { shim: FlowShim } | { error: string } {
  if (cached) return cached;
  const path = flowShimPath();
  const stale = path === DEFAULT_PATH ? staleLibrary(path, FLOW_SHIM_SOURCES) : null;
  if (stale) return (cached = { error: `native flow shim: ${stale}` });
  try {
    const lib = Deno.dlopen(path, SYMBOLS);
    if (lib.symbols.flow_shim_version() !== 2) {
      lib.close();
      cached = { error: `native flow shim "${path}" has an unexpected version; rebuild it` };
    } else {
      lib.symbols.flow_set_threads(1);
      cached = { shim: lib.symbols };
    }
  } catch (err) {
    cached = {
      error: `native flow shim "${path}" is not available (${
        (err as Error).message.split("\n")[0]
      }); ${FLOW_SHIM_BUILD_HINT}`,
    };
  }
  return cached;
}

/** Load the shim or throw an error that says how to build it. */
export function loadFlowShim(): FlowShim {
  const r = tryLoadFlowShim();
  if ("error" in r) throw new Error(r.error);
  return r.shim;
}

/** Set OpenCV's thread count in the native library (0 = OpenCV's default). */
export function setNativeFlowThreads(n: number): void {
  loadFlowShim().flow_set_threads(n);
}

/** Throw the shim's last error if `rc` is not 0. */
export function checkShim(shim: FlowShim, rc: number, what: string): void {
  if (rc === 0) return;
  const p = shim.flow_last_error();
  const msg = p ? new Deno.UnsafePointerView(p).getCString() : "unknown error";
  throw new Error(`${what} failed in the native flow shim: ${msg}`);
}
