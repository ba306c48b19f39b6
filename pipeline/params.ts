/**
 * A typed, validated parameter tree addressed by dotted keys (`flow.gap`, `loss.rank`).
 *
 * The schema is a nested object of parameter specs built with {@linkcode p}; its defaults
 * form the params object every stage reads. Overrides (from a JSON file, `--set key=value`,
 * an experiment's run list or a profile) are validated against the schema: unknown keys and
 * wrong types are rejected with a message that names the key.
 *
 * @example
 * ```ts
 * const schema = { flow: { gap: p.int(1, { min: 1 }), estimator: p.str("dis", ["dis", "gt"]) } };
 * const params = resolveParams(schema, [{ "flow.gap": 2 }]);
 * getParam(params, "flow.gap"); // 2
 * ```
 * @module
 */
import { parse as parseYaml } from "yaml";

/** An integer parameter. */
export interface IntSpec {
  kind: "int";
  default: number;
  min?: number;
  max?: number;
  doc?: string;
}
/** A real-valued parameter. */
export interface NumSpec {
  kind: "num";
  default: number;
  min?: number;
  max?: number;
  /** Values must be strictly greater (e.g. a learning rate: > 0). */
  above?: number;
  doc?: string;
}
/** A string parameter; with `choices`, its type is the union of them. */
export interface StrSpec<C extends string = string> {
  kind: "str";
  default: C;
  choices?: readonly C[];
  doc?: string;
}
/** A boolean parameter. */
export interface BoolSpec {
  kind: "bool";
  default: boolean;
  doc?: string;
}
/** A list of integers. */
export interface IntsSpec {
  kind: "ints";
  default: readonly number[];
  doc?: string;
}
/** A list of strings. */
export interface StrsSpec {
  kind: "strs";
  default: readonly string[];
  doc?: string;
}

/** One parameter's declaration. */
export type ParamSpec = IntSpec | NumSpec | StrSpec | BoolSpec | IntsSpec | StrsSpec;

/** A schema: nested groups of parameter specs. */
export interface ParamSchema {
  [key: string]: ParamSpec | ParamSchema;
}

/** A flat params object: dotted key → value. */
export type ParamValue = number | string | boolean | readonly number[] | readonly string[];
export type Params = Readonly<Record<string, ParamValue>>;

/** The value type a spec declares (`p.str("a", ["a", "b"])` → `"a" | "b"`). */
export type SpecValue<S> = S extends IntSpec | NumSpec ? number
  : S extends StrSpec<infer C> ? C
  : S extends BoolSpec ? boolean
  : S extends IntsSpec ? readonly number[]
  : S extends StrsSpec ? readonly string[]
  : never;

/** The values of one group of leaf specs, by their short names (`{steps: number, …}`). */
export type ParamGroup<G> = { readonly [K in keyof G]: SpecValue<G[K]> };

type Join<P extends string, K extends string> = P extends "" ? K : `${P}.${K}`;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends
  (x: infer I) => void ? I : never;

/**
 * The flat, typed params of a schema: dotted key → value type, e.g.
 * `ParamValues<typeof SCHEMA>["train.steps"]` is `number`.
 */
export type ParamValues<S, P extends string = ""> =
  & {
    readonly [K in keyof S & string as S[K] extends ParamSpec ? Join<P, K> : never]: SpecValue<
      S[K]
    >;
  }
  & UnionToIntersection<
    {
      [K in keyof S & string]: S[K] extends ParamSpec ? unknown : ParamValues<S[K], Join<P, K>>;
    }[keyof S & string]
  >;

function str<const C extends string>(
  d: NoInfer<C>,
  choices: readonly C[],
  doc?: string,
): StrSpec<C>;
function str(d: string, choices?: undefined, doc?: string): StrSpec<string>;
function str(d: string, choices?: readonly string[], doc?: string): StrSpec<string> {
  return { kind: "str", default: d, choices, doc };
}

/** Builders for parameter specs. */
export const p = {
  int: (d: number, o: { min?: number; max?: number; doc?: string } = {}): IntSpec => ({
    kind: "int",
    default: d,
    ...o,
  }),
  num: (
    d: number,
    o: { min?: number; max?: number; above?: number; doc?: string } = {},
  ): NumSpec => ({
    kind: "num",
    default: d,
    ...o,
  }),
  str,
  bool: (d: boolean, doc?: string): BoolSpec => ({ kind: "bool", default: d, doc }),
  ints: (d: readonly number[], doc?: string): IntsSpec => ({ kind: "ints", default: d, doc }),
  strs: (d: readonly string[], doc?: string): StrsSpec => ({ kind: "strs", default: d, doc }),
};

/** Dotted keys of a group of leaf specs under `prefix` (a stage's `params` list). */
export function groupKeys<G extends ParamSchema, P extends string>(
  group: G,
  prefix: P,
): `${P}.${keyof G & string}`[] {
  return Object.keys(group).map((k) => `${prefix}.${k}` as `${P}.${keyof G & string}`);
}

/** The values of group `prefix` of a params object, by their short names. */
export function groupValues<G extends ParamSchema>(
  params: Params,
  group: G,
  prefix: string,
): ParamGroup<G> {
  const out: Record<string, ParamValue> = {};
  for (const k of Object.keys(group)) {
    const key = `${prefix}.${k}`;
    if (!(key in params)) throw new ParamError(`Unknown param "${key}"`);
    out[k] = params[key];
  }
  return out as ParamGroup<G>;
}

/** The defaults of a group of leaf specs, by their short names. */
export function groupDefaults<G extends ParamSchema>(group: G): ParamGroup<G> {
  const out: Record<string, ParamValue> = {};
  for (const [k, spec] of Object.entries(group)) {
    if (!isSpec(spec)) throw new TypeError(`groupDefaults: "${k}" is a group, not a param`);
    out[k] = spec.default;
  }
  return out as ParamGroup<G>;
}

/** Whether a schema entry is a param (not a group). */
export function isSpec(x: ParamSpec | ParamSchema): x is ParamSpec {
  return typeof (x as ParamSpec).kind === "string" && "default" in x;
}

/** All specs of a schema keyed by dotted name, in declaration order. */
export function flattenSchema(schema: ParamSchema, prefix = ""): Map<string, ParamSpec> {
  const out = new Map<string, ParamSpec>();
  for (const [k, v] of Object.entries(schema)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isSpec(v)) out.set(key, v);
    else for (const [kk, vv] of flattenSchema(v, key)) out.set(kk, vv);
  }
  return out;
}

/** The schema's default params. */
export function defaultParams(schema: ParamSchema): Params {
  const out: Record<string, ParamValue> = {};
  for (const [k, spec] of flattenSchema(schema)) out[k] = spec.default;
  return out;
}

/** Error for a bad parameter: names the key and where it came from. */
export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParamError";
  }
}

/**
 * Flattens an override object that may be nested (`{flow: {gap: 2}}`) or dotted
 * (`{"flow.gap": 2}`) into dotted keys.
 */
export function flattenOverrides(
  obj: Record<string, unknown>,
  prefix = "",
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      Object.assign(out, flattenOverrides(v as Record<string, unknown>, key));
    } else out[key] = v;
  }
  return out;
}

/** Checks one value against its spec; returns the value or throws a ParamError naming the key. */
export function checkParam(
  key: string,
  spec: ParamSpec,
  value: unknown,
  origin: string,
): ParamValue {
  const where = origin ? ` (in ${origin})` : "";
  const bad = (what: string) =>
    new ParamError(`Param "${key}"${where}: expected ${what}, got ${JSON.stringify(value)}`);
  switch (spec.kind) {
    case "int":
    case "num": {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw bad(spec.kind === "int" ? "an integer" : "a number");
      }
      if (spec.kind === "int" && !Number.isInteger(value)) throw bad("an integer");
      if (spec.min !== undefined && value < spec.min) throw bad(`a value ≥ ${spec.min}`);
      if (spec.max !== undefined && value > spec.max) throw bad(`a value ≤ ${spec.max}`);
      if (spec.kind === "num" && spec.above !== undefined && !(value > spec.above)) {
        throw bad(`a value > ${spec.above}`);
      }
      return value;
    }
    case "str":
      if (typeof value !== "string") throw bad("a string");
      if (spec.choices && !spec.choices.includes(value)) {
        throw bad(`one of ${spec.choices.map((c) => `"${c}"`).join(", ")}`);
      }
      return value;
    case "bool":
      if (typeof value !== "boolean") throw bad("true or false");
      return value;
    case "ints":
      if (!Array.isArray(value) || !value.every((x) => Number.isInteger(x))) {
        throw bad("a list of integers");
      }
      return value as number[];
    case "strs":
      if (!Array.isArray(value) || !value.every((x) => typeof x === "string")) {
        throw bad("a list of strings");
      }
      return value as string[];
  }
}

/** Closest known key by edit distance, for "did you mean" hints. */
function closest(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(2, key.length / 3) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** A layer of overrides and where it came from (for error messages). */
export interface OverrideLayer {
  origin: string;
  values: Record<string, unknown>;
}

/**
 * Defaults with each override layer applied in order (later wins). Every key and value is
 * validated against the schema.
 */
export function resolveParams(
  schema: ParamSchema,
  layers: readonly (OverrideLayer | Record<string, unknown>)[],
): Params {
  const specs = flattenSchema(schema);
  const out: Record<string, ParamValue> = { ...defaultParams(schema) };
  for (const layer of layers) {
    const { origin, values } = "origin" in layer && "values" in layer
      ? layer as OverrideLayer
      : { origin: "", values: layer as Record<string, unknown> };
    for (const [key, value] of Object.entries(flattenOverrides(values))) {
      const spec = specs.get(key);
      if (!spec) {
        const hint = closest(key, specs.keys());
        throw new ParamError(
          `Unknown param "${key}"${origin ? ` (in ${origin})` : ""}` +
            (hint ? `; did you mean "${hint}"?` : ""),
        );
      }
      out[key] = checkParam(key, spec, value, origin);
    }
  }
  return out;
}

/** Parses a `key=value` command-line assignment; the value is JSON when it parses, else a string. */
export function parseAssignment(text: string): Record<string, unknown> {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new ParamError(`Cannot parse --set "${text}": expected key=value`);
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare string
  }
  return { [text.slice(0, eq)]: value };
}

/**
 * Reads a params file as an override layer: YAML (`.yaml`, `.yml`) or JSON, nested or dotted
 * keys. A malformed file names the file, the problem and (YAML) the line.
 */
export async function readParamsFile(path: string): Promise<OverrideLayer> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ParamError(`Cannot read params file "${path}": ${(e as Error).message}`);
  }
  const isYaml = /\.ya?ml$/i.test(path);
  let data: unknown;
  try {
    data = isYaml ? parseYaml(text, { prettyErrors: true }) : JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    throw new ParamError(
      `Cannot read params file "${path}": invalid ${isYaml ? "YAML" : "JSON"} (${
        msg.replace(/:$/, "")
      })`,
    );
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ParamError(
      `Cannot read params file "${path}": expected ${
        isYaml ? "a mapping" : "a JSON object"
      } at the top level`,
    );
  }
  return { origin: path, values: data as Record<string, unknown> };
}

/**
 * A rule over several params (e.g. the rank of Lt must be below the trajectory matrix's rows).
 * `check` returns what is wrong, in words, or `null`.
 */
export interface ParamCheck<P extends Params = Params> {
  keys: readonly string[];
  check(params: P): string | null;
}

/** Applies cross-param rules; throws a ParamError naming the keys, their values and `origin`. */
export function checkParams(params: Params, checks: readonly ParamCheck[], origin = ""): void {
  for (const c of checks) {
    const problem = c.check(params);
    if (problem === null) continue;
    const values = c.keys.map((k) => `${k}=${JSON.stringify(params[k])}`).join(", ");
    throw new ParamError(`Params ${values}${origin ? ` (in ${origin})` : ""}: ${problem}`);
  }
}

/** Picks the given keys from a params object (for cache keys and instance ids). */
export function pickParams(params: Params, keys: readonly string[]): Params {
  const out: Record<string, ParamValue> = {};
  for (const k of keys) {
    if (!(k in params)) throw new ParamError(`Unknown param "${k}" declared by a stage`);
    out[k] = params[k];
  }
  return out;
}
