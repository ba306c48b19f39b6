import assert from "node:assert/strict";
import { setupTensorflow } from "./tensorflow_setup.ts";
import { tensorflowStatus } from "../learn/tfjs_node.ts";

const SETUP = new URL("./tensorflow_setup.ts", import.meta.url).pathname;

/** `deno task setup`'s TensorFlow part in a child process with `env` (no setenv in tests). */
async function setup(env: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", SETUP], env }).output();
  assert.ok(out.success, "setup never fails");
  return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
}

Deno.test("tensorflow setup: no usable source → one line saying why and how, nothing left behind", async () => {
  const cache = await Deno.makeTempDir({ prefix: "lrtl-native-" });
  try {
    const text = await setup({
      LRTL_NATIVE_CACHE: cache,
      LRTL_TF_WHEEL: `${cache}/missing.whl`,
      LRTL_TENSORFLOW: "", // not switched off, even when this test runs with it off
    });
    // (a tfjs-node install with its own libtensorflow needs nothing and prints nothing)
    if (text.trim() !== "") {
      const lines = text.trim().split("\n");
      assert.equal(lines.length, 1, text);
      assert.match(lines[0], /missing\.whl not found.*using wasm.*LRTL_TF_WHEEL/);
      const left = [...Deno.readDirSync(`${cache}/tensorflow`)].map((e) => e.name);
      assert.deepEqual(left, [], "no partial build in the cache");
    }
    const off = await setup({ LRTL_TENSORFLOW: "off" });
    assert.match(
      off.trim(),
      /^note: tensorflow backend not built \(disabled by LRTL_TENSORFLOW=off\); using wasm\.$/,
    );
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

const built = tensorflowStatus("cpu");
if (!built.built) {
  console.log(
    `SKIP native/tensorflow_setup_test.ts (second call): the tensorflow backend is not built (${built.reason})`,
  );
}
Deno.test({
  name: "tensorflow setup: once built, a second call does nothing and takes well under a second",
  ignore: !built.built,
  fn: async () => {
    const t0 = performance.now();
    const r = await setupTensorflow("cpu");
    const ms = performance.now() - t0;
    assert.equal(r.state, "ready", r.line);
    assert.ok(ms < 1000, `${ms} ms`);
  },
});
if (!built.built) console.log(`tensorflow setup (second call) test skipped: ${built.reason}`);
