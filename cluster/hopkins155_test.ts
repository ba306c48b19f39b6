import assert from "node:assert/strict";
import { listHopkins, loadHopkins } from "./hopkins155.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";

Deno.test("listHopkins finds the 16 sample sequences; loadHopkins reads cars1", async () => {
  const paths = await listHopkins(sharedDataRoot());
  assert.equal(paths.length, 16);
  assert.ok(paths.every((p) => p.endsWith("_truth.mat")));
  const seq = await loadHopkins(paths.find((p) => p.includes("/cars1/"))!);
  assert.equal(seq.name, "cars1");
  assert.equal(seq.points, 307);
  assert.equal(seq.frames, 20);
  assert.equal(seq.numMotions, 2);
  assert.equal(seq.width, 640);
  assert.equal(seq.height, 480);
  assert.equal(seq.x.length, 2 * 20 * 307);
  // First point, first frame (scipy: x[:, 0, 0] = 0.27187499, 0.62916672; y = 407, 391).
  assert.ok(Math.abs(seq.x[0] - 0.27187499) < 1e-7);
  assert.ok(Math.abs(seq.x[20 * 307] - 0.62916672) < 1e-7);
  assert.ok(Math.abs(seq.pixels[0] - 407) < 1e-4);
  assert.ok(Math.abs(seq.pixels[20 * 307] - 391) < 1e-4);
  assert.ok(seq.labels.every((l) => l === 0 || l === 1));
});

Deno.test("listHopkins returns [] for a root without hopkins155; loadHopkins names bad files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await listHopkins(dir), []);
    const bad = `${dir}/bad_truth.mat`;
    await Deno.writeFile(bad, new Uint8Array(10));
    await assert.rejects(() => loadHopkins(bad), /bad_truth\.mat/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
