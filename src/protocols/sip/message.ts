/**
 * Bytes → SipMessage. One payload is one message (a UDP datagram, an SCTP message, or a frame cut from a TCP stream
 * by `sipFrameLength`). Never throws on bad input: it returns `{ kind: "invalid", reason }`.
 * @module
 */
import type { ParseResult } from "../parser.ts";
import { decodeText } from "./_bytes.ts";
import { HeaderScanner } from "./_header_scanner.ts";
import { applyDecimalHeader, applyHeader, createDraft, type MessageDraft } from "./_headers.ts";
import { SipHeader } from "./header_name.ts";
import { createStartLineSpans, scanSipStartLine, startsWithSipVersion } from "./start_line.ts";
import type { SipInvalidReason, SipMessage, SipMessageBase, SipRequest, SipResponse } from "./types.ts";

/** The result of parsing one SIP payload. */
export type SipParseResult = ParseResult<SipMessage, SipInvalidReason>;

// Reused across calls: parsing is synchronous, so one scanner and one spans object suffice.
const scanner = new HeaderScanner();
const spans = createStartLineSpans();

function invalid(reason: SipInvalidReason): SipParseResult {
  return { kind: "invalid", reason };
}

/** Reads every header into `draft`; returns an invalid reason, or undefined once the empty line was reached. */
function readHeaders(payload: Uint8Array, draft: MessageDraft): SipInvalidReason | undefined {
  scanner.reset(payload, spans.nextLine);
  while (true) {
    const step = scanner.next();
    if (step === "truncated") return "truncated_headers";
    if (step === "too_many") return "too_many_headers";
    if (step === "end") break;
    // Only headers that become fields are decoded; the rest cost no allocation.
    const id = scanner.id;
    if (id === SipHeader.OTHER || id > SipHeader.EXPIRES) continue;
    if (scanner.folded || !applyDecimalHeader(draft, id, payload, scanner.valueStart, scanner.valueEnd)) {
      applyHeader(draft, id, scanner.value());
    }
  }
  draft.malformedHeaderLines = scanner.malformedLines;
  draft.bodyOffset = scanner.bodyOffset;
  return undefined;
}

/** Checks the fields pairing depends on and the body bounds; sets `bodyLength`. */
function validate(payload: Uint8Array, draft: MessageDraft): SipInvalidReason | undefined {
  if (draft.badContentLength) return "bad_content_length";
  if (!draft.hasCallId) return "missing_call_id";
  if (draft.cseq === undefined || draft.badCSeq) return "bad_cseq";
  const available = payload.length - draft.bodyOffset;
  if (draft.contentLength === undefined) {
    // Datagram without Content-Length: the body is the rest of the datagram (RFC 3261 §18.3 allows this on UDP).
    draft.bodyLength = available;
  } else {
    if (draft.contentLength > available) return "body_truncated";
    draft.bodyLength = draft.contentLength;
  }
  return undefined;
}

/** Copies the draft's fields into the result (explicitly: object spread is slow on this hot path). */
function base(draft: MessageDraft): SipMessageBase {
  return {
    callId: draft.callId,
    cseq: draft.cseq!,
    from: draft.from,
    to: draft.to,
    vias: draft.vias,
    contacts: draft.contacts,
    userAgent: draft.userAgent,
    server: draft.server,
    contentType: draft.contentType,
    contentLength: draft.contentLength,
    reasons: draft.reasons,
    maxForwards: draft.maxForwards,
    expires: draft.expires,
    bodyOffset: draft.bodyOffset,
    bodyLength: draft.bodyLength,
    malformedHeaderLines: draft.malformedHeaderLines,
  };
}

function finish(payload: Uint8Array, draft: MessageDraft, isRequest: boolean): SipMessage {
  const message = base(draft);
  if (isRequest) {
    const request = message as SipRequest;
    request.kind = "request";
    request.method = decodeText(payload, 0, spans.methodEnd);
    request.requestUri = decodeText(payload, spans.uriStart, spans.uriEnd);
    return request;
  }
  const response = message as SipResponse;
  response.kind = "response";
  response.statusCode = spans.statusCode;
  response.reasonPhrase = decodeText(payload, spans.reasonStart, spans.reasonEnd);
  return response;
}

/**
 * Parses one SIP message from the start of `payload`. The payload is only read; the returned message holds decoded
 * strings and the body's offset/length within `payload`. When Content-Length is shorter than the bytes after the
 * headers, `consumedBytes` stops at the end of the body.
 *
 * @example
 * ```ts
 * const result = parseSipMessage(new TextEncoder().encode(
 *   "BYE sip:b@h SIP/2.0\r\nCall-ID: x\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
 * ));
 * if (result.kind === "message" && result.message.kind === "request") result.message.method; // "BYE"
 * ```
 */
export function parseSipMessage(payload: Uint8Array): SipParseResult {
  const kind = scanSipStartLine(payload, spans);
  if (kind === undefined) return invalid(startsWithSipVersion(payload) ? "bad_start_line" : "not_sip");
  const draft = createDraft();
  const reason = readHeaders(payload, draft) ?? validate(payload, draft);
  if (reason !== undefined) return invalid(reason);
  return {
    kind: "message",
    message: finish(payload, draft, kind === "request"),
    consumedBytes: draft.bodyOffset + draft.bodyLength,
  };
}
