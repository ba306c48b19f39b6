/**
 * The trained segmenter on disk: `model.json` (config + weight names and shapes) and
 * `weights.f32` (all weights concatenated).
 * @module
 */
import { join } from "node:path";
import { createSegmenter } from "../learn/net/mod.ts";
import type { NamedArray, Segmenter } from "../learn/net/types.ts";

/** Weights on disk: `model.json` (config + names/shapes) and `weights.f32` (concatenated). */
export async function saveModel(dir: string, net: Segmenter): Promise<void> {
  const ws = net.getWeights();
  const total = ws.reduce((s, w) => s + w.data.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const w of ws) {
    all.set(w.data, off);
    off += w.data.length;
  }
  await Deno.writeFile(join(dir, "weights.f32"), new Uint8Array(all.buffer));
  await Deno.writeTextFile(
    join(dir, "model.json"),
    JSON.stringify({
      config: net.config,
      weights: ws.map((w) => ({ name: w.name, shape: w.shape })),
    }),
  );
}

export async function loadModel(dir: string): Promise<Segmenter> {
  const meta = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  const bytes = await Deno.readFile(join(dir, "weights.f32"));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  let off = 0;
  const ws: NamedArray[] = meta.weights.map((w: { name: string; shape: number[] }) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const data = all.slice(off, off + n);
    off += n;
    return { name: w.name, shape: w.shape, data };
  });
  if (off !== all.length) {
    throw new Error(`Model "${dir}": weights.f32 holds ${all.length} values, model.json ${off}`);
  }
  const net = createSegmenter(meta.config);
  net.setWeights(ws);
  return net;
}
