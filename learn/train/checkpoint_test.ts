import assert from "node:assert/strict";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";

Deno.test("checkpoint: save/load round trip, replaces the previous one, none → null", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await loadCheckpoint(`${dir}/ckpt`), null);
    const mk = (step: number) => ({
      weights: [{ name: "a/w", shape: [2, 2], data: new Float32Array([1, 2, 3, step]) }],
      optimizerState: {
        step,
        moments: [{ name: "0/m", shape: [1], data: new Float32Array([0.5]) }, {
          name: "0/v",
          shape: [1],
          data: new Float32Array([0.25]),
        }],
      },
      config: { lr: 1e-3, name: "x" },
      step,
      rngState: 12345 + step,
    });
    await saveCheckpoint(`${dir}/ckpt`, mk(3));
    await saveCheckpoint(`${dir}/ckpt`, mk(7));
    const got = await loadCheckpoint<{ lr: number }>(`${dir}/ckpt`);
    assert.deepEqual(got, mk(7));
    const files = [...Deno.readDirSync(`${dir}/ckpt`)].map((e) => e.name).sort();
    assert.deepEqual(files, ["checkpoint.json", "state-00000007.bin"]);
    await Deno.writeTextFile(`${dir}/ckpt/checkpoint.json`, "{oops");
    await assert.rejects(() => loadCheckpoint(`${dir}/ckpt`), /Cannot read checkpoint .*JSON/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
