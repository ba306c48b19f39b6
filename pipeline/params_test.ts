import { assertEquals, assertRejects } from "../tests/_assert.ts";
import { p, parseAssignment, readParamsFile, resolveParams } from "./params.ts";

const schema = {
  flow: { gap: p.int(1, { min: 1 }), estimator: p.str("dis", ["dis", "farneback", "gt"]) },
  loss: { rank: p.int(5), weight: p.num(0.03), on: p.bool(true), gaps: p.ints([1, 2]) },
};

Deno.test("params: defaults, nested and dotted overrides, later layers win", () => {
  const params = resolveParams(schema, [{ flow: { gap: 2 } }, { "loss.rank": 3 }, {
    "flow.gap": 4,
  }]);
  assertEquals(params["flow.gap"], 4);
  assertEquals(params["loss.rank"], 3);
  assertEquals(params["flow.estimator"], "dis");
});

Deno.test("params: unknown key names the key and suggests the closest", async () => {
  await assertRejects(
    () => resolveParams(schema, [{ "flow.gapp": 2 }]),
    'Unknown param "flow.gapp"',
  );
  await assertRejects(() => resolveParams(schema, [{ "flow.gapp": 2 }]), 'did you mean "flow.gap"');
});

Deno.test("params: wrong types and out-of-range values name the key", async () => {
  await assertRejects(() => resolveParams(schema, [{ "flow.gap": "a" }]), 'Param "flow.gap"');
  await assertRejects(() => resolveParams(schema, [{ "flow.gap": 1.5 }]), "an integer");
  await assertRejects(() => resolveParams(schema, [{ "flow.gap": 0 }]), "≥ 1");
  await assertRejects(
    () => resolveParams(schema, [{ "flow.estimator": "raft" }]),
    '"dis", "farneback", "gt"',
  );
  await assertRejects(() => resolveParams(schema, [{ "loss.on": 1 }]), "true or false");
  await assertRejects(() => resolveParams(schema, [{ "loss.gaps": [1, "x"] }]), "list of integers");
});

Deno.test("params file: malformed JSON, non-object and unknown keys name the file", async () => {
  const dir = await Deno.makeTempDir();
  const bad = `${dir}/bad.json`;
  await Deno.writeTextFile(bad, '{"flow": {"gap": 2,}}');
  await assertRejects(() => readParamsFile(bad), `Cannot read params file "${bad}": invalid JSON`);
  await Deno.writeTextFile(bad, "[1, 2]");
  await assertRejects(() => readParamsFile(bad), "expected a JSON object");
  await Deno.writeTextFile(bad, '{"flow": {"gapp": 2}}');
  const layer = await readParamsFile(bad);
  await assertRejects(
    () => resolveParams(schema, [layer]),
    `Unknown param "flow.gapp" (in ${bad})`,
  );
  await assertRejects(() => readParamsFile(`${dir}/missing.json`), "Cannot read params file");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--set parses JSON values and bare strings", () => {
  assertEquals(parseAssignment("flow.gap=2"), { "flow.gap": 2 });
  assertEquals(parseAssignment("flow.estimator=gt"), { "flow.estimator": "gt" });
  assertEquals(parseAssignment("loss.gaps=[3,6]"), { "loss.gaps": [3, 6] });
});
