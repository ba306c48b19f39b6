import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { join } from "node:path";
import { getNumeric, getScalar, readMat, readMatFile } from "./mat.ts";
import { sharedDataRoot } from "../tests/_shared_data.ts";

/** Little helpers that write v5 elements, so tests make their own files. */
function tag(type: number, payload: Uint8Array): Uint8Array {
  const padded = Math.ceil(payload.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, payload.length, true);
  out.set(payload, 8);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function i32(values: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(values).buffer);
}

function matrix(name: string, cls: number, dims: number[], data: Uint8Array, type: number) {
  const flags = new Uint8Array(new Uint32Array([cls, 0]).buffer);
  return tag(
    14,
    concat(
      tag(6, flags),
      tag(5, i32(dims)),
      tag(1, new TextEncoder().encode(name)),
      tag(type, data),
    ),
  );
}

function header(version = 0x0100, text = "MATLAB 5.0 MAT-file, test"): Uint8Array {
  const h = new Uint8Array(128).fill(0x20);
  h.set(new TextEncoder().encode(text));
  const v = new DataView(h.buffer);
  v.setUint16(124, version, true);
  h[126] = "I".charCodeAt(0);
  h[127] = "M".charCodeAt(0);
  return h;
}

function compressed(el: Uint8Array): Uint8Array {
  const z = deflateSync(el);
  const out = new Uint8Array(8 + z.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 15, true);
  v.setUint32(4, z.length, true);
  out.set(z, 8);
  return out;
}

function sampleFile(): Uint8Array {
  const a = matrix("a", 6, [2, 3], new Uint8Array(new Float64Array([1, 2, 3, 4, 5, 6]).buffer), 9);
  const b = matrix("b", 10, [1, 2], new Uint8Array(new Int16Array([-7, 9]).buffer), 3);
  const name = matrix("name", 4, [1, 2], new Uint8Array(new Uint16Array([104, 105]).buffer), 4);
  return concat(header(), compressed(a), b, compressed(name));
}

Deno.test("readMat parses numeric, int and char variables, compressed or not", () => {
  const mat = readMat(sampleFile(), "sample.mat");
  const a = getNumeric(mat, "a");
  assert.deepEqual(a.dims, [2, 3]);
  assert.equal(a.class, "double");
  assert.deepEqual(Array.from(a.data), [1, 2, 3, 4, 5, 6]);
  const b = getNumeric(mat, "b");
  assert.equal(b.class, "int16");
  assert.deepEqual(Array.from(b.data), [-7, 9]);
  const name = mat.variables.get("name");
  assert.ok(name?.kind === "char");
  assert.equal(name.text, "hi");
});

Deno.test("readMat parses a struct with a cell field", () => {
  const inner = matrix("", 6, [1, 1], new Uint8Array(new Float64Array([42]).buffer), 9);
  const cellBody = concat(
    tag(6, new Uint8Array(new Uint32Array([1, 0]).buffer)),
    tag(5, i32([1, 1])),
    tag(1, new Uint8Array(0)),
    inner,
  );
  const cell = tag(14, cellBody);
  const fieldNames = new Uint8Array(8);
  fieldNames.set(new TextEncoder().encode("c"), 0);
  fieldNames.set(new TextEncoder().encode("d"), 4);
  const dField = matrix("", 9, [1, 1], new Uint8Array([5]), 2);
  const st = tag(
    14,
    concat(
      tag(6, new Uint8Array(new Uint32Array([2, 0]).buffer)),
      tag(5, i32([1, 1])),
      tag(1, new TextEncoder().encode("st")),
      tag(5, i32([4])),
      tag(1, fieldNames),
      cell,
      dField,
    ),
  );
  const mat = readMat(concat(header(), compressed(st)), "struct.mat");
  const v = mat.variables.get("st");
  assert.ok(v?.kind === "struct");
  assert.deepEqual(v.fieldNames, ["c", "d"]);
  const c = v.elements[0].c;
  assert.ok(c.kind === "cell");
  assert.ok(c.cells[0].kind === "numeric");
  assert.equal(c.cells[0].data[0], 42);
  const d = v.elements[0].d;
  assert.ok(d.kind === "numeric" && d.class === "uint8" && d.data[0] === 5);
});

Deno.test("readMat rejects truncated files, other versions and missing fields by name", () => {
  const good = sampleFile();
  assert.throws(
    () => readMat(good.subarray(0, good.length - 5), "cut.mat"),
    /"cut\.mat".*truncated/,
  );
  assert.throws(() => readMat(good.subarray(0, 60), "short.mat"), /"short\.mat".*too short/);
  const v73 = concat(header(0x0200, "MATLAB 7.3 MAT-file"), new Uint8Array(512));
  assert.throws(() => readMat(v73, "new.mat"), /"new\.mat".*7\.3.*unsupported/);
  const v4 = new Uint8Array(200);
  assert.throws(() => readMat(v4, "old.mat"), /"old\.mat".*v4.*unsupported/);
  const mat = readMat(good, "sample.mat");
  assert.throws(() => getNumeric(mat, "zz"), /"sample\.mat".*field "zz" is missing/);
  assert.throws(() => getNumeric(mat, "name"), /"sample\.mat".*field "name" is a char/);
  const bad = good.slice();
  bad[128 + 8 + 3] ^= 0xff; // corrupt the zlib stream of the first compressed element
  assert.throws(() => readMat(bad, "bad.mat"), /"bad\.mat"/);
});

Deno.test("readMatFile reads a real Hopkins155 ground truth (cars1)", async () => {
  const path = join(sharedDataRoot(), "hopkins155", "cars1", "cars1_truth.mat");
  const mat = await readMatFile(path);
  const x = getNumeric(mat, "x");
  assert.deepEqual(x.dims, [3, 307, 20]);
  // Values checked with scipy.io.loadmat: x[:, 0, 0] and y[:, 0, 0].
  assert.ok(Math.abs(x.data[0] - 0.27187499) < 1e-7);
  assert.ok(Math.abs(x.data[1] - 0.62916672) < 1e-7);
  assert.equal(x.data[2], 1);
  const y = getNumeric(mat, "y");
  assert.ok(Math.abs(y.data[0] - 406.99999809) < 1e-6);
  assert.ok(Math.abs(y.data[1] - 391.00001335) < 1e-6);
  assert.equal(getScalar(mat, "points"), 307);
  assert.equal(getScalar(mat, "frames"), 20);
  assert.equal(getScalar(mat, "width"), 640);
  const s = getNumeric(mat, "s");
  assert.equal(s.class, "double"); // stored as miUINT8 inside a double array
  assert.equal(s.data.length, 307);
  assert.equal(Math.max(...s.data), 2);
});
