import assert from "node:assert/strict";
import { resolveBackend } from "./backend_choice.ts";
import { tensorflowStatus } from "./tfjs_node.ts";

/** `resolveBackend("auto")` in a child process with `env` (tests run in parallel: no setenv). */
async function autoWith(env: Record<string, string>): Promise<{ name: string; why: string }> {
  const code = `import { resolveBackend } from ${
    JSON.stringify(new URL("./backend_choice.ts", import.meta.url).href)
  }; console.log(JSON.stringify(resolveBackend("auto")));`;
  const out = await new Deno.Command(Deno.execPath(), { args: ["eval", code], env }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("resolveBackend: a named backend is kept; unknown names throw", () => {
  for (const name of ["wasm", "cpu", "webgpu", "tensorflow", "tensorflow-gpu"] as const) {
    assert.deepEqual(resolveBackend(name), { name, why: "requested" });
  }
  assert.throws(() => resolveBackend("tpu" as "wasm"), /Unknown backend "tpu"/);
});

Deno.test("resolveBackend: auto is tensorflow when built, else wasm with the reason", async () => {
  const off = await autoWith({ LRTL_TENSORFLOW: "off" });
  assert.equal(off.name, "wasm");
  assert.match(off.why, /tensorflow not built \(disabled by LRTL_TENSORFLOW=off\)/);
  const here = await autoWith({ CUDA_VISIBLE_DEVICES: "-1" });
  assert.equal(here.name, tensorflowStatus("cpu").built ? "tensorflow" : "wasm", here.why);
});
