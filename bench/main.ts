/**
 * `deno task bench [names…]`: runs every `bench/*_bench.ts` (or those named), prints one table
 * and writes `reports/out/bench.json`. Each benchmark exports
 * `run(report: (name, value, unit, note?) => void)`. Absolute times on a shared 2-core
 * machine are noisy: benchmarks report ratios measured within one run where it matters.
 * @module
 */
import { basename, join } from "node:path";

interface Row {
  bench: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

async function main() {
  const dir = new URL(".", import.meta.url).pathname;
  const only = Deno.args;
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith("_bench.ts")) files.push(e.name);
  files.sort();
  const rows: Row[] = [];
  for (const f of files) {
    const bench = basename(f, "_bench.ts");
    if (only.length && !only.includes(bench)) continue;
    console.log(`\n== ${bench}`);
    const mod = await import(join(dir, f));
    const t0 = performance.now();
    try {
      await mod.run((name: string, value: number, unit: string, note?: string) => {
        rows.push({ bench, name, value, unit, note });
        console.log(
          `  ${name.padEnd(58)} ${fmt(value).padStart(12)} ${unit}${note ? `  (${note})` : ""}`,
        );
      });
    } catch (e) {
      console.log(`  FAILED: ${(e as Error).message}`);
      rows.push({ bench, name: "failed", value: NaN, unit: "", note: (e as Error).message });
    }
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const out = new URL("../reports/out/", import.meta.url).pathname;
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(
    join(out, "bench.json"),
    JSON.stringify({ date: new Date().toISOString(), deno: Deno.version.deno, rows }, null, 1),
  );
  console.log(`\nWrote ${join(out, "bench.json")}`);
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000
    ? v.toFixed(0)
    : a >= 10
    ? v.toFixed(1)
    : a >= 0.01
    ? v.toFixed(3)
    : v.toExponential(2);
}

if (import.meta.main) {
  await main();
  Deno.exit(0); // wasm thread pools and native handles must not keep the process alive
}
