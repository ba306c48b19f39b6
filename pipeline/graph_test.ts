import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import {
  CycleError,
  DuplicateOutputError,
  instanceId,
  MissingInputError,
  Plan,
  StageRegistry,
} from "./graph.ts";
import { defineStage, type StageDef } from "./stage.ts";
import { p, resolveParams } from "./params.ts";

const stage = (name: string, inputs: string[], scope: StageDef["scope"] = "dataset"): StageDef =>
  defineStage({
    name,
    description: name,
    module: import.meta.url,
    scope,
    params: [],
    inputs,
    run: async () => {},
  });

Deno.test("graph: cycles are rejected with the cycle named", async () => {
  const err = await assertRejects(
    () => new StageRegistry([stage("a", ["c"]), stage("b", ["a"]), stage("c", ["b"])]),
    "Cycle",
  );
  assert(err instanceof CycleError);
  assert(/a → c → b → a|c → b → a → c|b → a → c → b/.test(err.message), err.message);
});

Deno.test("graph: duplicate outputs and missing inputs are rejected", async () => {
  assert(
    (await assertRejects(() => new StageRegistry([stage("a", []), stage("a", [])]))) instanceof
      DuplicateOutputError,
  );
  assert(
    (await assertRejects(() => new StageRegistry([stage("a", ["zz"])]), '"zz"')) instanceof
      MissingInputError,
  );
});

Deno.test("plan: scopes expand, finer inputs fan in, sweeps with equal points coincide", () => {
  const schema = { m: { r: p.int(5) } };
  const frames = stage("frames", [], "sequence");
  const train = { ...stage("train", ["frames"]), params: ["m.r"] };
  const report = stage("report", ["train"], "global");
  const reg = new StageRegistry([frames, train, report]);
  const defaults = resolveParams(schema, []);
  const plan = new Plan(reg, defaults);
  const ds = [{ name: "d1", sequences: ["s1", "s2"] }, { name: "d2", sequences: ["t"] }];
  plan.add("train", resolveParams(schema, [{ "m.r": 3 }]), ds);
  plan.add("train", resolveParams(schema, [{ "m.r": 5 }]), ds);
  plan.add("train", resolveParams(schema, [{ "m.r": 3 }]), ds);
  const ids = [...plan.instances.keys()];
  assertEquals(ids.filter((i) => i.startsWith("frames/")).length, 3);
  assertEquals(ids.filter((i) => i.startsWith("train/")).sort(), [
    "train/d1",
    "train/d1[m.r=3]",
    "train/d2",
    "train/d2[m.r=3]",
  ]);
  assertEquals(plan.instances.get("train/d1[m.r=3]")!.inputs.get("frames"), [
    "frames/d1/s1",
    "frames/d1/s2",
  ]);
  // every input precedes its consumer
  const order = plan.ordered().map((i) => i.id);
  for (const inst of plan.ordered()) {
    for (const up of [...inst.inputs.values()].flat()) {
      assert(order.indexOf(up) < order.indexOf(inst.id));
    }
  }
});

Deno.test("instance ids list only non-default effective params", () => {
  assertEquals(
    instanceId("flow", { dataset: "d", sequence: "s" }, { "flow.gap": 1 }, { "flow.gap": 1 }),
    "flow/d/s",
  );
  assertEquals(
    instanceId("flow", { dataset: "d" }, { "flow.g": [3, 6] }, { "flow.g": [1, 2] }),
    "flow/d[flow.g=3+6]",
  );
});
