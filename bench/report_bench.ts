/**
 * Benchmark of the report renderer: one chart to SVG and to PNG, and a whole report from a
 * fixture store (12 charts, one qualitative figure). Takes ~10 s.
 */
import { TABLE_SPECS } from "../experiments/tables.ts";
import { createFixtureStore, FIXTURE_PAPER } from "../reports/_fixture.ts";
import { renderReport, renderSvg, svgToPng } from "../reports/mod.ts";
import { groupedBarSpec } from "../reports/templates/grouped_bar.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs the benchmark and reports each measurement. */
export async function run(
  report: (name: string, value: number, unit: string, note?: string) => void,
): Promise<void> {
  const rows = ["a", "b", "c", "d", "e", "f"];
  const spec = groupedBarSpec({
    metrics: [{ metric: "J", title: "J" }],
    rows,
    datasets: ["D1", "D2", "D3", "D4"],
    withPaper: false,
  });
  const data = rows.flatMap((row, i) =>
    ["D1", "D2", "D3", "D4"].map((dataset) => ({
      row,
      dataset,
      metric: "J",
      x: null,
      mean: 10 * i + 5,
      lo: 10 * i,
      hi: 10 * i + 10,
      n: 3,
      text: "",
    }))
  );
  const svgMs: number[] = [];
  const pngMs: number[] = [];
  let svg = "";
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    svg = await renderSvg(spec, { rows: data });
    svgMs.push(performance.now() - t);
    t = performance.now();
    svgToPng(svg, { scale: 2 });
    pngMs.push(performance.now() - t);
  }
  report("report.chart_svg", median(svgMs), "ms", "grouped bar 6×4, Vega headless, median of 5");
  report("report.chart_png", median(pngMs), "ms", "resvg at 2×, median of 5");

  const dir = await Deno.makeTempDir({ prefix: "lrtl-report-bench-" });
  try {
    (await createFixtureStore({ path: `${dir}/s.duckdb`, figureDir: `${dir}/f` })).close();
    const t = performance.now();
    const r = await renderReport({
      dbPath: `${dir}/s.duckdb`,
      outDir: `${dir}/out`,
      paperNumbers: FIXTURE_PAPER,
      tables: TABLE_SPECS,
    });
    report("report.full", (performance.now() - t) / 1000, "s", `${r.figures.length} files`);
    report("report.html_size", (await Deno.stat(r.htmlPath)).size / 1024, "KiB");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  await run((name, value, unit, note) =>
    console.log(`${name}\t${value.toFixed(2)} ${unit}${note ? `\t${note}` : ""}`)
  );
}
