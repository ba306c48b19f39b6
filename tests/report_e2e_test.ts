/**
 * End to end: render a report from fixture rows, open index.html in headless Chromium over the
 * DevTools protocol, check there are no console errors and every chart and figure rendered with
 * a non-zero size, and save a screenshot to reports/out/screenshot.png.
 */
import { TABLE_SPECS } from "../experiments/tables.ts";
import assert from "node:assert/strict";
import { createFixtureStore, FIXTURE_PAPER, FIXTURE_RUN } from "../reports/_fixture.ts";
import { checkPageInBrowser, findChromium, renderReport } from "../reports/mod.ts";

const chromium = findChromium();
if (!chromium) {
  console.log(
    "SKIP tests/report_e2e_test.ts: chromium not found (apt-get install -y chromium, " +
      "or set LRTL_CHROMIUM)",
  );
}

Deno.test({
  name: "report e2e: index.html renders in headless Chromium without errors",
  ignore: !chromium,
  sanitizeResources: true,
  sanitizeOps: true,
}, async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lrtl-report-e2e-" });
  const outRoot = new URL("../reports/out/", import.meta.url).pathname;
  try {
    (await createFixtureStore({
      path: `${tmp}/store.duckdb`,
      figureDir: `${tmp}/figs`,
      omitTables: ["sweep_context"],
      curveSteps: 100,
    })).close();
    const outDir = `${outRoot}e2e`;
    const r = await renderReport({
      dbPath: `${tmp}/store.duckdb`,
      outDir,
      paperNumbers: FIXTURE_PAPER,
      tables: TABLE_SPECS,
      notes: { main_comparison: "Fixture note: ours uses DIS flow and a UNet from scratch." },
    });
    assert.equal(r.runId, FIXTURE_RUN);
    const screenshotPath = `${outRoot}screenshot.png`;
    const check = await checkPageInBrowser(r.htmlPath, { chromium: chromium!, screenshotPath });
    assert.deepEqual(check.errors, [], `browser errors: ${check.errors.join("\n")}`);
    // Every <img> of the page was rendered by the browser: 11 table charts (12 registered,
    // sweep_context has no rows), the main table's per-sequence J, loss curves, J during
    // training and 1 figure.
    const imgs = check.elements.filter((e) => e.tag === "img");
    const html = await Deno.readTextFile(r.htmlPath);
    assert.equal(imgs.length, (html.match(/<img\b/g) ?? []).length, "every image rendered");
    assert.equal(imgs.length, 15, `images: ${JSON.stringify(check.elements)}`);
    for (const e of check.elements) {
      assert.ok(e.width > 10 && e.height > 10, `"${e.name}" rendered at ${e.width}×${e.height}`);
      assert.ok(e.decoded, `"${e.name}" did not decode`);
    }
    assert.match(check.title, new RegExp(FIXTURE_RUN));
    assert.ok(check.pageHeight > 2000, `page height ${check.pageHeight}`);
    const shot = await Deno.readFile(screenshotPath);
    assert.deepEqual([...shot.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test({
  name: "report e2e: the browser check sees console errors and broken images",
  ignore: !chromium,
}, async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lrtl-report-e2e-bad-" });
  try {
    const page = `${tmp}/bad.html`;
    await Deno.writeTextFile(
      page,
      `<!DOCTYPE html><html><head><title>bad</title></head><body>` +
        `<img alt="broken" src="data:image/png;base64,AAAA">` +
        `<svg width="0" height="0"></svg>` +
        `<script>console.error("deliberate failure")</script></body></html>`,
    );
    const check = await checkPageInBrowser(page, { chromium: chromium! });
    assert.ok(check.errors.some((e) => e.includes("deliberate failure")), check.errors.join("\n"));
    const img = check.elements.find((e) => e.name === "broken");
    assert.equal(img?.decoded, false);
    const svg = check.elements.find((e) => e.tag === "svg");
    assert.equal(svg?.width, 0);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
