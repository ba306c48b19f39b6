import assert from "node:assert/strict";
import { summarize } from "./stats.ts";
import type { MetricRecord } from "../pipeline/results_schema.ts";

function rec(p: Partial<MetricRecord>): MetricRecord {
  return {
    experiment: "e",
    tableName: "t",
    rowLabel: "a",
    dataset: "d",
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

Deno.test("summarize: mean and sample std over seeds, per-sequence rows ignored", () => {
  const s = summarize([
    rec({ value: 10, seed: 0 }),
    rec({ value: 14, seed: 1 }),
    rec({ value: 12, seed: 2 }),
    rec({ value: 99, seed: 0, sequence: "dog" }),
    rec({ rowLabel: "b", value: 5 }),
  ]);
  assert.equal(s.length, 2);
  assert.equal(s[0].mean, 12);
  assert.equal(s[0].std, 2); // sqrt(((−2)² + 2² + 0²) / 2)
  assert.equal(s[0].n, 3);
  assert.deepEqual(s[0].seeds, [0, 1, 2]);
  assert.equal(s[1].rowLabel, "b");
  assert.equal(s[1].std, null);
});

Deno.test("summarize: x separates groups; NaN values are counted and left out", () => {
  const s = summarize([
    rec({ x: 1, value: 1 }),
    rec({ x: 2, value: 2 }),
    rec({ x: 2, value: Number.NaN, seed: 1 }),
  ]);
  assert.equal(s.length, 2);
  assert.equal(s[1].mean, 2);
  assert.equal(s[1].n, 1);
  assert.equal(s[1].nonFinite, 1);
  const empty = summarize([rec({ value: Number.NaN })]);
  assert.ok(Number.isNaN(empty[0].mean));
});
