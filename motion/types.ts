/**
 * Motion data shared by the flow, track, loss and evaluation code (declared on the ground floor,
 * formats/types.ts).
 * @module
 */

export type { FlowField, Tracks } from "../formats/types.ts";
