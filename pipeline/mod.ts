/**
 * The pipeline engine: stage declarations, the stage graph and plans, the content-addressed
 * cache, staleness with reasons, the concurrent runner and the DuckDB results store.
 * Nothing here imports tfjs.
 * @module
 */
export * from "./stage.ts";
export * from "./params.ts";
export * from "./graph.ts";
export * from "./cache.ts";
export * from "./key.ts";
export * from "./lock.ts";
export * from "./runner.ts";
export * from "./progress.ts";
export * from "./store.ts";
export * from "./results_schema.ts";
export * from "./results_query.ts";
export { canonicalJson, sha256, sha256File } from "./hash.ts";
export { resetCodeHashes, stageCode } from "./code_hash.ts";
export type { CodeIdentity, SourceReader, StageCodeRef } from "./code_hash.ts";
export * from "./task.ts";
export * from "./worker.ts";
