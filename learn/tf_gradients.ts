/**
 * Registers tfjs-core's gradient functions (import for the side effect). The project imports
 * `@tensorflow/tfjs-core` and its backends, not the `@tensorflow/tfjs` bundle, but tfjs 4.22
 * ships the CommonJS build of core's gradient registrations only inside that bundle:
 * `@tensorflow/tfjs-core/dist/register_all_gradients.js` is ESM with extension-less imports
 * (Deno cannot load it) and would be a second copy of core's engine anyway. tfjs-node requires
 * the bundle too. This module is the one place that loads it.
 * @module
 */
import "@tensorflow/tfjs";
