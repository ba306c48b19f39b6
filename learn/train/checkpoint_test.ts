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
    // with the weights' moving average (train.ema) it round-trips too, after the moments
    const average = [{ name: "a/w", shape: [2, 2], data: new Float32Array([0.5, 1.5, 2.5, 3.5]) }];
    await saveCheckpoint(`${dir}/ckpt`, { ...mk(8), average });
    assert.deepEqual(await loadCheckpoint(`${dir}/ckpt`), { ...mk(8), average });
    await Deno.writeTextFile(`${dir}/ckpt/checkpoint.json`, "{oops");
    await assert.rejects(() => loadCheckpoint(`${dir}/ckpt`), /Cannot read checkpoint .*JSON/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkpoint: a damaged checkpoint (same size, truncated, missing) is refused, never resumed", async () => {
  const { CheckpointError, inspectCheckpoint } = await import("./checkpoint.ts");
  const dir = await Deno.makeTempDir();
  try {
    const ck = {
      weights: [{ name: "w", shape: [4], data: new Float32Array([1, 2, 3, 4]) }],
      optimizerState: { step: 2, moments: [] },
      config: {},
      step: 2,
      rngState: 1,
    };
    await saveCheckpoint(dir, ck);
    assert.deepEqual(await inspectCheckpoint(dir), { step: 2 });
    const bin = `${dir}/state-00000002.bin`;
    const bytes = await Deno.readFile(bin);
    bytes[5] ^= 0x40; // same size
    await Deno.writeFile(bin, bytes);
    await assert.rejects(() => loadCheckpoint(dir), (e: Error) => {
      assert.ok(e instanceof CheckpointError);
      assert.match(e.message, /state-00000002\.bin": checksum mismatch/);
      return true;
    });
    await Deno.writeFile(bin, bytes.slice(0, 3));
    const r = await inspectCheckpoint(dir);
    assert.ok(r && "problem" in r && /checksum mismatch/.test(r.problem), JSON.stringify(r));
    await Deno.remove(bin);
    assert.match((await inspectCheckpoint(dir) as { problem: string }).problem, /Cannot read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
