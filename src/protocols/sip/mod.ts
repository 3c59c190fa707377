/**
 * SIP (RFC 3261) message parsing: detection on any port, bytes → `SipMessage`, and stream framing for TCP.
 * The only import other folders use.
 *
 * @example
 * ```ts
 * import { sip } from "./mod.ts";
 * const payload = new TextEncoder().encode("OPTIONS sip:h SIP/2.0\r\ni: 1\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n");
 * if (sip.detect(payload) !== undefined) sip.parse(payload);
 * ```
 * @module
 */
import type { Parser } from "../parser.ts";
import { detectSip } from "./detect.ts";
import { parseSipMessage } from "./message.ts";
import { SIP_INVALID_REASONS, type SipInvalidReason, type SipMessage } from "./types.ts";

export * from "./types.ts";
export { detectSip } from "./detect.ts";
export { parseSipMessage, type SipParseResult } from "./message.ts";
export { SIP_BODY_BYTES_MAX, SIP_HEADER_BYTES_MAX, type SipFrame, sipFrameLength } from "./framing.ts";
export { lookupSipHeader, SipHeader, type SipHeaderId, sipHeaderName } from "./header_name.ts";
export { isSdpContentType } from "./body.ts";

/** The SIP parser as registered in the protocol registry. */
export const sip: Parser<SipMessage, SipInvalidReason> = {
  name: "sip",
  transports: ["udp", "tcp", "sctp"],
  ports: [5060, 5061],
  invalidReasons: SIP_INVALID_REASONS,
  detect: detectSip,
  parse: parseSipMessage,
};
