/**
 * Cheap SIP detection on any port.
 * @module
 */
import type { Detection } from "../parser.ts";
import { createStartLineSpans, scanSipStartLine } from "./start_line.ts";

// One spans object for every call: detection must not allocate per packet.
const spans = createStartLineSpans();

/**
 * Says whether `payload` starts with a SIP request line (`METHOD SP URI SP SIP/2.0` CRLF) or status line
 * (`SIP/2.0 SP ddd`), without allocating. Works for extension methods and on any port.
 *
 * @example
 * ```ts
 * detectSip(new TextEncoder().encode("OPTIONS sip:a@b SIP/2.0\r\n")); // "request"
 * ```
 */
export function detectSip(payload: Uint8Array): Detection | undefined {
  return scanSipStartLine(payload, spans);
}
