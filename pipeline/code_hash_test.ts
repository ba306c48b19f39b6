import { assert, assertEquals } from "../tests/_assert.ts";
import { codeWords, splitTopLevel, stageCode } from "./code_hash.ts";

/** An in-memory source tree under /p; `stages/s.ts` declares the stages `a` and `b`. */
const TREE: Record<string, string> = {
  "/p/stages/s.ts": `import { defineStage } from "lrtl-engine"; // a bare name: not followed
import type { Shape } from "../lib/types.ts";
import { type Other, used } from "../lib/mod.ts";
import * as ns from "../lib/whole.ts";
import "../lib/effect.ts";

/** Doc comment: not code. */
const HELPER = 2;

export const a = defineStage({
  name: "a",
  description: "mentions b and unused in a string: not a use",
  async run(ctx) { used(HELPER); },
});

export const b = defineStage({
  name: "b",
  async run(ctx) { ns.anything(); },
});
`,
  "/p/lib/types.ts": `export interface Shape { w: number }\n`,
  "/p/lib/mod.ts": `export * from "./impl.ts";\nexport { other as Other } from "./other.ts";\n`,
  "/p/lib/impl.ts": `import { dep } from "./dep.ts";
export interface Unrelated { x: number }
export function used(n: number) {
  return dep(n);
}

export function unused() {
  return 1;
}
`,
  "/p/lib/dep.ts": `export const dep = (n: number) => n + 1;\nexport const notDep = 3;\n`,
  "/p/lib/other.ts": `export const other = 1;\n`,
  "/p/lib/whole.ts": `export function anything() {}\nexport function everything() {}\n`,
  "/p/lib/effect.ts": `globalThis.x = 1;\nexport function notCalled() {}\n`,
};

async function identity(name: string, edits: Record<string, string> = {}) {
  const files = { ...TREE, ...edits };
  const read = (p: string) =>
    p in files ? Promise.resolve(files[p]) : Promise.reject(new Error("no such file"));
  return await stageCode({ name, module: "file:///p/stages/s.ts" }, { read });
}

const edit = (path: string, from: string, to: string) => {
  assert(TREE[path].includes(from), `${from} in ${path}`);
  return { [path]: TREE[path].replace(from, to) };
};

Deno.test("stageCode: follows the names a stage uses, across re-exports", async () => {
  const { files } = await identity("a");
  assertEquals(Object.keys(files).sort(), [
    "lib/dep.ts",
    "lib/effect.ts",
    "lib/impl.ts",
    "stages/s.ts",
  ]);
  const base = (await identity("a")).hash;
  const changed = async (e: Record<string, string>) => (await identity("a", e)).hash !== base;
  assert(await changed(edit("/p/lib/dep.ts", "n + 1", "n + 2")));
  assert(await changed(edit("/p/stages/s.ts", "HELPER = 2", "HELPER = 3")));
  assert(await changed(edit("/p/lib/effect.ts", "x = 1", "x = 2")), "side effects count");
  assert(!(await changed(edit("/p/lib/dep.ts", "notDep = 3", "notDep = 4"))));
  assert(!(await changed(edit("/p/lib/impl.ts", "return 1;", "return 2;"))), "unused()");
  assert(!(await changed(edit("/p/lib/impl.ts", "x: number", "x: string"))), "an interface");
  assert(!(await changed(edit("/p/lib/other.ts", "= 1", "= 2"))), "a { type X } import");
  assert(!(await changed(edit("/p/lib/effect.ts", "notCalled() {}", "notCalled() { 1; }"))));
  assert(!(await changed(edit("/p/stages/s.ts", "ns.anything()", "ns.everything()"))), "b");
  assert(!(await changed(edit("/p/stages/s.ts", "Doc comment", "Edited comment"))));
});

Deno.test("stageCode: a namespace import counts the whole module", async () => {
  const { files } = await identity("b");
  assert("lib/whole.ts" in files);
  const base = (await identity("b")).hash;
  const e = edit("/p/lib/whole.ts", "everything() {}", "everything() { 1; }");
  assert((await identity("b", e)).hash !== base);
});

Deno.test("stageCode: a module without the stage's declaration counts as a whole", async () => {
  const { files } = await identity("nowhere");
  assert("lib/whole.ts" in files && "lib/impl.ts" in files);
});

Deno.test("splitTopLevel: statements by layout, top-level comments dropped", () => {
  const src = "/** doc */\nexport const T: Record<\n  string,\n  number\n> = {\n  a: 1,\n};\n" +
    "// note\nfunction f() {\n  return 1;\n}\n";
  assertEquals(splitTopLevel(src), [
    "export const T: Record<\n  string,\n  number\n> = {\n  a: 1,\n};",
    "function f() {\n  return 1;\n}",
  ]);
});

Deno.test("codeWords: identifiers outside strings and comments, substitutions included", () => {
  const words = codeWords(
    'const s = "alpha" + `beta ${gamma(1)}`; // delta\nreturn /eps/.test(zeta);',
  );
  for (const w of ["s", "gamma", "test", "zeta"]) assert(words.has(w), w);
  for (const w of ["alpha", "beta", "delta", "eps"]) assert(!words.has(w), w);
  assert(codeWords('x = "open').has("open"), "confused: every word counts");
});

Deno.test("stageCode: native sources a reached declaration names are hashed whole", async () => {
  const tree: Record<string, string> = {
    "/p/stages/n.ts": `import { defineStage } from "lrtl-engine";
import { loadShim } from "../lib/binding.ts";

export const n = defineStage({ name: "n", async run() { loadShim(); } });
export const m = defineStage({ name: "m", async run() {} });
`,
    "/p/lib/binding.ts": `/** The shim's sources. */
const SOURCES = [new URL("../native/shim.cpp", import.meta.url), new URL("../native/build.sh", import.meta.url)];
const SO = new URL("../native/build/libshim.so", import.meta.url);
export function loadShim() {
  return [SOURCES, SO];
}
`,
    "/p/native/shim.cpp": "int f() { return 1; }\n",
    "/p/native/build.sh": "g++ -O3 shim.cpp\n",
  };
  const id = (name: string, edits: Record<string, string> = {}) => {
    const files = { ...tree, ...edits };
    const read = (p: string) =>
      p in files ? Promise.resolve(files[p]) : Promise.reject(new Error("no such file"));
    return stageCode({ name, module: "file:///p/stages/n.ts" }, { read });
  };
  const base = await id("n");
  assertEquals(Object.keys(base.files).sort(), [
    "lib/binding.ts",
    "native/build.sh",
    "native/shim.cpp",
    "stages/n.ts",
  ]);
  const cpp = { "/p/native/shim.cpp": "int f() { return 2; }\n" };
  assert((await id("n", cpp)).hash !== base.hash, "editing the C++ changes the identity");
  const sh = { "/p/native/build.sh": "g++ -O2 shim.cpp\n" };
  assert((await id("n", sh)).hash !== base.hash, "editing the build script changes it");
  // a stage that does not reach the binding does not depend on its sources
  assertEquals((await id("m", cpp)).hash, (await id("m")).hash);
  // a missing source is named
  const { "/p/native/shim.cpp": _, ...rest } = tree;
  const read = (p: string) =>
    p in rest ? Promise.resolve(rest[p]) : Promise.reject(new Error("no such file"));
  let err = "";
  try {
    await stageCode({ name: "n", module: "file:///p/stages/n.ts" }, { read });
  } catch (e) {
    err = (e as Error).message;
  }
  assert(/native source "\/p\/native\/shim\.cpp"/.test(err), err);
});
