/**
 * Types of the HTTP/1.x parser: message heads, complete messages and the reasons bytes are rejected.
 * @module
 */

/** Why bytes are not a valid HTTP/1.x message. Counted by reason; the list is fixed (metric labels). */
export const HTTP_INVALID_REASONS = [
  "bad_start_line",
  "bad_header",
  "head_too_large",
  "bad_content_length",
  "bad_transfer_encoding",
  "bad_chunk",
] as const;

/** One member of {@linkcode HTTP_INVALID_REASONS}. */
export type HttpInvalidReason = typeof HTTP_INVALID_REASONS[number];

/** Fields shared by requests and responses. Header values are trimmed; absent headers are undefined. */
interface HttpMessageBase {
  /** "1.0" or "1.1". */
  version: string;
  contentType?: string;
  /** Content-Length when present and valid. */
  contentLength?: number;
  transferEncoding?: string;
  /** The Connection header, lower-cased ("keep-alive", "close", "upgrade"). */
  connection?: string;
  /** Bytes of the start line and headers, including the empty line. */
  headBytes: number;
  /** Body bytes on the wire (with chunk framing and trailers for chunked bodies). */
  bodyBytes: number;
  /** Time of the first byte of the message. */
  startTimeMs: number;
  /** Time of the bytes that completed the message. */
  endTimeMs: number;
  /** True when the body was cut by the end of the stream or a gap. */
  truncated: boolean;
}

/** An HTTP request. */
export interface HttpRequest extends HttpMessageBase {
  kind: "request";
  method: string;
  /** The request-target as sent: a path with query, an absolute URI (proxies), an authority (CONNECT) or "*". */
  target: string;
  host?: string;
  userAgent?: string;
}

/** An HTTP response. */
export interface HttpResponse extends HttpMessageBase {
  kind: "response";
  status: number;
  reason: string;
}

/** A request or a response. */
export type HttpMessage = HttpRequest | HttpResponse;
