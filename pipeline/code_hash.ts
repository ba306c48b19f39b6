/**
 * Code hash of a stage: SHA-256 over the source of its module and every local module it
 * imports, transitively (npm packages are pinned by version and enter the key as environment).
 * Test files and the engine (`pipeline/`) are never part of it.
 * @module
 */
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { sha256 } from "./hash.ts";

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|import\s*["'](\.{1,2}\/[^"']+)["']/g;

const memo = new Map<string, string>();
const ENGINE_DIR = dirname(fileURLToPath(import.meta.url)) + "/";

/** Forgets memoised hashes (tests that edit a stage's source). */
export function resetCodeHashes(): void {
  memo.clear();
}

/** Hash of a module file and its local import closure (memoised per process). */
export async function codeHash(moduleUrl: string): Promise<string> {
  const root = moduleUrl.startsWith("file:") ? fileURLToPath(moduleUrl) : moduleUrl;
  const hit = memo.get(root);
  if (hit) return hit;
  const seen = new Map<string, string>();
  const queue = [root];
  while (queue.length) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    const text = await Deno.readTextFile(path);
    seen.set(path, sha256(text));
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const dep = resolve(dirname(path), spec);
      // The engine itself never changes a stage's output (its key derivation is versioned by
      // KEY_VERSION), so engine edits do not invalidate every cache.
      if (!/_test\.ts$/.test(dep) && !dep.startsWith(ENGINE_DIR)) queue.push(dep);
    }
  }
  // Paths relative to the root module keep the hash independent of where the checkout lives.
  const base = dirname(root);
  const parts = [...seen.entries()]
    .map(([p, h]) => `${relative(base, p)}:${h}`)
    .sort();
  const h = sha256(parts.join("\n"));
  memo.set(root, h);
  return h;
}

function relative(base: string, path: string): string {
  const a = base.split("/");
  const b = path.split("/");
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return [...Array(a.length - i).fill(".."), ...b.slice(i)].join("/");
}
