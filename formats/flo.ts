/**
 * Middlebury `.flo` optical-flow files: float32 tag 202021.25, int32 width, int32 height, then
 * `u, v` interleaved row-major float32, all little-endian.
 * @module
 */

import type { FlowField } from "./types.ts";

/** The `.flo` magic number ("PIEH" as float32). */
export const FLO_MAGIC = 202021.25;

function fail(name: string, problem: string): never {
  throw new Error(`Cannot read flow "${name}": ${problem}`);
}

/** Decode `.flo` bytes; `name` is only used in error messages. */
export function decodeFlo(bytes: Uint8Array, name = "<buffer>"): FlowField {
  if (bytes.length < 12) fail(name, `file is too short for a .flo header (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getFloat32(0, true);
  if (magic !== FLO_MAGIC) {
    fail(name, `bad magic ${magic}, expected ${FLO_MAGIC} (not a .flo file)`);
  }
  const width = dv.getInt32(4, true);
  const height = dv.getInt32(8, true);
  if (width <= 0 || height <= 0 || width > 1 << 16 || height > 1 << 16) {
    fail(name, `bad size ${width}x${height}`);
  }
  const n = 2 * width * height;
  if (bytes.length < 12 + 4 * n) {
    fail(name, `file is truncated: ${bytes.length} bytes, expected ${12 + 4 * n}`);
  }
  const uv = new Float32Array(n);
  if ((bytes.byteOffset + 12) % 4 === 0) {
    uv.set(new Float32Array(bytes.buffer, bytes.byteOffset + 12, n));
  } else {
    for (let i = 0; i < n; i++) uv[i] = dv.getFloat32(12 + 4 * i, true);
  }
  return { width, height, uv };
}

/** Encode a flow field as `.flo` bytes. */
export function encodeFlo(flow: FlowField): Uint8Array {
  const n = 2 * flow.width * flow.height;
  if (flow.uv.length !== n) {
    throw new RangeError(
      `encodeFlo: uv length ${flow.uv.length} does not match ${flow.width}x${flow.height}x2`,
    );
  }
  const out = new Uint8Array(12 + 4 * n);
  const dv = new DataView(out.buffer);
  dv.setFloat32(0, FLO_MAGIC, true);
  dv.setInt32(4, flow.width, true);
  dv.setInt32(8, flow.height, true);
  new Float32Array(out.buffer, 12, n).set(flow.uv);
  return out;
}

/** Read a `.flo` file. Errors name the file and the problem. */
export async function readFlo(path: string): Promise<FlowField> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) fail(path, "file not found");
    fail(path, (e as Error).message);
  }
  return decodeFlo(bytes, path);
}

/** Write a `.flo` file. */
export async function writeFlo(path: string, flow: FlowField): Promise<void> {
  await Deno.writeFile(path, encodeFlo(flow));
}
