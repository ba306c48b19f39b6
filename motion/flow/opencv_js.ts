/**
 * Lazy loader of OpenCV.js (`@techstark/opencv-js`, WebAssembly).
 * @module
 */

/** The OpenCV.js module object (untyped: its bundled typings do not fit Deno). */
// deno-lint-ignore no-explicit-any
export type OpenCvJs = any;

let loading: Promise<{ cv: OpenCvJs }> | null = null;

/**
 * Load OpenCV.js once; resolves to `{ cv }`. The module object has a `.then`, so it must never
 * be awaited or returned from a promise directly (that hangs): it is wrapped in an object, and
 * readiness is detected by waiting for `cv.Mat` to exist (up to `timeoutMs`).
 */
export function loadOpenCvJs(timeoutMs = 60_000): Promise<{ cv: OpenCvJs }> {
  if (loading) return loading;
  loading = (async () => {
    const mod = await import("@techstark/opencv-js");
    // deno-lint-ignore no-explicit-any
    const cv: OpenCvJs = (mod as any).default ?? mod;
    const start = Date.now();
    while (typeof cv.Mat !== "function") {
      if (Date.now() - start > timeoutMs) {
        throw new Error(`OpenCV.js did not initialise within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return { cv };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
