import assert from "node:assert/strict";

Deno.test("native shim missing: dis throws how to build it, availability says so", async () => {
  const script = `
    import { availableFlowEstimators, createFlowEstimator } from "./motion/flow/mod.ts";
    const av = availableFlowEstimators();
    let msg = "";
    try { await createFlowEstimator("dis"); } catch (e) { msg = e.message; }
    console.log(JSON.stringify({ av, msg }));`;
  const root = new URL("../../", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    cwd: root,
    env: { LRTL_FLOW_SHIM: "/nonexistent/libflow_shim.so" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const { av, msg } = JSON.parse(text);
  assert.match(msg, /bash native\/build\.sh/);
  assert.match(msg, /libopencv/);
  // deno-lint-ignore no-explicit-any
  const byName = Object.fromEntries(av.map((e: any) => [e.name, e]));
  assert.equal(byName.dis.available, false);
  assert.equal(byName.farneback.available, true);
  assert.match(byName.dis.reason, /native\/build\.sh/);
});
