/**
 * Bytes → SipMessage. One payload is one message (a UDP datagram, an SCTP message, or a frame cut from a TCP stream
 * by `sipFrameLength`). Never throws on bad input: it returns `{ kind: "invalid", reason }`.
 * @module
 */
import type { ParseResult } from "../parser.ts";
import { decodeText } from "./_flat.ts";
import { HeaderScanner, headerValue, SIP_HEADER_LINES_MAX } from "./_header_scanner.ts";
import { applyDecimalHeader, applyHeader, createDraft, type MessageDraft } from "./_headers.ts";
import { SipHeader, type SipHeaderId } from "./header_name.ts";
import { createStartLineSpans, scanSipStartLine, startsWithSipVersion } from "./start_line.ts";
import type { SipInvalidReason, SipMessage, SipMessageBase, SipRequest, SipResponse } from "./types.ts";

/** The result of parsing one SIP payload. */
export type SipParseResult = ParseResult<SipMessage, SipInvalidReason>;

// Reused across calls: parsing is synchronous, so one scanner and one spans object suffice.
const scanner = new HeaderScanner();
const spans = createStartLineSpans();
/** Per header that becomes a field, in message order: id, value start, value end, folded (0/1). */
const fieldHeaders = new Int32Array(SIP_HEADER_LINES_MAX * 4);
const utf8 = new TextDecoder("utf-8");

function invalid(reason: SipInvalidReason): SipParseResult {
  return { kind: "invalid", reason };
}

/** Reads every header into `draft`; returns an invalid reason, or undefined once the empty line was reached. */
function readHeaders(payload: Uint8Array, draft: MessageDraft): SipInvalidReason | undefined {
  scanner.reset(payload, spans.nextLine);
  let count = 0;
  while (true) {
    const step = scanner.next();
    if (step === "truncated") return "truncated_headers";
    if (step === "too_many") return "too_many_headers";
    if (step === "end") break;
    // Only headers that become fields are kept; the rest cost nothing more.
    const id = scanner.id;
    if (id === SipHeader.OTHER || id > SipHeader.EXPIRES) continue;
    fieldHeaders[count * 4] = id;
    fieldHeaders[count * 4 + 1] = scanner.valueStart;
    fieldHeaders[count * 4 + 2] = scanner.valueEnd;
    fieldHeaders[count * 4 + 3] = scanner.folded ? 1 : 0;
    count++;
  }
  applyFieldHeaders(payload, draft, count);
  draft.malformedHeaderLines = scanner.malformedLines;
  draft.bodyOffset = scanner.bodyOffset;
  return undefined;
}

/**
 * Applies the kept headers in message order. When the header lines are all ASCII (string index = byte index), the
 * bytes the values span are decoded once, with one TextDecoder call, into a flat string that every value is parsed
 * from in place: no string per header value, and fields are built from a flat string (fast to read). Otherwise each
 * value is decoded on its own.
 */
function applyFieldHeaders(payload: Uint8Array, draft: MessageDraft, count: number): void {
  if (count === 0) return;
  const blockStart = fieldHeaders[1];
  const blockEnd = fieldHeaders[(count - 1) * 4 + 2];
  const ascii = scanner.asciiOnly;
  const block = ascii ? utf8.decode(payload.subarray(blockStart, blockEnd)) : "";
  for (let i = 0; i < count * 4; i += 4) {
    const id = fieldHeaders[i] as SipHeaderId;
    const start = fieldHeaders[i + 1];
    const end = fieldHeaders[i + 2];
    const folded = fieldHeaders[i + 3] === 1;
    if (!folded && applyDecimalHeader(draft, id, payload, start, end)) continue;
    if (ascii && !folded) applyHeader(draft, id, block, start - blockStart, end - blockStart);
    else {
      const value = headerValue(payload, start, end, folded);
      applyHeader(draft, id, value, 0, value.length);
    }
  }
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
