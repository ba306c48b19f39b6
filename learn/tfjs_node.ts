/**
 * The native TensorFlow backend (`@tensorflow/tfjs-node`, `-gpu`) under Deno: where its files
 * live, whether it is built, whether a CUDA device is visible, and loading it. Every Deno
 * specific of tfjs-node is here: the `node:util` shim, the `--allow-ffi` check, the dynamic
 * import. No tfjs import at module level: {@link tensorflowStatus} is cheap (a few `stat`s).
 *
 * `native/tensorflow_setup.ts` (run by `deno task setup`) builds the backend: the stripped
 * libtensorflow libraries and the addon live in the user's cache folder
 * ({@link nativeCacheRoot}), shared by clones; the package in `node_modules` links to them.
 * @module
 */
import { dirname, join, resolve } from "node:path";

/** The two native variants: libtensorflow for the CPU, and with CUDA. */
export type TfVariant = "cpu" | "gpu";

/** The tfjs-node version the project pins (deno.json) and builds the addon of. */
export const TFJS_NODE_VERSION = "4.22.0";
/** The TensorFlow wheel version `setup` downloads through pip when nothing else is given. */
export const TF_WHEEL_VERSION = "2.21.0";
/** Where tfjs-node looks for its addon (node-pre-gyp picks N-API 8 under Deno and Node ≥ 15). */
export const ADDON_PATH = "lib/napi-v8/tfjs_binding.node";

/** The npm package of a variant. */
export function packageName(v: TfVariant): string {
  return v === "cpu" ? "@tensorflow/tfjs-node" : "@tensorflow/tfjs-node-gpu";
}

/** The repository root (holds deno.json and node_modules). */
export const PROJECT_ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");

/** The package's folder in the project's node_modules. */
export function packageDir(v: TfVariant, root = PROJECT_ROOT): string {
  return join(root, "node_modules", packageName(v));
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The user's cache folder for native builds: `$LRTL_NATIVE_CACHE`, else
 * `$XDG_CACHE_HOME/lrtl`, else `~/.cache/lrtl`. Outside the repository, shared by clones.
 */
export function nativeCacheRoot(): string {
  const own = env("LRTL_NATIVE_CACHE");
  if (own) return resolve(own);
  const xdg = env("XDG_CACHE_HOME");
  if (xdg) return join(resolve(xdg), "lrtl");
  return join(env("HOME") ?? "/tmp", ".cache", "lrtl");
}

/** The cache folder of one variant's build (mirrors the package: `deps/`, `lib/napi-v8/`). */
export function variantCacheDir(v: TfVariant): string {
  return join(nativeCacheRoot(), "tensorflow", `tfjs-node-${TFJS_NODE_VERSION}-${v}`);
}

/** Why the native backend is switched off (`LRTL_TENSORFLOW=off|0|false`), or null. */
export function tensorflowDisabled(): string | null {
  const v = env("LRTL_TENSORFLOW")?.toLowerCase();
  return v === "off" || v === "0" || v === "false" ? `disabled by LRTL_TENSORFLOW=${v}` : null;
}

/** Whether a variant is ready to load, and why not. */
export interface TensorflowStatus {
  built: boolean;
  /** Why it is not built (with how to fix it), or where its libraries come from. */
  reason: string;
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile; // follows symlinks
  } catch {
    return false;
  }
}

/** The libtensorflow libraries in a `deps/lib` folder (none when missing). */
export function libtensorflowIn(libDir: string): string[] {
  try {
    return [...Deno.readDirSync(libDir)].map((e) => e.name)
      .filter((n) => /^libtensorflow(_cc)?\.so/.test(n) && isFile(join(libDir, n))).sort();
  } catch {
    return [];
  }
}

/**
 * Whether `variant` can be loaded from the project's node_modules: the package is installed,
 * its addon exists and `deps/lib` holds libtensorflow (built by `deno task setup`, or installed
 * by tfjs-node's own install script on a machine with internet).
 */
export function tensorflowStatus(v: TfVariant, root = PROJECT_ROOT): TensorflowStatus {
  const off = tensorflowDisabled();
  if (off) return { built: false, reason: off };
  const pkg = packageDir(v, root);
  if (!isFile(join(pkg, "package.json"))) {
    return { built: false, reason: `${packageName(v)} is not in node_modules (run deno install)` };
  }
  if (!isFile(join(pkg, ADDON_PATH)) || libtensorflowIn(join(pkg, "deps", "lib")).length === 0) {
    return {
      built: false,
      reason: `${packageName(v)} has no libtensorflow/addon: run \`deno task setup\`` +
        (v === "gpu" ? " on a machine with a CUDA device" : ""),
    };
  }
  let from = "the package's own install";
  try {
    from = Deno.realPathSync(join(pkg, "deps"));
  } catch { /* reported as the package's own */ }
  return { built: true, reason: `libtensorflow from ${from}` };
}

/**
 * Whether a CUDA device is visible: the NVIDIA driver lists a GPU and `CUDA_VISIBLE_DEVICES`
 * does not hide them all.
 */
export function cudaDeviceVisible(): boolean {
  const visible = env("CUDA_VISIBLE_DEVICES");
  if (visible !== undefined && (visible === "-1" || visible.trim() === "")) return false;
  try {
    return [...Deno.readDirSync("/proc/driver/nvidia/gpus")].length > 0;
  } catch {
    return false;
  }
}

let loaded: TfVariant | null = null;

/**
 * Imports tfjs-node (which registers the `tensorflow` backend with tfjs-core). Under Deno it
 * needs `--allow-ffi` (the addon is a Node-API module) and `node:util`'s
 * `isNullOrUndefined`, removed from newer Node APIs that Deno follows. Only one variant can be
 * loaded per process (both register as `tensorflow`).
 */
export async function loadTfjsNode(v: TfVariant): Promise<void> {
  if (loaded === v) return;
  if (loaded !== null) {
    throw new Error(
      `learn/tfjs_node.ts: ${packageName(loaded)} is already loaded; ${packageName(v)} cannot ` +
        "be loaded in the same process",
    );
  }
  const status = tensorflowStatus(v);
  if (!status.built) throw new Error(`learn/tfjs_node.ts: ${status.reason}`);
  if ("Deno" in globalThis && Deno.permissions.querySync?.({ name: "ffi" }).state !== "granted") {
    throw new Error(
      `learn/tfjs_node.ts: ${packageName(v)} is a native addon: run with --allow-ffi (or -A)`,
    );
  }
  const util = (await import("node:util")).default as unknown as Record<string, unknown>;
  util.isNullOrUndefined ??= (x: unknown) => x === null || x === undefined;
  // A variable specifier: resolved through deno.json's imports at run time, and kept out of
  // the type checker (tfjs-node's typings pull in the whole @tensorflow/tfjs bundle).
  const spec = packageName(v);
  await import(spec);
  loaded = v;
}
