import assert from "node:assert/strict";
import { join } from "node:path";
import { sharedDataRoot } from "../tests/_shared_data.ts";
import { extractVideoFrames, probeVideo } from "./extract.ts";

const tree = join(sharedDataRoot(), "video", "tree.avi");

Deno.test("extract: decodes every frame of tree.avi, resized with the area filter", async () => {
  assert.deepEqual(await probeVideo(tree), { width: 320, height: 240 });
  const frames = await extractVideoFrames(tree, { width: 160, height: 120 });
  assert.equal(frames.length, 68);
  for (const f of frames) assert.equal(f.data.length, 160 * 120 * 3);
  // consecutive frames differ (it is a real video), but not wildly
  let d = 0;
  for (let i = 0; i < frames[0].data.length; i++) {
    d += Math.abs(frames[0].data[i] - frames[1].data[i]);
  }
  d /= frames[0].data.length;
  assert.ok(d > 0.1 && d < 60, `mean frame difference ${d}`);
  const few = await extractVideoFrames(tree, { maxFrames: 3 });
  assert.equal(few.length, 3);
  assert.equal(few[0].width, 320);
});

Deno.test("extract: garbage, missing files and a missing ffmpeg give clear errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = join(dir, "garbage.mp4");
    await Deno.writeFile(bad, new Uint8Array(4096).map((_, i) => (i * 7919) % 256));
    await assert.rejects(() => extractVideoFrames(bad), /Cannot read video ".*garbage.mp4"/);
    await assert.rejects(
      () => extractVideoFrames(join(dir, "none.mp4")),
      /"[^"]*none.mp4": file not found/,
    );
    await assert.rejects(
      () => extractVideoFrames(tree, { ffprobe: "/nonexistent/ffprobe" }),
      /was not found; install it with `apt-get install -y ffmpeg`/,
    );
    await assert.rejects(() => extractVideoFrames(tree, { width: 10 }), RangeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
