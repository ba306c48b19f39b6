/**
 * A reader for MATLAB v5 (and v6/v7) `.mat` files: enough for Hopkins155 and similar data.
 *
 * Supported: the 128-byte v5 header, little-endian files, `miCOMPRESSED` elements (zlib),
 * `miMATRIX` with numeric classes (double, single, int8…uint64, logical), char arrays, cell
 * arrays and structs. Not supported (error naming the file): v7.3 (HDF5), v4, big-endian files,
 * sparse matrices and objects.
 *
 * Arrays keep MATLAB's column-major order: element (i, j, k) of an array with dimensions
 * [d0, d1, d2] is `data[i + d0 * (j + d1 * k)]`.
 * @module
 */

import { inflateSync } from "node:zlib";

/** Numeric class names of MATLAB arrays. */
export type MatNumericClass =
  | "double"
  | "single"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64";

/** A numeric (or logical) array; values converted to float64, column-major. */
export interface MatNumeric {
  kind: "numeric";
  class: MatNumericClass;
  dims: number[];
  data: Float64Array;
  /** Imaginary part for complex arrays. */
  imag?: Float64Array;
  logical: boolean;
}

/** A char array, decoded to one string (column-major characters, as MATLAB stores them). */
export interface MatChar {
  kind: "char";
  dims: number[];
  text: string;
}

/** A cell array, column-major. */
export interface MatCell {
  kind: "cell";
  dims: number[];
  cells: MatValue[];
}

/** A struct array: one record of fields per element, column-major. */
export interface MatStruct {
  kind: "struct";
  dims: number[];
  fieldNames: string[];
  elements: Record<string, MatValue>[];
}

/** Any value a MAT-file variable can hold here. */
export type MatValue = MatNumeric | MatChar | MatCell | MatStruct;

/** A parsed MAT-file: its header text and its variables by name. */
export interface MatFile {
  /** Name used in error messages (usually the path). */
  fileName: string;
  header: string;
  variables: Map<string, MatValue>;
}

const MI_INT8 = 1;
const MI_UINT8 = 2;
const MI_INT16 = 3;
const MI_UINT16 = 4;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_SINGLE = 7;
const MI_DOUBLE = 9;
const MI_INT64 = 12;
const MI_UINT64 = 13;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const MI_UTF8 = 16;
const MI_UTF16 = 17;
const MI_UTF32 = 18;

const NUMERIC_CLASSES: Record<number, MatNumericClass> = {
  6: "double",
  7: "single",
  8: "int8",
  9: "uint8",
  10: "int16",
  11: "uint16",
  12: "int32",
  13: "uint32",
  14: "int64",
  15: "uint64",
};

class MatReadError extends Error {
  constructor(fileName: string, problem: string) {
    super(`Cannot read MAT-file "${fileName}": ${problem}`);
    this.name = "MatReadError";
  }
}

interface Element {
  type: number;
  data: Uint8Array;
  /** Offset just after this element (padding included). */
  next: number;
}

function readTag(bytes: Uint8Array, view: DataView, pos: number, fileName: string): Element {
  if (pos + 8 > bytes.length) {
    throw new MatReadError(fileName, `truncated data element tag at byte ${pos}`);
  }
  const first = view.getUint32(pos, true);
  const small = first >>> 16;
  if (small !== 0) {
    // Small data element: type and size packed into 4 bytes, data in the next 4.
    const type = first & 0xffff;
    if (small > 4) throw new MatReadError(fileName, `bad small element size at byte ${pos}`);
    return { type, data: bytes.subarray(pos + 4, pos + 4 + small), next: pos + 8 };
  }
  const nbytes = view.getUint32(pos + 4, true);
  const start = pos + 8;
  if (start + nbytes > bytes.length) {
    throw new MatReadError(
      fileName,
      `truncated data element at byte ${pos} (needs ${nbytes} bytes, ${bytes.length - start} left)`,
    );
  }
  const padded = first === MI_COMPRESSED ? nbytes : Math.ceil(nbytes / 8) * 8;
  return {
    type: first,
    data: bytes.subarray(start, start + nbytes),
    next: Math.min(start + padded, bytes.length),
  };
}

function toFloat64(el: Element, fileName: string): Float64Array {
  const d = el.data;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const size = elementSize(el.type, fileName);
  const n = Math.floor(d.byteLength / size);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * size;
    switch (el.type) {
      case MI_INT8:
        out[i] = view.getInt8(o);
        break;
      case MI_UINT8:
      case MI_UTF8:
        out[i] = view.getUint8(o);
        break;
      case MI_INT16:
        out[i] = view.getInt16(o, true);
        break;
      case MI_UINT16:
      case MI_UTF16:
        out[i] = view.getUint16(o, true);
        break;
      case MI_INT32:
        out[i] = view.getInt32(o, true);
        break;
      case MI_UINT32:
      case MI_UTF32:
        out[i] = view.getUint32(o, true);
        break;
      case MI_SINGLE:
        out[i] = view.getFloat32(o, true);
        break;
      case MI_DOUBLE:
        out[i] = view.getFloat64(o, true);
        break;
      case MI_INT64:
        out[i] = Number(view.getBigInt64(o, true));
        break;
      case MI_UINT64:
        out[i] = Number(view.getBigUint64(o, true));
        break;
    }
  }
  return out;
}

function elementSize(type: number, fileName: string): number {
  switch (type) {
    case MI_INT8:
    case MI_UINT8:
    case MI_UTF8:
      return 1;
    case MI_INT16:
    case MI_UINT16:
    case MI_UTF16:
      return 2;
    case MI_INT32:
    case MI_UINT32:
    case MI_SINGLE:
    case MI_UTF32:
      return 4;
    case MI_DOUBLE:
    case MI_INT64:
    case MI_UINT64:
      return 8;
    default:
      throw new MatReadError(fileName, `unsupported numeric data type ${type}`);
  }
}

function decodeName(el: Element): string {
  return new TextDecoder("latin1").decode(el.data).replace(/\0+$/, "");
}

function product(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function parseMatrix(
  data: Uint8Array,
  fileName: string,
  context: string,
): { name: string; value: MatValue } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length === 0) {
    return {
      name: "",
      value: {
        kind: "numeric",
        class: "double",
        dims: [0, 0],
        data: new Float64Array(0),
        logical: false,
      },
    };
  }
  const flagsEl = readTag(data, view, 0, fileName);
  if (flagsEl.type !== MI_UINT32 || flagsEl.data.length < 8) {
    throw new MatReadError(fileName, `${context}: bad array flags`);
  }
  const flags = new DataView(flagsEl.data.buffer, flagsEl.data.byteOffset, 8).getUint32(0, true);
  const cls = flags & 0xff;
  const complex = (flags & 0x0800) !== 0;
  const logical = (flags & 0x0200) !== 0;
  const dimsEl = readTag(data, view, flagsEl.next, fileName);
  const dims = Array.from(toFloat64(dimsEl, fileName));
  const nameEl = readTag(data, view, dimsEl.next, fileName);
  const name = decodeName(nameEl);
  const where = `${context}${name ? ` "${name}"` : ""}`;
  let pos = nameEl.next;
  const count = product(dims);

  const numericClass = NUMERIC_CLASSES[cls];
  if (numericClass !== undefined) {
    const re = readTag(data, view, pos, fileName);
    const values = toFloat64(re, fileName);
    if (values.length !== count) {
      throw new MatReadError(
        fileName,
        `${where}: expected ${count} values for dimensions [${dims}], found ${values.length}`,
      );
    }
    const value: MatNumeric = { kind: "numeric", class: numericClass, dims, data: values, logical };
    if (complex) {
      const im = readTag(data, view, re.next, fileName);
      value.imag = toFloat64(im, fileName);
    }
    return { name, value };
  }
  switch (cls) {
    case 4: { // mxCHAR
      const el = readTag(data, view, pos, fileName);
      let text: string;
      if (el.type === MI_UTF8) text = new TextDecoder("utf-8").decode(el.data);
      else text = String.fromCharCode(...toFloat64(el, fileName));
      return { name, value: { kind: "char", dims, text } };
    }
    case 1: { // mxCELL
      const cells: MatValue[] = [];
      for (let i = 0; i < count; i++) {
        const el = readTag(data, view, pos, fileName);
        if (el.type !== MI_MATRIX) {
          throw new MatReadError(fileName, `${where}: cell ${i} is not a matrix element`);
        }
        cells.push(parseMatrix(el.data, fileName, `${where}{${i + 1}}`).value);
        pos = el.next;
      }
      return { name, value: { kind: "cell", dims, cells } };
    }
    case 2: { // mxSTRUCT
      const lenEl = readTag(data, view, pos, fileName);
      const fieldLen = toFloat64(lenEl, fileName)[0];
      const namesEl = readTag(data, view, lenEl.next, fileName);
      pos = namesEl.next;
      const fieldNames: string[] = [];
      const decoder = new TextDecoder("latin1");
      for (let o = 0; o + fieldLen <= namesEl.data.length; o += fieldLen) {
        fieldNames.push(
          decoder.decode(namesEl.data.subarray(o, o + fieldLen)).replace(/\0.*$/, ""),
        );
      }
      const elements: Record<string, MatValue>[] = [];
      for (let i = 0; i < count; i++) {
        const rec: Record<string, MatValue> = {};
        for (const f of fieldNames) {
          const el = readTag(data, view, pos, fileName);
          if (el.type !== MI_MATRIX) {
            throw new MatReadError(fileName, `${where}.${f}: not a matrix element`);
          }
          rec[f] = parseMatrix(el.data, fileName, `${where}.${f}`).value;
          pos = el.next;
        }
        elements.push(rec);
      }
      return { name, value: { kind: "struct", dims, fieldNames, elements } };
    }
    case 5:
      throw new MatReadError(fileName, `${where}: sparse arrays are unsupported`);
    default:
      throw new MatReadError(fileName, `${where}: unsupported array class ${cls}`);
  }
}

/**
 * Parse the bytes of a MATLAB v5 MAT-file.
 *
 * @param bytes the whole file
 * @param fileName used in error messages
 * @throws Error naming the file when the version is unsupported or the data is malformed
 */
export function readMat(bytes: Uint8Array, fileName: string): MatFile {
  if (bytes.length < 128) {
    throw new MatReadError(fileName, `file too short for a v5 header (${bytes.length} bytes)`);
  }
  const header = new TextDecoder("latin1").decode(bytes.subarray(0, 116)).replace(/[\s\0]+$/, "");
  if (!header.startsWith("MATLAB")) {
    throw new MatReadError(
      fileName,
      "no 'MATLAB' text header: not a v5 MAT-file (v4 MAT-files are unsupported)",
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const endian = String.fromCharCode(bytes[126], bytes[127]);
  if (endian === "MI") {
    throw new MatReadError(fileName, "big-endian MAT-files are unsupported");
  }
  if (endian !== "IM") {
    throw new MatReadError(fileName, `bad endian indicator "${endian}"`);
  }
  const version = view.getUint16(124, true);
  if (version === 0x0200 || header.startsWith("MATLAB 7.3")) {
    throw new MatReadError(fileName, "MAT-file version 7.3 (HDF5) is unsupported; save with -v7");
  }
  if (version !== 0x0100) {
    throw new MatReadError(fileName, `unsupported MAT-file version 0x${version.toString(16)}`);
  }
  const variables = new Map<string, MatValue>();
  let pos = 128;
  while (pos < bytes.length) {
    if (bytes.length - pos < 8) {
      throw new MatReadError(fileName, `truncated data element tag at byte ${pos}`);
    }
    const el = readTag(bytes, view, pos, fileName);
    let matrix: Uint8Array;
    if (el.type === MI_COMPRESSED) {
      let inflated: Uint8Array;
      try {
        inflated = inflateSync(el.data);
      } catch (e) {
        throw new MatReadError(
          fileName,
          `compressed element at byte ${pos} does not inflate (${(e as Error).message})`,
        );
      }
      const iv = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength);
      const inner = readTag(inflated, iv, 0, fileName);
      if (inner.type !== MI_MATRIX) {
        throw new MatReadError(fileName, `compressed element at byte ${pos} is not a matrix`);
      }
      matrix = inner.data;
    } else if (el.type === MI_MATRIX) {
      matrix = el.data;
    } else {
      throw new MatReadError(fileName, `unexpected top-level element type ${el.type} at ${pos}`);
    }
    const { name, value } = parseMatrix(matrix, fileName, `variable at byte ${pos}`);
    variables.set(name, value);
    pos = el.next;
  }
  return { fileName, header, variables };
}

/** Read and parse a MAT-file from disk (see {@link readMat}). */
export async function readMatFile(path: string): Promise<MatFile> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`Cannot read MAT-file "${path}": ${(e as Error).message}`);
  }
  return readMat(bytes, path);
}

/**
 * Get a variable that must be a numeric array.
 * @throws Error naming the file and the field when it is missing or not numeric
 */
export function getNumeric(mat: MatFile, name: string): MatNumeric {
  const v = mat.variables.get(name);
  if (v === undefined) throw new MatReadError(mat.fileName, `field "${name}" is missing`);
  if (v.kind !== "numeric") {
    throw new MatReadError(mat.fileName, `field "${name}" is a ${v.kind} array, not numeric`);
  }
  return v;
}

/** Get a numeric variable that must hold at least one value; returns its first value. */
export function getScalar(mat: MatFile, name: string): number {
  const v = getNumeric(mat, name);
  if (v.data.length === 0) throw new MatReadError(mat.fileName, `field "${name}" is empty`);
  return v.data[0];
}
