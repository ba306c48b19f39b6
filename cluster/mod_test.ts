import assert from "node:assert/strict";
import { clusterTrajectories, misclassificationRate } from "./mod.ts";
import { affineMotions } from "./_synthetic_test_data.ts";

Deno.test("clusterTrajectories: every method runs, is deterministic, and beats chance", () => {
  const { w: px, rows, cols, labels } = affineMotions(2, 20, 8, 21);
  const w = px.map((v) => v / 300);
  for (const method of ["kmeans", "ssc", "lrr", "lrtl-direct"] as const) {
    const calls: number[] = [];
    const opts = {
      seed: 3,
      lrtl: { iterations: 60, rank: 3 },
      onProgress: (d: number) => calls.push(d),
    };
    const a = clusterTrajectories(method, w, rows, cols, 2, opts);
    assert.equal(a.length, cols);
    assert.deepEqual(a, clusterTrajectories(method, w, rows, cols, 2, opts), method);
    const err = misclassificationRate(labels, a);
    if (method !== "kmeans") assert.equal(err, 0, `${method} error ${err}`);
    if (method === "ssc" || method === "lrtl-direct") assert.ok(calls.length > 0, method);
  }
  assert.throws(() => clusterTrajectories("ssc", w, rows, cols + 1, 2), RangeError);
});

Deno.test("lrtl-direct: the loss prefers the true labelling", async () => {
  const { assignmentLoss, oneHot, lrtlDirect } = await import("./lrtl_direct.ts");
  const { w, rows, cols, labels } = affineMotions(3, 20, 10, 4);
  const res = lrtlDirect(w, rows, cols, 3, {
    rank: 3,
    iterations: 100,
    inits: ["shape", "random", "random"],
  });
  const truthLoss = assignmentLoss(w, rows, cols, oneHot(labels, 3), 3, 3);
  const shuffled = labels.map((l, i) => (i % 5 === 0 ? (l + 1) % 3 : l));
  assert.ok(assignmentLoss(w, rows, cols, oneHot(shuffled, 3), 3, 3) > 2 * truthLoss);
  assert.equal(res.losses.length, 3);
  assert.ok(res.loss === Math.min(...res.losses));
  assert.equal(misclassificationRate(labels, res.labels), 0);
});
