/**
 * Code identity of a stage: the source its computation uses and no more (Snakemake hashes a
 * rule's own function, DVC only the deps a stage declares; hashing a whole import graph makes an
 * edit to a report caption retrain every model).
 *
 * The identity starts from the stage's own `defineStage({...})` declaration in its module and
 * follows, declaration by declaration, every top-level name it mentions: local functions,
 * classes and constants, and imported names through their modules (re-exports followed). What is
 * hashed is the text of the declarations reached, per file, plus every top-level statement that
 * is not a declaration (it runs when the module loads) of each module reached. Not part of it:
 * other declarations in the same files, type-only imports (`import type`, `{ type X }`),
 * interfaces and type aliases, top-level comments, test files, npm packages (pinned by version,
 * they enter the key as environment) and the engine (`pipeline/`, versioned by `KEY_VERSION`).
 * Native sources a reached declaration names as `new URL("….cpp", import.meta.url)` (also `.c`,
 * `.cc`, `.h`, `.hpp`, `.sh`: the C++ behind a `Deno.dlopen` binding and its build script) are
 * hashed whole.
 *
 * Top-level statements are found by layout: a line that starts in column 0 (as `deno fmt`
 * writes them) begins a statement, unless it closes a bracket. Every mistake this can make
 * errs towards a larger identity (a fragment that is not a declaration is always hashed), never
 * towards a smaller one, except for top-level comments inside a template literal. A constant
 * initialised only for its side effect is hashed only where it is mentioned: write such code as
 * a plain statement. A name that cannot be resolved in its module makes the whole module count.
 * @module
 */
import { fileURLToPath } from "node:url";
import { dirname, relative, resolve } from "node:path";
import { sha256 } from "./hash.ts";

/** A stage's code identity: one hash, and the hash of what it uses in each file. */
export interface CodeIdentity {
  hash: string;
  /** Path (relative to the folder above the stage's module) → hash of the parts used. */
  files: Record<string, string>;
}

/** What {@link stageCode} needs of a stage declaration. */
export interface StageCodeRef {
  name: string;
  /** `import.meta.url` (or path) of the module that declares the stage. */
  module: string;
}

/** Reads a source file (tests pass one that simulates an edit). */
export type SourceReader = (path: string) => Promise<string>;

type ChunkKind = "value" | "type" | "effect" | "import";

interface Chunk {
  text: string;
  kind: ChunkKind;
  names: string[];
  /** Modules this chunk loads dynamically (`import("./x.ts")`, `new URL("./x.ts", …)`). */
  dynamic: string[];
  /** Native sources it names (`new URL("../native/x.cpp", import.meta.url)`): hashed whole. */
  native: string[];
}

interface Binding {
  from: string;
  /** Exported name, or `*` for a namespace import. */
  name: string;
}

interface ParsedModule {
  chunks: Chunk[];
  locals: Map<string, number[]>;
  types: Set<string>;
  bindings: Map<string, Binding>;
  /** `export { local as name }`: exported name → local name. */
  localExports: Map<string, string>;
  reexports: Map<string, Binding>;
  stars: string[];
  sideImports: string[];
}

const ENGINE_DIR = dirname(fileURLToPath(import.meta.url)) + "/";
const memo = new Map<string, CodeIdentity>();

/** Forgets memoised identities (tests that edit a stage's source). */
export function resetCodeHashes(): void {
  memo.clear();
}

/**
 * The code identity of a stage (memoised per process when read from disk).
 *
 * @example
 * ```ts
 * import { stageCode } from "./code_hash.ts";
 * const { hash, files } = await stageCode({ name: "train", module: "stages/learning.ts" });
 * ```
 */
export async function stageCode(
  stage: StageCodeRef,
  opts: { read?: SourceReader } = {},
): Promise<CodeIdentity> {
  const root = stage.module.startsWith("file:")
    ? fileURLToPath(stage.module)
    : resolve(stage.module);
  const memoKey = `${root}\0${stage.name}`;
  if (!opts.read && memo.has(memoKey)) return memo.get(memoKey)!;
  const id = await new Closure(opts.read ?? ((p) => Deno.readTextFile(p))).of(root, stage.name);
  if (!opts.read) memo.set(memoKey, id);
  return id;
}

class Closure {
  #read: SourceReader;
  #parsed = new Map<string, Promise<ParsedModule>>();
  #included = new Map<string, Set<number>>();
  #visited = new Set<string>();
  #requested = new Set<string>();
  #native = new Set<string>();

  constructor(read: SourceReader) {
    this.#read = read;
  }

  async of(root: string, stageName: string): Promise<CodeIdentity> {
    const m = await this.#parse(root);
    const nameRe = new RegExp(`\\bname:\\s*["']${stageName.replace(/[-]/g, "\\-")}["']`);
    const own = m.chunks.findIndex((c) =>
      /\bdefineStage\s*(<[^>]*>)?\s*\(/.test(c.text) && nameRe.test(c.text)
    );
    if (own >= 0) await this.#include(root, own);
    else await this.#request(root, "*"); // declared elsewhere than at top level: the whole file
    const base = dirname(dirname(root));
    const files: Record<string, string> = {};
    for (const [path, idx] of [...this.#included].sort(([a], [b]) => a < b ? -1 : 1)) {
      const chunks = (await this.#parse(path)).chunks;
      const text = [...idx].sort((a, b) => a - b).map((i) => chunks[i].text).join("\n\0\n");
      files[relative(base, path)] = sha256(text);
    }
    for (const path of [...this.#native].sort()) {
      let text: string;
      try {
        text = await this.#read(path);
      } catch (e) {
        throw new Error(`Cannot hash the native source "${path}": ${(e as Error).message}`);
      }
      files[relative(base, path)] = sha256(text);
    }
    const hash = sha256(Object.entries(files).map(([p, h]) => `${p}:${h}`).join("\n"));
    return { hash, files };
  }

  #parse(path: string): Promise<ParsedModule> {
    let p = this.#parsed.get(path);
    if (!p) {
      p = this.#read(path).then((text) => parseModule(path, text), (e) => {
        throw new Error(`Cannot hash the code of "${path}": ${(e as Error).message}`);
      });
      this.#parsed.set(path, p);
    }
    return p;
  }

  /** Loading a module runs its top-level statements and its side-effect imports. */
  async #visit(path: string): Promise<void> {
    if (this.#visited.has(path)) return;
    this.#visited.add(path);
    const m = await this.#parse(path);
    for (let i = 0; i < m.chunks.length; i++) {
      if (m.chunks[i].kind === "effect") await this.#include(path, i);
    }
    for (const dep of m.sideImports) await this.#visit(dep);
  }

  async #include(path: string, i: number): Promise<void> {
    let set = this.#included.get(path);
    if (!set) this.#included.set(path, set = new Set());
    if (set.has(i)) return;
    set.add(i);
    await this.#visit(path);
    const m = await this.#parse(path);
    const chunk = m.chunks[i];
    for (const dep of chunk.dynamic) await this.#request(dep, "*");
    for (const src of chunk.native) this.#native.add(src);
    for (const word of codeWords(chunk.text)) {
      await this.#use(path, m, word);
    }
  }

  /** A name mentioned in a module: its local declarations, or the import it names. */
  async #use(path: string, m: ParsedModule, word: string): Promise<boolean> {
    const local = m.locals.get(word);
    if (local) {
      for (const j of local) await this.#include(path, j);
      return true;
    }
    const b = m.bindings.get(word);
    if (b) {
      await this.#request(b.from, b.name);
      return true;
    }
    return false;
  }

  /** An exported name of a module (`*`: all of it). */
  async #request(path: string, name: string): Promise<void> {
    const key = `${path}\0${name}`;
    if (this.#requested.has(key)) return;
    this.#requested.add(key);
    await this.#visit(path);
    const m = await this.#parse(path);
    if (name === "*") {
      for (let i = 0; i < m.chunks.length; i++) {
        if (m.chunks[i].kind === "value") await this.#include(path, i);
      }
      for (const local of m.localExports.values()) await this.#use(path, m, local);
      for (const b of m.reexports.values()) await this.#request(b.from, b.name);
      for (const s of m.stars) await this.#request(s, "*");
      return;
    }
    if (await this.#use(path, m, m.localExports.get(name) ?? name)) return;
    const re = m.reexports.get(name);
    if (re) return await this.#request(re.from, re.name);
    if (m.types.has(name)) return;
    for (const s of m.stars) {
      if (await this.#provides(s, name, new Set())) return await this.#request(s, name);
    }
    await this.#request(path, "*"); // not found: count the whole module
  }

  async #provides(path: string, name: string, seen: Set<string>): Promise<boolean> {
    if (seen.has(path)) return false;
    seen.add(path);
    const m = await this.#parse(path);
    if (m.locals.has(name) || m.types.has(name) || m.localExports.has(name)) return true;
    if (m.reexports.has(name)) return true;
    for (const s of m.stars) if (await this.#provides(s, name, seen)) return true;
    return false;
  }
}

/** Splits a module into top-level statements, dropping top-level comments and blank lines. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let inComment = false;
  const flush = () => {
    const t = cur.join("\n").trimEnd();
    if (t) out.push(t);
    cur = [];
  };
  for (const line of text.split("\n")) {
    if (inComment) {
      if (line.includes("*/")) inComment = false;
      continue;
    }
    if (line.startsWith("/*")) {
      flush();
      inComment = !line.includes("*/");
      continue;
    }
    if (line.startsWith("//")) {
      flush();
      continue;
    }
    if (/^[^\s})\]>`]/.test(line)) flush();
    cur.push(line);
  }
  flush();
  return out;
}

const FROM = String.raw`\s*from\s*["']([^"']+)["']`;

/** `new URL("<relative native source>", import.meta.url)`. */
const NATIVE_SOURCE =
  /\bnew URL\(\s*["']([^"']+\.(?:c|cc|cpp|h|hpp|sh))["']\s*,\s*import\.meta\.url/g;

function parseModule(path: string, source: string): ParsedModule {
  const m: ParsedModule = {
    chunks: [],
    locals: new Map(),
    types: new Set(),
    bindings: new Map(),
    localExports: new Map(),
    reexports: new Map(),
    stars: [],
    sideImports: [],
  };
  const dep = (spec: string): string | null => {
    if (!/^\.{1,2}\//.test(spec)) return null; // npm, node: and import-map names: environment
    const p = resolve(dirname(path), spec);
    return p.startsWith(ENGINE_DIR) || /_test\.ts$/.test(p) ? null : p;
  };
  for (const text of splitTopLevel(stripBom(source))) {
    const chunk: Chunk = { text, kind: "effect", names: [], dynamic: [], native: [] };
    m.chunks.push(chunk);
    let r: RegExpMatchArray | null;
    if ((r = text.match(/^import\s*["']([^"']+)["']/))) {
      chunk.kind = "import";
      const d = dep(r[1]);
      if (d) m.sideImports.push(d);
    } else if ((r = text.match(new RegExp(`^import\\s+(type\\s+)?([\\s\\S]*?)${FROM}`)))) {
      chunk.kind = "import";
      const d = dep(r[3]);
      if (r[1] || !d) continue;
      parseImportClause(r[2], d, m.bindings);
    } else if (
      (r = text.match(new RegExp(`^export\\s+(type\\s+)?\\*(?:\\s+as\\s+([\\w$]+))?${FROM}`)))
    ) {
      chunk.kind = "import";
      const d = dep(r[3]);
      if (r[1] || !d) continue;
      if (r[2]) m.reexports.set(r[2], { from: d, name: "*" });
      else m.stars.push(d);
    } else if ((r = text.match(new RegExp(`^export\\s+(type\\s+)?\\{([\\s\\S]*?)\\}${FROM}`)))) {
      chunk.kind = "import";
      const d = dep(r[3]);
      if (r[1] || !d) continue;
      for (const [orig, as] of specifiers(r[2])) m.reexports.set(as, { from: d, name: orig });
    } else if ((r = text.match(/^export\s+(type\s+)?\{([\s\S]*?)\}\s*;?$/))) {
      chunk.kind = "import";
      if (!r[1]) { for (const [local, as] of specifiers(r[2])) m.localExports.set(as, local); }
    } else {
      const decl = text.replace(/^export\s+/, "");
      const isDefault = /^default\s/.test(decl);
      const body = decl.replace(/^default\s+/, "");
      if (/^declare\s/.test(body) || (r = body.match(/^(?:interface|type)\s+([\w$]+)/))) {
        chunk.kind = "type";
        if (r) m.types.add(r[1]);
      } else if (
        (r = body.match(
          /^(?:async\s+)?function\s*\*?\s*([\w$]+)|^(?:abstract\s+)?class\s+([\w$]+)|^(?:const\s+)?enum\s+([\w$]+)|^(?:const|let|var)\s+([\w$]+)/,
        ))
      ) {
        chunk.kind = "value";
        chunk.names.push(r[1] ?? r[2] ?? r[3] ?? r[4]);
      } else if ((r = body.match(/^(?:const|let|var)\s*([{[][\s\S]*?[}\]])\s*=/))) {
        chunk.kind = "value";
        chunk.names.push(...(r[1].match(/[A-Za-z_$][\w$]*/g) ?? []));
      }
      if (isDefault) {
        chunk.kind = "value";
        chunk.names.push("default");
      }
    }
    for (
      const re of [/\bimport\(\s*["']([^"']+)["']\s*\)/g, /\bnew URL\(\s*["']([^"']+\.[jt]s)["']/g]
    ) {
      for (const d of text.matchAll(re)) {
        const p = dep(d[1]);
        if (p) chunk.dynamic.push(p);
      }
    }
    for (const d of text.matchAll(NATIVE_SOURCE)) {
      const p = dep(d[1]);
      if (p) chunk.native.push(p);
    }
  }
  m.chunks.forEach((c, i) => {
    if (c.kind !== "value") return;
    for (const n of c.names) m.locals.set(n, [...(m.locals.get(n) ?? []), i]);
  });
  return m;
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** `a, type B, c as d` → [["a","a"],["c","d"]] (type-only specifiers dropped). */
function specifiers(list: string): [string, string][] {
  const out: [string, string][] = [];
  for (const raw of list.split(",")) {
    const s = raw.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "").trim();
    if (!s || /^type\s/.test(s)) continue;
    const r = s.match(/^([\w$]+)(?:\s+as\s+([\w$]+))?$/);
    if (r) out.push([r[1], r[2] ?? r[1]]);
  }
  return out;
}

function parseImportClause(clause: string, from: string, into: Map<string, Binding>): void {
  let rest = clause.trim();
  const def = rest.match(/^([\w$]+)\s*(?:,|$)/);
  if (def) {
    into.set(def[1], { from, name: "default" });
    rest = rest.slice(def[0].length).trim();
  }
  const ns = rest.match(/^\*\s*as\s+([\w$]+)/);
  if (ns) into.set(ns[1], { from, name: "*" });
  const named = rest.match(/^\{([\s\S]*)\}$/);
  if (named) { for (const [orig, as] of specifiers(named[1])) into.set(as, { from, name: orig }); }
}

const WORD = /[A-Za-z_$][\w$]*/g;

/**
 * The identifiers a statement's code mentions, outside comments and string literals (template
 * literal substitutions included). Where the scan gets confused (an unclosed string or regular
 * expression), every word of the text counts.
 */
export function codeWords(text: string): Set<string> {
  const all = () => new Set(text.match(WORD) ?? []);
  let code = "";
  const braces: number[] = []; // open `{` count of each template substitution being scanned
  let i = 0;
  let prev = ""; // last significant code character, to tell a regular expression from a division
  const lineEnd = (from: number) => {
    const n = text.indexOf("\n", from);
    return n < 0 ? text.length : n;
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      i = lineEnd(i);
    } else if (c === "/" && next === "*") {
      const e = text.indexOf("*/", i + 2);
      if (e < 0) return all();
      i = e + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      if (text[j] !== c) return all();
      i = j + 1;
      code += " 0 ";
      prev = "0";
    } else if (c === "`" || (c === "}" && braces.length && braces[braces.length - 1] === 0)) {
      // a template literal's text, from its start or the end of a substitution
      if (c === "}") braces.pop();
      let j = i + 1;
      while (j < text.length && text[j] !== "`" && !(text[j] === "$" && text[j + 1] === "{")) {
        j += text[j] === "\\" ? 2 : 1;
      }
      if (j >= text.length) return all();
      if (text[j] === "`") {
        i = j + 1;
        code += " 0 ";
        prev = "0";
      } else {
        braces.push(0);
        i = j + 2;
        code += " ( ";
        prev = "(";
      }
    } else if (c === "/" && (prev === "" || /[(,=:[!&|?{};+\-*%<>~^]/.test(prev))) {
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== "\n" && (inClass || text[j] !== "/")) {
        if (text[j] === "[") inClass = true;
        else if (text[j] === "]") inClass = false;
        j += text[j] === "\\" ? 2 : 1;
      }
      if (text[j] !== "/") return all();
      i = j + 1;
      code += " 0 ";
      prev = "0";
    } else {
      if (braces.length && c === "{") braces[braces.length - 1]++;
      else if (braces.length && c === "}") braces[braces.length - 1]--;
      code += c;
      if (!/\s/.test(c)) prev = c;
      // a keyword before a regular expression (`return /x/`) ends in a letter: treat the word
      if (/[\w$]/.test(c)) {
        const m = text.slice(i).match(/^[\w$]+/)![0];
        code += m.slice(1);
        i += m.length;
        prev = /^(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/.test(m)
          ? "="
          : "a";
        continue;
      }
      i++;
    }
  }
  if (braces.length) return all();
  return new Set(code.match(WORD) ?? []);
}
