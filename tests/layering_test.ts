/**
 * The import graph (from `deno info --json`) has no circle and follows the folders' order:
 * the seeded generator (`core/`), the engine and the file formats (with the shared data types)
 * at the bottom, then data, motion, learning, evaluation, stages, experiments and the entry
 * points. Tests and benchmarks may import anything; nothing in `pipeline/` imports a stage, an
 * experiment or tfjs.
 * @module
 */
import { join, relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { assert, assertEquals } from "./_assert.ts";

const ROOT = fromFileUrl(new URL("..", import.meta.url));

/** Bottom first: a module may import only from its own folder or from a folder listed before. */
export const LAYERS = [
  "core",
  "pipeline",
  "formats",
  "reports",
  "video",
  "motion",
  "learn",
  "eval",
  "cluster",
  "stages",
  "experiments",
  "native",
  "cli",
] as const;

/** Test files and benchmarks sit outside the layers. */
function isTestOrBench(path: string): boolean {
  return /(^|\/)(tests|bench)\//.test(path) || /_test(_util)?\.ts$/.test(path) ||
    /(^|\/)_test_[a-z_]+\.ts$/.test(path);
}

interface Graph {
  /** Local module → local modules it imports (paths relative to the repository). */
  edges: Map<string, Set<string>>;
  /** Local module → npm/jsr/remote specifiers it imports. */
  external: Map<string, Set<string>>;
}

async function importGraph(): Promise<Graph> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(join(ROOT, dir))) {
      const p = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory) {
        if (!/^(\.|node_modules$|data$)/.test(e.name) && p !== "reports/out") await walk(p);
      } else if (e.name.endsWith(".ts")) files.push(p);
    }
  };
  await walk("");
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import ${JSON.stringify(new URL(f, `file://${ROOT}`).href)};`).join("\n"),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", join(ROOT, "deno.json"), entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`deno info failed: ${new TextDecoder().decode(out.stderr)}`);
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: {
          specifier: string;
          code?: { specifier: string };
          type?: { specifier: string };
        }[];
      }[];
    };
    const local = (s: string) => s.startsWith("file://") && !s.includes("/node_modules/");
    const edges = new Map<string, Set<string>>();
    const external = new Map<string, Set<string>>();
    for (const m of info.modules) {
      if (!local(m.specifier) || m.specifier === `file://${entry}`) continue;
      const from = relative(ROOT, fromFileUrl(m.specifier));
      for (const d of m.dependencies ?? []) {
        for (const to of [d.code?.specifier, d.type?.specifier]) {
          if (!to) continue;
          if (local(to)) {
            if (!to.endsWith(".ts")) continue; // deno.json, read as data
            const set = edges.get(from) ?? edges.set(from, new Set()).get(from)!;
            set.add(relative(ROOT, fromFileUrl(to)));
          } else {
            const set = external.get(from) ?? external.set(from, new Set()).get(from)!;
            set.add(`${d.specifier} → ${to}`);
          }
        }
      }
    }
    return { edges, external };
  } finally {
    await Deno.remove(entry);
  }
}

/** Every import circle (strongly connected component of more than one module, or a self-loop). */
function circles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || edges.get(v)?.has(v)) out.push(comp.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const graph = await importGraph();

Deno.test("layering: no import circle", () => {
  // the graph is the real one (a broken `deno info` call would make every check pass)
  assert(graph.edges.get("stages/learning.ts")?.has("learn/train/mod.ts"), "graph not read");
  assertEquals(circles(graph.edges), []);
});

/** Imports against the folders' order (or of test code), in words. */
function wrongImports(edges: Map<string, Set<string>>): string[] {
  const rank = (path: string) => LAYERS.indexOf(path.split("/")[0] as typeof LAYERS[number]);
  const wrong: string[] = [];
  for (const [from, tos] of edges) {
    if (isTestOrBench(from)) continue;
    const r = rank(from);
    if (r < 0) {
      wrong.push(`${from}: its folder is in no layer (tests/layering_test.ts LAYERS)`);
      continue;
    }
    for (const to of tos) {
      if (isTestOrBench(to)) wrong.push(`${from} imports test code ${to}`);
      else if (to.split("/")[0] !== from.split("/")[0] && !(rank(to) >= 0 && rank(to) < r)) {
        wrong.push(`${from} imports ${to} (above it)`);
      }
    }
  }
  return wrong;
}

Deno.test("layering: every import follows the folders' order (engine and formats at the bottom)", () => {
  assertEquals(wrongImports(graph.edges), []);
});

Deno.test("layering: the checks find a circle, an upward import and an import of test code", () => {
  const g = (pairs: [string, string][]) => {
    const edges = new Map<string, Set<string>>();
    for (const [a, b] of pairs) edges.set(a, (edges.get(a) ?? new Set()).add(b));
    return edges;
  };
  assertEquals(
    circles(g([["a.ts", "b.ts"], ["b.ts", "c.ts"], ["c.ts", "a.ts"], ["c.ts", "d.ts"]])),
    [["a.ts", "b.ts", "c.ts"]],
  );
  assertEquals(
    wrongImports(g([
      ["pipeline/runner.ts", "stages/learning.ts"],
      ["pipeline/runner.ts", "experiments/tables.ts"],
      ["formats/image.ts", "motion/types.ts"],
      ["stages/learning.ts", "core/random.ts"],
      ["eval/metrics.ts", "tests/_assert.ts"],
    ])),
    [
      "pipeline/runner.ts imports stages/learning.ts (above it)",
      "pipeline/runner.ts imports experiments/tables.ts (above it)",
      "formats/image.ts imports motion/types.ts (above it)",
      "eval/metrics.ts imports test code tests/_assert.ts",
    ],
  );
});

Deno.test("layering: nothing in pipeline/ imports tfjs", () => {
  const tf = [...graph.external].filter(([from]) => from.startsWith("pipeline/"))
    .flatMap(([from, specs]) =>
      [...specs].filter((s) => /tensorflow/.test(s)).map((s) => `${from}: ${s}`)
    );
  assertEquals(tf, []);
});
