import assert from "node:assert/strict";
import { renderSvg, svgToPng } from "./chart.ts";
import { chartFontFiles } from "./font.ts";
import { downsampleCurve } from "./table_chart.ts";
import { groupedBarSpec } from "./templates/grouped_bar.ts";

const spec = groupedBarSpec({
  metrics: [{ metric: "J", title: "J (×100)" }],
  rows: ["ours", "floor"],
  datasets: ["DAVIS-2016"],
  withPaper: false,
});
const rows = [
  {
    row: "ours",
    dataset: "DAVIS-2016",
    metric: "J",
    x: null,
    mean: 60,
    lo: 58,
    hi: 62,
    n: 3,
    text: "",
  },
  {
    row: "floor",
    dataset: "DAVIS-2016",
    metric: "J",
    x: null,
    mean: 8,
    lo: null,
    hi: null,
    n: 1,
    text: "",
  },
];

Deno.test("renderSvg fills named datasets; svgToPng rasterises with the font", async () => {
  const svg = await renderSvg(spec, { rows });
  assert.match(svg, /^<svg/);
  assert.match(svg, /J \(×100\)/); // axis title
  assert.match(svg, /DAVIS-2016/);
  assert.equal((svg.match(/<path[^>]*role-mark|class="mark-rect/g) ?? []).length > 0, true);
  const png = svgToPng(svg, { scale: 1 });
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
});

Deno.test("renderSvg rejects a dataset the template does not read", async () => {
  await assert.rejects(() => renderSvg(spec, { rows, nope: [] }), /dataset "nope" is not read/);
});

Deno.test("a missing font directory is a clear error", () => {
  assert.throws(() => chartFontFiles("/nonexistent-fonts"), /fonts-dejavu-core/);
  assert.throws(() => svgToPng("<svg/>", { fontDir: "/nonexistent-fonts" }), /DejaVuSans.ttf/);
});

Deno.test("downsampleCurve keeps ends, bounds length, preserves the mean level", () => {
  const pts = Array.from({ length: 1000 }, (_, i) => ({ step: i, value: i % 2 }));
  const d = downsampleCurve(pts, 100);
  assert.ok(d.length <= 100);
  assert.deepEqual(d[0], pts[0]);
  assert.deepEqual(d[d.length - 1], pts[999]);
  const inner = d.slice(1, -1);
  assert.ok(inner.every((p) => Math.abs(p.value - 0.5) < 0.2));
  assert.equal(downsampleCurve(pts.slice(0, 50), 100).length, 50);
});
