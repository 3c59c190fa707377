/**
 * Message boundaries in a SIP byte stream (TCP, TLS, SCTP without message boundaries): RFC 3261 §18.3 frames each
 * message by its header section and Content-Length.
 * @module
 */
import { CR, LF, parseDecimal, skipSpace } from "./_bytes.ts";
import { HeaderScanner } from "./_header_scanner.ts";
import { SipHeader } from "./header_name.ts";
import { createStartLineSpans, scanSipStartLine, SIP_START_LINE_BYTES_MAX } from "./start_line.ts";
import type { SipInvalidReason } from "./types.ts";

/** Longest header section waited for before the stream is declared not SIP (bounds buffering per connection). */
export const SIP_HEADER_BYTES_MAX = 65536;
/** Largest Content-Length accepted on a stream (bounds buffering per connection). */
export const SIP_BODY_BYTES_MAX = 1 << 20;

/**
 * The first unit in a stream buffer:
 * - `message`: a complete message of `length` bytes (headers + Content-Length body);
 * - `keepalive`: `length` bytes of CR/LF keep-alive (RFC 5626 §4.4.1) to skip;
 * - `incomplete`: a valid prefix; wait for more bytes;
 * - `invalid`: the stream is not (or no longer) SIP; drop the connection state and resync.
 */
export type SipFrame =
  | { kind: "message"; length: number }
  | { kind: "keepalive"; length: number }
  | { kind: "incomplete" }
  | { kind: "invalid"; reason: SipInvalidReason };

const scanner = new HeaderScanner();
const spans = createStartLineSpans();
const INCOMPLETE: SipFrame = { kind: "incomplete" };

function keepaliveLength(bytes: Uint8Array): number {
  let length = 0;
  while (length < bytes.length && (bytes[length] === CR || bytes[length] === LF)) length++;
  return length;
}

/** True when `bytes` holds no complete line yet and could still become a start line. */
function startLinePending(bytes: Uint8Array): boolean {
  return bytes.length < SIP_START_LINE_BYTES_MAX && bytes.indexOf(LF) === -1;
}

/**
 * Reports the length of the first complete SIP message in `bytes` (the start of a stream buffer), or why there is
 * none yet. Content-Length is found under its long and compact (`l`) names.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("SIP/2.0 200 OK\r\nl: 0\r\n\r\nSIP/2.0 ...");
 * sipFrameLength(bytes); // { kind: "message", length: 24 }
 * ```
 */
export function sipFrameLength(bytes: Uint8Array): SipFrame {
  const keepalive = keepaliveLength(bytes);
  if (keepalive > 0) return { kind: "keepalive", length: keepalive };
  if (scanSipStartLine(bytes, spans) === undefined) {
    return startLinePending(bytes) ? INCOMPLETE : { kind: "invalid", reason: "not_sip" };
  }
  scanner.reset(bytes, spans.nextLine);
  let contentLength = -1;
  while (true) {
    const step = scanner.next();
    if (step === "end") break;
    if (step === "too_many") return { kind: "invalid", reason: "too_many_headers" };
    if (step === "truncated") {
      return bytes.length < SIP_HEADER_BYTES_MAX ? INCOMPLETE : { kind: "invalid", reason: "too_many_headers" };
    }
    if (scanner.id !== SipHeader.CONTENT_LENGTH) continue;
    const start = skipSpace(bytes, scanner.valueStart, scanner.valueEnd);
    const length = parseDecimal(bytes, start, scanner.valueEnd, 10);
    if (length < 0 || (contentLength >= 0 && length !== contentLength)) {
      return { kind: "invalid", reason: "bad_content_length" };
    }
    contentLength = length;
  }
  if (contentLength < 0) return { kind: "invalid", reason: "missing_content_length" };
  if (contentLength > SIP_BODY_BYTES_MAX) return { kind: "invalid", reason: "bad_content_length" };
  const length = scanner.bodyOffset + contentLength;
  return length <= bytes.length ? { kind: "message", length } : INCOMPLETE;
}
