import assert from "node:assert/strict";
import { decodeFlo, encodeFlo, readFlo, writeFlo } from "./flo.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";

Deno.test("flo: round trip through a file", async () => {
  const uv = new Float32Array(2 * 5 * 3).map((_, i) => i * 0.25 - 3);
  const dir = await Deno.makeTempDir();
  try {
    await writeFlo(`${dir}/a.flo`, { width: 5, height: 3, uv });
    const back = await readFlo(`${dir}/a.flo`);
    assert.equal(back.width, 5);
    assert.equal(back.height, 3);
    assert.deepEqual(Array.from(back.uv), Array.from(uv));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("flo: reads the Sintel ground truth sample", async () => {
  const f = await readFlo(`${sharedDataRoot()}/flow/sintel/alley_1_clean/gt/frame_0002.flo`);
  assert.equal(f.width, 1024);
  assert.equal(f.height, 436);
  let maxAbs = 0;
  for (const v of f.uv) {
    assert.ok(Number.isFinite(v));
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  assert.ok(maxAbs > 0.5 && maxAbs < 500, `max |flow| ${maxAbs}`);
});

Deno.test("flo: bad files are rejected with the file name and the problem", () => {
  const good = encodeFlo({ width: 4, height: 2, uv: new Float32Array(16) });
  assert.throws(() => decodeFlo(good.subarray(0, 40), "x/t.flo"), /"x\/t.flo".*truncated/);
  const bad = good.slice();
  bad[0] = 0;
  assert.throws(() => decodeFlo(bad, "x/m.flo"), /"x\/m.flo".*magic/);
  assert.throws(() => decodeFlo(new Uint8Array(5), "x/s.flo"), /"x\/s.flo".*too short/);
  assert.throws(() => encodeFlo({ width: 4, height: 2, uv: new Float32Array(3) }), RangeError);
});
