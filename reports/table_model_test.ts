import assert from "node:assert/strict";
import { summarize } from "./stats.ts";
import { buildResultTable, rowDisplayLabel } from "./table_model.ts";
import { formatMeanStd, formatValue } from "./tables.ts";
import { TABLE_SPECS as TABLES } from "../experiments/tables.ts";
import type { MetricRecord } from "../pipeline/results_schema.ts";

function rec(p: Partial<MetricRecord>): MetricRecord {
  return {
    experiment: "e",
    tableName: "t",
    rowLabel: "a",
    dataset: "davis2016",
    sequence: "",
    metric: "J",
    value: 0,
    x: null,
    seed: null,
    stageId: "s",
    cacheKey: "k",
    ...p,
  };
}

Deno.test("buildResultTable: best per column follows the metric's direction", () => {
  const s = summarize([
    rec({ rowLabel: "K-Means", metric: "ari", value: 0.4 }),
    rec({ rowLabel: "SSC", metric: "ari", value: 0.9 }),
    rec({ rowLabel: "K-Means", metric: "misclassification", value: 20 }),
    rec({ rowLabel: "SSC", metric: "misclassification", value: 3 }),
  ]);
  const t = buildResultTable("trajectory_clustering", TABLES.trajectory_clustering, s, []);
  assert.deepEqual(t.columns.map((c) => c.metric), ["ari", "misclassification"]);
  const best = t.rows.map((r) => r.cells.map((c) => c?.best));
  assert.deepEqual(best, [[false, false], [true, true]]);
  assert.equal(t.rows[1].cells[1]?.text, "3.0%");
});

Deno.test("buildResultTable: paper column, paper-only row, rowOrder", () => {
  const s = summarize([
    rec({ rowLabel: "whole frame", value: 8 }),
    rec({ rowLabel: "Lf+Lt+Lr (ours)", value: 60, seed: 0 }),
    rec({ rowLabel: "Lf+Lt+Lr (ours)", value: 62, seed: 1 }),
  ]);
  const paper = [
    {
      table: "main_comparison",
      row: "Lf+Lt+Lr (ours)",
      dataset: "davis2016",
      metric: "J",
      value: 82.2,
      source: "Table 2",
    },
    {
      table: "main_comparison",
      row: "RCF",
      dataset: "davis2016",
      metric: "J",
      value: 80.9,
      source: "Table 2",
    },
  ];
  const t = buildResultTable("main_comparison", TABLES.main_comparison, s, paper);
  assert.deepEqual(t.columns.map((c) => [c.kind, c.header]), [["ours", "ours"], [
    "paper",
    "paper (reported)",
  ]]);
  assert.deepEqual(t.rows.map((r) => r.label), ["Lf+Lt+Lr (ours)", "whole frame", "RCF"]);
  assert.equal(t.rows[0].cells[0]?.text, "61.0 ± 1.4");
  assert.equal(t.rows[0].cells[0]?.best, true);
  assert.equal(t.rows[0].cells[1]?.text, "82.2");
  assert.equal(t.rows[0].cells[1]?.best, false); // paper numbers are never bold
  assert.equal(t.rows[2].paperOnly, true);
  assert.equal(t.rows[2].cells[0], null);
  assert.deepEqual(t.seeds, [0, 1]);
});

Deno.test("buildResultTable: measured references get their own column, never the paper's", () => {
  const s = summarize([rec({ rowLabel: "whole frame", value: 8 })]);
  const ref = (row: string, value: number, kind?: "measured") => ({
    table: "main_comparison",
    row,
    dataset: "davis2016",
    metric: "J",
    value,
    source: kind ? "reference code" : "Table 2",
    ...(kind ? { kind } : {}),
  });
  const t = buildResultTable("main_comparison", TABLES.main_comparison, s, [
    ref("Lf+Lt+Lr (ours)", 82.2),
    ref("whole frame", 8.3, "measured"),
  ]);
  assert.deepEqual(t.columns.map((c) => [c.kind, c.header]), [
    ["ours", "ours"],
    ["paper", "paper (reported)"],
    ["measured", "reference implementation, measured"],
  ]);
  const whole = t.rows.find((r) => r.rowLabel === "whole frame")!;
  assert.equal(whole.cells[1], null); // not in the paper column
  assert.equal(whole.cells[2]?.text, "8.3");
  const ours = t.rows.find((r) => r.rowLabel === "Lf+Lt+Lr (ours)")!;
  assert.equal(ours.cells[1]?.text, "82.2");
  assert.equal(ours.cells[2], null);
});

Deno.test("buildResultTable: sweeps sort by x; no bold where the registry says so", () => {
  const s = summarize([
    rec({ rowLabel: "r=8", x: 8, value: 1 }),
    rec({ rowLabel: "r=2", x: 2, value: 3 }),
  ]);
  const t = buildResultTable("sweep_rank", TABLES.sweep_rank, s, []);
  assert.deepEqual(t.rows.map((r) => r.label), ["r=2", "r=8"]);
  const f = buildResultTable(
    "feasibility",
    TABLES.feasibility,
    summarize([
      rec({ rowLabel: "noise", x: 0, metric: "lt", value: 1 }),
      rec({
        rowLabel: "noise",
        x: 1,
        metric: "lt",
        value: 2,
      }),
    ]),
    [],
  );
  assert.ok(f.rows.every((r) => r.cells.every((c) => !c?.best)));
});

Deno.test("formatting helpers", () => {
  assert.equal(formatValue("J", 82.16), "82.2");
  assert.equal(formatValue("lt", 0.000012345), "1.23e-5");
  assert.equal(formatValue("lt", 123.456), "123");
  assert.equal(formatValue("J", Number.NaN), "—");
  assert.equal(formatMeanStd("misclassification", 12.34, 0.56), "12.3 ± 0.6%");
  assert.equal(rowDisplayLabel("", 4, "components k"), "4");
  assert.equal(rowDisplayLabel("r=5", 5), "r=5");
  assert.equal(rowDisplayLabel("noise", 0.2, "η"), "noise, η = 0.2");
});
