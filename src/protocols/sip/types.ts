/**
 * The parsed form of one SIP message. Strings are decoded copies of the header values (the payload is not retained);
 * the body is described by offsets into the payload that was parsed, so a caller that still holds the payload can
 * read it (e.g. to parse SDP) without a copy.
 * @module
 */

/** Why a payload was not a SIP message; each reason has its own counter. */
export type SipInvalidReason =
  /** The first line is neither a request line nor a status line. */
  | "not_sip"
  /** The start line looked like SIP but a part of it is malformed (status code, empty URI, ...). */
  | "bad_start_line"
  /** The header section does not end with an empty line inside the payload. */
  | "truncated_headers"
  /** More header lines than `SIP_HEADER_LINES_MAX`. */
  | "too_many_headers"
  /** Content-Length is not a decimal number, or two Content-Length headers disagree. */
  | "bad_content_length"
  /** Content-Length says the body is longer than the bytes that follow the headers. */
  | "body_truncated"
  /** No Call-ID header (needed to pair anything). */
  | "missing_call_id"
  /** CSeq absent or not `number method`. */
  | "bad_cseq"
  /** Stream framing only: Content-Length absent (mandatory over TCP, RFC 3261 §18.3). */
  | "missing_content_length";

/** Every `SipInvalidReason`, for registering counters. */
export const SIP_INVALID_REASONS: readonly SipInvalidReason[] = [
  "not_sip",
  "bad_start_line",
  "truncated_headers",
  "too_many_headers",
  "bad_content_length",
  "body_truncated",
  "missing_call_id",
  "bad_cseq",
  "missing_content_length",
];

/** A From, To or Contact value: `"Display" <uri>;params` or `uri;params`. */
export interface SipAddress {
  /** Display name with quotes removed and escapes resolved; "" when absent. */
  displayName: string;
  /** The URI without angle brackets, e.g. `sip:alice@example.com;user=phone`. */
  uri: string;
  /** `tag` header parameter; "" when absent. */
  tag: string;
  /** Header parameters after the URI (after `>` or, for a bare URI, after the first `;`), raw, without the leading `;`. */
  params: string;
}

/** One Via value (a Via header may carry several, comma-separated). */
export interface SipVia {
  /** Transport as written, e.g. "UDP", "TCP", "TLS", "WS", "SCTP". */
  transport: string;
  /** Sent-by host; IPv6 references lose their brackets. */
  host: string;
  /** Sent-by port; undefined when not written. */
  port: number | undefined;
  /** `branch` parameter; "" when absent. */
  branch: string;
  /** `received` parameter; "" when absent. */
  received: string;
  /** True when an `rport` parameter is present (with or without a value). */
  hasRport: boolean;
  /** `rport` value; undefined when absent or empty. */
  rport: number | undefined;
}

/** The CSeq header. */
export interface SipCSeq {
  seq: number;
  method: string;
}

/** One Reason value (RFC 3326), e.g. `Q.850;cause=16;text="Normal call clearing"`. */
export interface SipReason {
  protocol: string;
  /** `cause` parameter; undefined when absent or not a number. */
  cause: number | undefined;
  /** `text` parameter without quotes; "" when absent. */
  text: string;
}

/** Fields common to requests and responses. */
export interface SipMessageBase {
  callId: string;
  cseq: SipCSeq;
  from: SipAddress | undefined;
  to: SipAddress | undefined;
  /** Every Via value in message order (top-most first), across repeated headers and comma lists. */
  vias: SipVia[];
  /** Every Contact value in order; `*` (REGISTER remove-all) is one address whose uri is "*". */
  contacts: SipAddress[];
  /** User-Agent value; "" when absent. */
  userAgent: string;
  /** Server value; "" when absent. */
  server: string;
  /** Content-Type value as written (with parameters); "" when absent. */
  contentType: string;
  /** Content-Length value; undefined when absent. */
  contentLength: number | undefined;
  /** Every Reason value in order. */
  reasons: SipReason[];
  /** Max-Forwards; undefined when absent or not a number. */
  maxForwards: number | undefined;
  /** Expires (delta seconds); undefined when absent or not a number. */
  expires: number | undefined;
  /** Offset of the body from the start of the parsed payload (just after the empty line). */
  bodyOffset: number;
  bodyLength: number;
  /** Header lines skipped because they had no colon (counted, not fatal). */
  malformedHeaderLines: number;
}

/** A SIP request. */
export interface SipRequest extends SipMessageBase {
  kind: "request";
  /** Method as written (case-sensitive per RFC 3261), e.g. "INVITE". */
  method: string;
  requestUri: string;
}

/** A SIP response. */
export interface SipResponse extends SipMessageBase {
  kind: "response";
  statusCode: number;
  /** Reason phrase; "" when absent. */
  reasonPhrase: string;
}

/** A parsed SIP message. */
export type SipMessage = SipRequest | SipResponse;

/** The From or To party as dialog tracking reads it. */
export interface SipDialogParty {
  uri: string;
  tag: string;
}

/**
 * The fields of a SIP message that call tracking reads: a `SipMessage` has them all, and the pipeline builds just these
 * from the native parser's summary (src/pipeline/native_sip.ts) when it did not make a `SipMessage`.
 */
export interface SipDialogBase {
  callId: string;
  cseq: SipCSeq;
  from: SipDialogParty | undefined;
  to: SipDialogParty | undefined;
  userAgent: string;
  contentType: string;
  reasons: SipReason[];
  bodyOffset: number;
  bodyLength: number;
}

/** A request as call tracking reads it. */
export interface SipDialogRequest extends SipDialogBase {
  kind: "request";
  method: string;
}

/** A response as call tracking reads it. */
export interface SipDialogResponse extends SipDialogBase {
  kind: "response";
  statusCode: number;
}

/** A message as call tracking reads it. */
export type SipDialogMessage = SipDialogRequest | SipDialogResponse;
