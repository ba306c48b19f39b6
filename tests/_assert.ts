/**
 * Minimal assertions for tests (deno std is on JSR, which these machines cannot reach).
 * @module
 */
import { deepStrictEqual, ok } from "node:assert/strict";

export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (msg === undefined) deepStrictEqual(actual, expected);
  else deepStrictEqual(actual, expected, msg);
}

export function assert(cond: unknown, msg?: string): asserts cond {
  if (msg === undefined) ok(cond);
  else ok(cond, msg);
}

/** Asserts `fn` throws (or rejects) with an error whose message includes `includes`. */
export async function assertRejects(
  fn: () => unknown,
  includes?: string | RegExp,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    const err = e as Error;
    if (includes !== undefined) {
      const okMsg = typeof includes === "string"
        ? err.message.includes(includes)
        : includes.test(err.message);
      if (!okMsg) throw new Error(`Expected error matching ${includes}, got: ${err.message}`);
    }
    return err;
  }
  throw new Error(`Expected an error${includes ? ` matching ${includes}` : ""}, none was thrown`);
}

/** |a − b| ≤ tol·max(1, |b|). */
export function assertClose(actual: number, expected: number, tol = 1e-6, msg?: string): void {
  if (!(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)))) {
    throw new Error(`${msg ?? "values differ"}: ${actual} vs ${expected} (tol ${tol})`);
  }
}
