/**
 * Base64 of bytes (JSR's std is unreachable here; node:buffer does it natively).
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** Base64 text of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
