/**
 * The opening handshake of a WebSocket connection (RFC 6455 §4): an HTTP/1.1 GET with `Upgrade: websocket` and the
 * `101 Switching Protocols` answer. Read once per connection, so it may allocate: the head is decoded as text and its
 * few interesting headers (Upgrade, Sec-WebSocket-Protocol, Sec-WebSocket-Extensions) are extracted.
 * @module
 */
import { findHeadEnd, latin1 } from "../http/mod.ts";
import { type DeflateParams, parseDeflateExtension } from "./extensions.ts";

/** Longest handshake head waited for; a longer one is not a handshake we follow. */
export const HANDSHAKE_BYTES_MAX = 8192;

/** What a handshake head says. */
export interface HandshakeHead {
  /** Bytes of the head, the empty line included: frames start right after. */
  headBytes: number;
  kind: "request" | "response";
  /** Request method ("" on responses). */
  method: string;
  /** Response status (0 on requests). */
  statusCode: number;
  /** `Upgrade: websocket` is present. */
  websocket: boolean;
  /** `Sec-WebSocket-Protocol` values in order, lower case (RFC 7118 uses "sip"). */
  protocols: string[];
  /** `permessage-deflate` in `Sec-WebSocket-Extensions` (RFC 7692): messages may be compressed, with these parameters. */
  deflate: DeflateParams | undefined;
}

/** The outcome of `readHandshakeHead`. */
export type HandshakeResult =
  | { kind: "head"; head: HandshakeHead }
  | { kind: "incomplete" }
  | { kind: "invalid" };

const REQUEST_LINE = /^([A-Z]+) \S+ HTTP\/1\.\d$/;
const STATUS_LINE = /^HTTP\/1\.\d (\d{3})(?: .*)?$/;
const INCOMPLETE: HandshakeResult = { kind: "incomplete" };
const INVALID: HandshakeResult = { kind: "invalid" };

const NO_HEADERS: ReadonlyMap<string, string> = new Map();
/** "websocket" in lower case, the bytes `indexOfWebsocket` compares with (each byte OR 0x20). */
const WEBSOCKET = new TextEncoder().encode("websocket");

/** Where "websocket" (any case) starts in `bytes[0, end)`, -1 when it does not occur. */
export function indexOfWebsocket(bytes: Uint8Array, end: number): number {
  const last = end - WEBSOCKET.length;
  for (let at = 0; at <= last; at++) {
    if ((bytes[at] | 0x20) !== 0x77) continue;
    let k = 1;
    while (k < WEBSOCKET.length && (bytes[at + k] | 0x20) === WEBSOCKET[k]) k++;
    if (k === WEBSOCKET.length) return at;
  }
  return -1;
}

/** End of the start line of a complete head, its CR LF (or LF) left out, as `split(/\r?\n/)` leaves them out. */
function startLineEnd(bytes: Uint8Array): number {
  const lf = bytes.indexOf(0x0a);
  return lf > 0 && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
}

/** Comma-separated tokens of a header value, trimmed and lower case. */
function tokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(",").map((token) => token.trim().toLowerCase()).filter((token) => token !== "");
}

/** Header name (lower case) → values joined by commas (repeated headers are lists here). */
function headerMap(lines: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  return headers;
}

/**
 * Reads the HTTP head at the start of `bytes`.
 * @returns `head` when it is complete and has an HTTP/1.x start line, `incomplete` while it may still complete within
 * `bytesMax`, `invalid` otherwise.
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("GET / HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: sip\r\n\r\n");
 * const result = readHandshakeHead(bytes); // { kind: "head", head: { websocket: true, protocols: ["sip"], ... } }
 * ```
 */
export function readHandshakeHead(bytes: Uint8Array, bytesMax = HANDSHAKE_BYTES_MAX): HandshakeResult {
  const headBytes = findHeadEnd(bytes, bytesMax);
  if (headBytes < 0) return bytes.length >= bytesMax ? INVALID : INCOMPLETE;
  // Most GETs a SIP task sees are plain HTTP: a head without "websocket" anywhere has no Upgrade to it and no
  // Sec-WebSocket-* header, so only its start line needs decoding.
  const plain = indexOfWebsocket(bytes, headBytes) < 0;
  const lines = plain ? [latin1(bytes, 0, startLineEnd(bytes))] : latin1(bytes, 0, headBytes).split(/\r?\n/);
  const request = REQUEST_LINE.exec(lines[0]);
  const status = request === null ? STATUS_LINE.exec(lines[0]) : null;
  if (request === null && status === null) return INVALID;
  const headers = plain ? NO_HEADERS : headerMap(lines.slice(1));
  return {
    kind: "head",
    head: {
      headBytes,
      kind: request !== null ? "request" : "response",
      method: request?.[1] ?? "",
      statusCode: status !== null ? Number(status[1]) : 0,
      websocket: tokens(headers.get("upgrade")).includes("websocket"),
      protocols: tokens(headers.get("sec-websocket-protocol")),
      deflate: parseDeflateExtension(headers.get("sec-websocket-extensions")),
    },
  };
}
