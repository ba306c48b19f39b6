/**
 * The cache key of a stage instance: SHA-256 of the canonical JSON of the stage name and scope, its code
 * hash, its param values, the content hashes of its inputs and the environment that changes
 * numbers. Changing this derivation invalidates every cache: `key_test.ts` pins it.
 * @module
 */
import { canonicalJson, sha256 } from "./hash.ts";
import type { Params } from "./params.ts";

/** What goes into a key. */
export interface KeyParts {
  stage: string;
  /** Where the instance applies (dataset, sequence). */
  scope: { dataset?: string; sequence?: string };
  code: string;
  params: Params;
  /** Upstream artifacts: `stage/scope` label → content hash. */
  inputs: Record<string, string>;
  /** Runtime and library versions (the backend and seed are params). */
  env: Record<string, string>;
}

/** The version of the key derivation itself. */
export const KEY_VERSION = 1;

export function cacheKey(parts: KeyParts): string {
  return sha256(canonicalJson({ v: KEY_VERSION, ...parts }));
}
