/**
 * `deno task setup`, part 2: build the native TensorFlow backend (tfjs-node) offline when it
 * can, else print one line saying why and how to enable it — never an error (wasm is the
 * fallback). Idempotent: once built, a call only checks the links (well under a second).
 *
 * Where libtensorflow comes from, in order:
 * 1. an install of tfjs-node that already has it (its own install script, with internet);
 * 2. `LRTL_LIBTENSORFLOW=<dir or .tar.gz>`: the official libtensorflow C archive
 *    (`LRTL_LIBTENSORFLOW_GPU` for the GPU variant);
 * 3. `LRTL_TF_WHEEL=<.whl>`: a TensorFlow wheel (`LRTL_TF_GPU_WHEEL`);
 * 4. `pip download --no-deps tensorflow-cpu==2.21.0` (GPU: `tensorflow==2.21.0` and the
 *    `nvidia-*-cu12` wheels its `and-cuda` extra names).
 *
 * The libraries are unpacked, stripped and the addon is built with npm's node-gyp against the
 * installed Node's headers into {@link variantCacheDir} (outside the repository, shared by
 * clones); the package in node_modules gets symlinks `deps/` and `lib/napi-v8/tfjs_binding.node`
 * into it. The GPU variant is attempted only where a CUDA device is visible.
 * `LRTL_TENSORFLOW=off` skips all of it.
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import {
  ADDON_PATH,
  cudaDeviceVisible,
  libtensorflowIn,
  packageDir,
  packageName,
  PROJECT_ROOT,
  tensorflowDisabled,
  TF_WHEEL_VERSION,
  TFJS_NODE_VERSION,
  type TfVariant,
  variantCacheDir,
} from "../learn/tfjs_node.ts";

/** Free space needed while building from a wheel (download + unpacked + stripped copies). */
const NEED_WHEEL_BYTES = 1.9e9;
/** Free space needed while building from an unpacked libtensorflow archive. */
const NEED_ARCHIVE_BYTES = 1.2e9;
/** Extra space for the GPU variant's CUDA wheels. */
const NEED_CUDA_BYTES = 6e9;

/** The outcome of {@link setupTensorflow}: one line for the user. */
export interface SetupResult {
  variant: TfVariant;
  /** `ready` (nothing done), `built`, `linked` (built before, links restored), `unavailable`. */
  state: "ready" | "built" | "linked" | "unavailable";
  line: string;
}

/** Where the libraries come from. */
type Source =
  | { kind: "archive"; path: string }
  | { kind: "wheel"; path: string; cudaWheels?: string[] };

class Unavailable extends Error {}

const dec = new TextDecoder();

async function sh(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command(cmd, {
      args,
      cwd: opts.cwd,
      env: opts.env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { ok: r.success, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
  } catch (e) {
    return { ok: false, out: `${cmd}: ${(e as Error).message}` };
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function readLink(path: string): string | null {
  try {
    return Deno.readLinkSync(path);
  } catch {
    return null;
  }
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/** Free bytes on the filesystem holding `dir` (its nearest existing ancestor), or null. */
export async function freeBytes(dir: string): Promise<number | null> {
  let d = resolve(dir);
  while (!exists(d) && dirname(d) !== d) d = dirname(d);
  const r = await sh("df", ["-Pk", d]);
  const m = r.ok ? r.out.trim().split("\n").pop()?.trim().split(/\s+/) : undefined;
  const kb = m ? Number(m[3]) : NaN;
  return Number.isFinite(kb) ? kb * 1024 : null;
}

async function requireSpace(dir: string, need: number, what: string): Promise<void> {
  const free = await freeBytes(dir);
  if (free !== null && free < need) {
    throw new Unavailable(
      `${what} needs ${gb(need)} free under ${dir}, only ${gb(free)} there ` +
        `(free space, or set LRTL_NATIVE_CACHE to a larger disk)`,
    );
  }
}

/** True when the package holds libtensorflow and an addon of its own (not our links). */
function ownInstall(pkg: string): boolean {
  const deps = join(pkg, "deps");
  const addon = join(pkg, ADDON_PATH);
  return readLink(deps) === null && readLink(addon) === null && exists(addon) &&
    libtensorflowIn(join(deps, "lib")).length > 0;
}

function stampPath(cache: string): string {
  return join(cache, "lrtl-build.json");
}

/** Is the cache folder a finished build? */
function builtIn(cache: string): boolean {
  return exists(stampPath(cache)) && exists(join(cache, ADDON_PATH)) &&
    libtensorflowIn(join(cache, "deps", "lib")).length > 0;
}

/** Point the package's `deps/` and addon at the cache build. Returns true if it changed. */
function link(pkg: string, cache: string): boolean {
  let changed = false;
  const put = (path: string, target: string) => {
    if (readLink(path) === target) return;
    if (exists(path)) {
      // A partial install of the package's own (its download failed): keep it aside.
      const aside = `${path}.lrtl-replaced`;
      if (readLink(path) === null && !exists(aside)) Deno.renameSync(path, aside);
      else Deno.removeSync(path, { recursive: true });
    }
    Deno.mkdirSync(dirname(path), { recursive: true });
    Deno.symlinkSync(target, path);
    changed = true;
  };
  put(join(pkg, "deps"), join(cache, "deps"));
  put(join(pkg, ADDON_PATH), join(cache, ADDON_PATH));
  return changed;
}

/** The `Requires-Dist` lines of a wheel's `and-cuda` extra (pip requirement strings). */
async function cudaRequirements(wheel: string): Promise<string[]> {
  const r = await sh("python3", [
    "-c",
    `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
md = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")][0]
for l in z.read(md).decode().splitlines():
    if l.startswith("Requires-Dist:") and 'extra == "and-cuda"' in l:
        print(l.split(":", 1)[1].split(";")[0].strip().replace(" ", ""))`,
    wheel,
  ]);
  if (!r.ok) throw new Unavailable(`cannot read ${wheel}: ${r.out.trim().split("\n").pop()}`);
  return r.out.split("\n").map((s) => s.trim()).filter(Boolean);
}

async function pipDownload(reqs: string[], dir: string): Promise<string[]> {
  const before = new Set(exists(dir) ? [...Deno.readDirSync(dir)].map((e) => e.name) : []);
  const r = await sh("python3", ["-m", "pip", "download", "--no-deps", "-q", "-d", dir, ...reqs]);
  if (!r.ok) {
    throw new Unavailable(
      `pip download ${reqs.join(" ")} failed (${
        r.out.trim().split("\n").pop() ?? "no output"
      }); set LRTL_TF_WHEEL=<.whl> or LRTL_LIBTENSORFLOW=<libtensorflow .tar.gz>`,
    );
  }
  const got = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".whl"));
  const fresh = got.filter((n) => !before.has(n));
  return (fresh.length ? fresh : got).map((n) => join(dir, n));
}

/** Find the libraries: the first source of the module doc's list that is available. */
async function findSource(v: TfVariant, work: string): Promise<Source> {
  const sfx = v === "gpu" ? "_GPU" : "";
  const archive = Deno.env.get(`LRTL_LIBTENSORFLOW${sfx}`);
  if (archive) {
    if (!exists(archive)) throw new Unavailable(`LRTL_LIBTENSORFLOW${sfx}=${archive} not found`);
    return { kind: "archive", path: resolve(archive) };
  }
  const wheelVar = v === "gpu" ? "LRTL_TF_GPU_WHEEL" : "LRTL_TF_WHEEL";
  let wheel = Deno.env.get(wheelVar);
  if (wheel && !exists(wheel)) throw new Unavailable(`${wheelVar}=${wheel} not found`);
  const pip = await sh("python3", ["-m", "pip", "--version"]);
  if (!wheel) {
    if (!pip.ok) {
      throw new Unavailable(
        "no libtensorflow source: pip is not available (python3 -m pip); set LRTL_TF_WHEEL=<.whl>" +
          " or LRTL_LIBTENSORFLOW=<libtensorflow .tar.gz>",
      );
    }
    const req = `${v === "gpu" ? "tensorflow" : "tensorflow-cpu"}==${TF_WHEEL_VERSION}`;
    console.error(`tensorflow backend: pip download --no-deps ${req} …`);
    wheel = (await pipDownload([req], work)).find((w) => basename(w).startsWith("tensorflow"));
    if (!wheel) throw new Unavailable(`pip download ${req} produced no wheel`);
  }
  if (v === "cpu") return { kind: "wheel", path: resolve(wheel) };
  const reqs = await cudaRequirements(wheel);
  if (!pip.ok) throw new Unavailable("the CUDA libraries need pip (python3 -m pip)");
  console.error(`tensorflow-gpu backend: pip download --no-deps ${reqs.length} nvidia wheels …`);
  const cuda = await pipDownload(reqs, join(work, "cuda"));
  return { kind: "wheel", path: resolve(wheel), cudaWheels: cuda };
}

/** Unpack selected members of wheels into `dst` (python3's zipfile: pip needs python3 anyway). */
async function unzip(wheels: string[], dst: string, prefixes: string[]): Promise<void> {
  const r = await sh("python3", [
    "-c",
    `import sys, zipfile, os
dst, prefixes = sys.argv[1], sys.argv[2].split(",")
for w in sys.argv[3:]:
    z = zipfile.ZipFile(w)
    for i in z.infolist():
        if any(i.filename.startswith(p) for p in prefixes):
            z.extract(i, dst)
            os.chmod(os.path.join(dst, i.filename), 0o755)`,
    dst,
    prefixes.join(","),
    ...wheels,
  ]);
  if (!r.ok) throw new Unavailable(`cannot unpack ${wheels.join(" ")}: ${r.out.trim()}`);
}

/** Lay out `<stage>/deps/{lib,include}` from the source. */
async function unpack(src: Source, stage: string): Promise<void> {
  const lib = join(stage, "deps", "lib");
  const inc = join(stage, "deps", "include");
  Deno.mkdirSync(lib, { recursive: true });
  if (src.kind === "archive") {
    let dir = src.path;
    if (!Deno.statSync(dir).isDirectory) {
      dir = join(stage, "archive");
      Deno.mkdirSync(dir);
      const r = await sh("tar", ["-xzf", src.path, "-C", dir]);
      if (!r.ok) throw new Unavailable(`cannot unpack ${src.path}: ${r.out.trim()}`);
    }
    if (libtensorflowIn(join(dir, "lib")).length === 0 || !exists(join(dir, "include"))) {
      throw new Unavailable(`${src.path} is not a libtensorflow C archive (no lib/, include/)`);
    }
    await sh("cp", ["-a", join(dir, "lib", "."), lib]);
    await sh("cp", ["-a", join(dir, "include"), join(stage, "deps")]);
    if (dir !== src.path) Deno.removeSync(dir, { recursive: true });
    // tfjs-node's own install script recognises an installed libtensorflow by this name.
    const main = libtensorflowIn(lib).find((n) => /^libtensorflow\.so\.\d/.test(n));
    if (main && !exists(join(lib, "libtensorflow.so.2.9.1"))) {
      Deno.symlinkSync(main, join(lib, "libtensorflow.so.2.9.1"));
    }
    return;
  }
  const raw = join(stage, "wheel");
  await unzip([src.path], raw, [
    "tensorflow/libtensorflow_cc.so.2",
    "tensorflow/libtensorflow_framework.so.2",
    "tensorflow/include/tensorflow/c/",
    "tensorflow/include/tensorflow/core/platform/ctstring",
    "tensorflow/include/tsl/platform/ctstring",
    "tensorflow/include/xla/tsl/c/",
  ]);
  for (const name of ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"]) {
    const from = join(raw, "tensorflow", name);
    if (!exists(from)) throw new Unavailable(`${src.path} has no tensorflow/${name}`);
    // --strip-unneeded: 853 → 634 MB; without binutils the unstripped copy works as well.
    const s = await sh("strip", ["--strip-unneeded", "-o", join(lib, name), from]);
    if (!s.ok) Deno.renameSync(from, join(lib, name));
    else Deno.removeSync(from);
  }
  Deno.renameSync(join(raw, "tensorflow", "include"), inc);
  Deno.removeSync(raw, { recursive: true });
  // The binding links -ltensorflow -ltensorflow_framework; the wheel's C API is in _cc.
  Deno.symlinkSync("libtensorflow_cc.so.2", join(lib, "libtensorflow.so"));
  Deno.symlinkSync("libtensorflow_cc.so.2", join(lib, "libtensorflow.so.2.9.1"));
  Deno.symlinkSync("libtensorflow_framework.so.2", join(lib, "libtensorflow_framework.so"));
  if (src.cudaWheels?.length) {
    // The CUDA wheel's libraries find these through RUNPATH $ORIGIN/../nvidia/<name>/lib, as in
    // site-packages (tensorflow/ and nvidia/ side by side).
    await unzip(src.cudaWheels, join(stage, "deps"), ["nvidia/"]);
  }
}

/** The prefix of the running Node with `include/node/node_api.h`, and npm's node-gyp. */
async function buildTools(): Promise<{ node: string; nodedir: string; gyp: string[] }> {
  const which = async (c: string) => {
    const r = await sh("sh", ["-c", `command -v ${c}`]);
    return r.ok ? r.out.trim() : null;
  };
  const node = await which("node");
  if (!node) throw new Unavailable("building the addon needs Node.js (node, npm) on PATH");
  const nodedir = dirname(dirname(Deno.realPathSync(node)));
  if (!exists(join(nodedir, "include", "node", "node_api.h"))) {
    throw new Unavailable(`Node headers not found under ${nodedir}/include/node`);
  }
  for (const c of ["make", "g++", "python3"]) {
    if (!(await which(c))) {
      throw new Unavailable(`building the addon needs ${c} (apt-get install -y make g++ python3)`);
    }
  }
  const npm = await which("npm");
  const bundled = npm
    ? join(
      dirname(dirname(Deno.realPathSync(npm))),
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    )
    : "";
  if (exists(bundled)) return { node, nodedir, gyp: [node, bundled] };
  const own = await which("node-gyp");
  if (own) return { node, nodedir, gyp: [own] };
  throw new Unavailable("node-gyp not found (it comes with npm)");
}

/** Compile the addon in `stage` against `stage/deps`. */
async function buildAddon(v: TfVariant, stage: string): Promise<void> {
  const tools = await buildTools();
  const pkg = packageDir(v);
  await sh("cp", ["-a", join(pkg, "binding.gyp"), join(pkg, "binding"), stage]);
  const [cmd, ...pre] = tools.gyp;
  const r = await sh(cmd, [
    ...pre,
    "rebuild",
    "-j",
    String(Math.max(1, Math.min(4, navigator.hardwareConcurrency ?? 1))),
    "--napi_build_version=8",
    "--module_name=tfjs_binding",
    `--module_path=${join(stage, dirname(ADDON_PATH))}`,
    `--nodedir=${tools.nodedir}`,
  ], { cwd: stage });
  const log = join(stage, "..", `build-${v}.log`);
  Deno.writeTextFileSync(log, r.out);
  if (!r.ok || !exists(join(stage, ADDON_PATH))) {
    throw new Unavailable(`node-gyp could not build the addon (log: ${log})`);
  }
  Deno.removeSync(join(stage, "build"), { recursive: true });
}

/**
 * Make `variant` loadable: nothing when it already is, else link an earlier cache build, else
 * build it. Never throws for a missing source or tool: the result says why.
 */
export async function setupTensorflow(v: TfVariant): Promise<SetupResult> {
  const name = v === "cpu" ? "tensorflow" : "tensorflow-gpu";
  const off = tensorflowDisabled();
  const no = (why: string): SetupResult => ({
    variant: v,
    state: "unavailable",
    line: `note: ${name} backend not built (${why}); using wasm.` +
      (off ? "" : " Enable it with LRTL_TF_WHEEL=<tensorflow .whl>, " +
        "LRTL_LIBTENSORFLOW=<libtensorflow .tar.gz or dir>, or pip access to tensorflow-cpu, " +
        "then `deno task setup`"),
  });
  if (off) return no(off);
  const pkg = packageDir(v);
  if (!exists(join(pkg, "package.json"))) {
    // A fresh clone: setup runs before anything has installed node_modules.
    const r = await sh(Deno.execPath(), ["install"], { cwd: PROJECT_ROOT });
    if (!r.ok || !exists(join(pkg, "package.json"))) {
      return no(
        `${packageName(v)} missing and \`deno install\` failed: ${r.out.trim().split("\n").pop()}`,
      );
    }
  }
  if (ownInstall(pkg)) {
    return { variant: v, state: "ready", line: `${name} backend: the package's own libtensorflow` };
  }
  const cache = variantCacheDir(v);
  if (builtIn(cache)) {
    const changed = link(pkg, cache);
    return {
      variant: v,
      state: changed ? "linked" : "ready",
      line: `${name} backend: ${cache}${changed ? " (linked into node_modules)" : ""}`,
    };
  }
  const parent = dirname(cache);
  Deno.mkdirSync(parent, { recursive: true });
  const stage = join(parent, `.${basename(cache)}.${Deno.pid}.incomplete`);
  const t0 = performance.now();
  try {
    Deno.mkdirSync(stage);
    const need = v === "gpu" ? NEED_WHEEL_BYTES + NEED_CUDA_BYTES : NEED_WHEEL_BYTES;
    const archive = Deno.env.get(`LRTL_LIBTENSORFLOW${v === "gpu" ? "_GPU" : ""}`);
    await requireSpace(parent, archive ? NEED_ARCHIVE_BYTES : need, `building ${name}`);
    const src = await findSource(v, join(stage, "download"));
    console.error(`${name} backend: unpacking ${basename(src.path)} into ${cache} …`);
    await unpack(src, stage);
    if (exists(join(stage, "download"))) {
      Deno.removeSync(join(stage, "download"), { recursive: true });
    }
    console.error(`${name} backend: building the tfjs-node addon (node-gyp, ~30 s) …`);
    await buildAddon(v, stage);
    Deno.writeTextFileSync(
      stampPath(stage),
      JSON.stringify(
        {
          tfjsNode: TFJS_NODE_VERSION,
          source: src.path,
          built: new Date().toISOString(),
          project: PROJECT_ROOT,
        },
        null,
        1,
      ),
    );
    try {
      Deno.renameSync(stage, cache);
    } catch (e) {
      if (!builtIn(cache)) throw e; // another clone finished the same build first: use it
      Deno.removeSync(stage, { recursive: true });
    }
  } catch (e) {
    try {
      Deno.removeSync(stage, { recursive: true });
    } catch { /* nothing was created */ }
    if (e instanceof Unavailable) return no(e.message);
    return no(`setup failed: ${(e as Error).message}`);
  }
  link(pkg, cache);
  const du = await sh("du", ["-sh", cache]);
  return {
    variant: v,
    state: "built",
    line:
      `${name} backend: built in ${((performance.now() - t0) / 1000).toFixed(0)} s into ${cache}` +
      (du.ok ? ` (${du.out.split(/\s/)[0]})` : ""),
  };
}

if (import.meta.main) {
  const variants: TfVariant[] = cudaDeviceVisible() ? ["cpu", "gpu"] : ["cpu"];
  for (const v of variants) {
    const r = await setupTensorflow(v);
    // Quiet when nothing changed: `deno task test` runs setup first.
    if (r.state !== "ready") console.error(r.line);
  }
}
