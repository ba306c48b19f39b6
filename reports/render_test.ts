import assert from "node:assert/strict";
import { TABLE_SPECS } from "../experiments/tables.ts";
import { DuckDBInstance } from "@duckdb/node-api";
import { createFixtureStore, FIXTURE_OLD_RUN, FIXTURE_PAPER, FIXTURE_RUN } from "./_fixture.ts";
import { renderReport } from "./render.ts";

async function meanOf(db: string, run: string, table: string, row: string, dataset: string) {
  const inst = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
  const conn = await inst.connect();
  try {
    const r = await conn.runAndReadAll(
      `SELECT avg(value) AS m FROM metrics WHERE run_id = $1 AND table_name = $2
       AND row_label = $3 AND dataset = $4 AND sequence = ''`,
      [run, table, row, dataset],
    );
    return Number(r.getRowObjectsJS()[0].m);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

Deno.test("renderReport: latest run, self-contained page, markdown, figures", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-report-render-" });
  const db = `${dir}/s.duckdb`;
  try {
    (await createFixtureStore({
      path: db,
      figureDir: `${dir}/f`,
      omitTables: ["sweep_context"],
      curveSteps: 50,
    })).close();
    const progress: number[][] = [];
    const r = await renderReport({
      dbPath: db,
      outDir: `${dir}/out`,
      paperNumbers: FIXTURE_PAPER,
      tables: TABLE_SPECS,
      notes: { main_comparison: "Note <with> markup & quotes" },
      onProgress: (d, n) => progress.push([d, n]),
    });
    const html = await Deno.readTextFile(r.htmlPath);
    const md = await Deno.readTextFile(r.mdPath);

    await t.step("reports the latest finished run with its own numbers", async () => {
      assert.equal(r.runId, FIXTURE_RUN);
      const ours = await meanOf(db, FIXTURE_RUN, "main_comparison", "whole frame", "davis2016");
      const old = await meanOf(db, FIXTURE_OLD_RUN, "main_comparison", "whole frame", "davis2016");
      assert.notEqual(ours.toFixed(1), old.toFixed(1));
      assert.ok(html.includes(`>${ours.toFixed(1)}<`), "this run's value is in the page");
      assert.ok(!html.includes(`>${old.toFixed(1)}<`), "the old run's value is not");
      assert.ok(md.includes(`| ${ours.toFixed(1)} |`));
    });

    await t.step("page is self-contained and escapes text", () => {
      assert.ok(!/<script/i.test(html));
      assert.ok(!/(src|href)="(https?:)?\/\//i.test(html), "no external resources");
      assert.ok(!/<link /i.test(html));
      assert.match(html, /Note &lt;with&gt; markup &amp; quotes/);
      // the tables and loss curves (12), per-sequence J, validation J
      assert.equal((html.match(/data:image\/svg\+xml;base64,/g) ?? []).length, 14);
      assert.equal((html.match(/data:image\/png;base64,/g) ?? []).length, 1);
    });

    await t.step("pictures come first; per-sequence J and labelled validation J charted", () => {
      assert.ok(html.indexOf('id="qualitative"') < html.indexOf('id="main_comparison"'));
      assert.match(html, /main_comparison_per_sequence|Per-sequence J/);
      assert.match(html, /J during training \(uses labels\)/);
      assert.match(md, /uses the ground truth/);
      assert.ok(r.figures.some((f) => f.endsWith("val_curves.svg")));
    });

    await t.step("omitted tables get a line, not an empty table", () => {
      assert.match(html, /No rows in this run, omitted: Sweep: context length/);
      assert.ok(!html.includes('id="sweep_context"'));
      assert.match(md, /omitted: Sweep: context length/);
    });

    await t.step("paper numbers, bold best, provenance", () => {
      assert.match(html, /paper \(reported\)/);
      assert.match(html, /<td class="num paper" title="Table 2">82\.2<\/td>/);
      assert.match(html, /class="num best"/);
      assert.match(md, /\*82\.2\*/);
      assert.match(html, /dis-medium/); // flow estimator from params_json
      assert.match(html, /2 h 02 min/);
      assert.match(html, /2 ran .*2 cached, 0 failed/);
      assert.match(html, /dirty/);
    });

    await t.step("figures written: SVG + PNG per chart, qualitative copy", async () => {
      assert.equal(r.figures.length, 14 * 2 + 1);
      for (const f of r.figures) {
        const bytes = await Deno.readFile(f);
        if (f.endsWith(".png")) assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
        else assert.match(new TextDecoder().decode(bytes.subarray(0, 5)), /^<svg/);
        assert.ok(md.includes(f.slice(`${dir}/out/`.length)) || f.endsWith(".svg"), f);
      }
      assert.deepEqual(progress[progress.length - 1], [progress.length, progress.length]);
      assert.deepEqual(r.warnings, []);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderReport: explicit run, failed stage and missing figure are warnings", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrtl-report-render2-" });
  const db = `${dir}/s.duckdb`;
  try {
    const store = await createFixtureStore({ path: db, figureDir: `${dir}/f`, curveSteps: 3 });
    await store.addStageRun({
      run_id: FIXTURE_OLD_RUN,
      stage_id: "eval.x",
      stage: "eval",
      cache_key: "k-x",
      status: "failed",
      reason: "ran",
      started: new Date("2026-11-19T09:30:00Z"),
      finished: new Date("2026-11-19T09:30:01Z"),
      error: "boom: out of memory",
    });
    await store.addFigures([
      {
        run_id: FIXTURE_OLD_RUN,
        experiment: "main",
        name: "gone",
        path: `${dir}/nope.png`,
        caption: "",
      },
    ]);
    store.close();
    const r = await renderReport({
      dbPath: db,
      runId: FIXTURE_OLD_RUN,
      outDir: `${dir}/out`,
      tables: TABLE_SPECS,
    });
    assert.equal(r.runId, FIXTURE_OLD_RUN);
    assert.equal(r.warnings.length, 2, r.warnings.join("\n"));
    assert.match(r.warnings.join("\n"), /Stage "eval.x" failed: boom/);
    assert.match(r.warnings.join("\n"), /nope\.png": file not found/);
    const html = await Deno.readTextFile(r.htmlPath);
    assert.match(html, /class="warn"/);
    await assert.rejects(
      () => renderReport({ dbPath: db, runId: "missing", outDir: `${dir}/out` }),
      /no such run_id/,
    );
    await assert.rejects(
      () => renderReport({ dbPath: db, outDir: `${dir}/out`, fontDir: `${dir}/nofonts` }),
      /font file .* is missing/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
