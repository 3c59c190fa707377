/**
 * WebSocket (RFC 6455) constants, invalid-input reasons and counters shared by the handshake reader, the frame reader
 * and the connection.
 * @module
 */

/** Frame opcodes (RFC 6455 §5.2). */
export const WsOpcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/**
 * Why WebSocket input was skipped. Fatal ones (the framing can no longer be trusted; the direction looks for a frame
 * boundary again, see `resyncs`): `reserved_bits`, `bad_opcode`, `bad_control_frame`, `bad_length`, `gap`. The
 * others skip one frame or message:
 * - `bad_handshake`: an upgrade request or response head that is too long or not HTTP;
 * - `unexpected_continuation`: a continuation frame with no message started;
 * - `expected_continuation`: a new text/binary frame while a fragmented message was open (the open one is dropped);
 * - `too_large`: a message longer than the bound (its frames are skipped);
 * - `inflate_error`: a permessage-deflate message (RSV1) that did not inflate;
 * - `inflate_too_large`: one that inflated past the bound;
 * - `inflate_no_context`: one that did not inflate because it refers to earlier messages that were not seen (picked
 *   up mid-stream, or after lost bytes, with context takeover);
 * - `mask_mismatch`: a client frame without mask or a server frame with one (still delivered);
 * - `data_after_close`: bytes after a Close frame (skipped).
 */
export const WS_INVALID_REASONS = [
  "bad_handshake",
  "reserved_bits",
  "bad_opcode",
  "bad_control_frame",
  "bad_length",
  "gap",
  "unexpected_continuation",
  "expected_continuation",
  "too_large",
  "inflate_error",
  "inflate_too_large",
  "inflate_no_context",
  "mask_mismatch",
  "data_after_close",
] as const;

/** One member of `WS_INVALID_REASONS`. */
export type WsInvalidReason = typeof WS_INVALID_REASONS[number];

/** Counters of WebSocket traffic; one object shared by every connection of a pipeline. */
export interface WebSocketStats {
  /** Upgrade requests asking for the wanted subprotocol. */
  upgrades: number;
  /** 101 responses accepting it. */
  established: number;
  /** Upgrades answered with anything else (no 101, or another subprotocol). */
  rejected: number;
  frames: number;
  /** Whole text/binary messages delivered, and those of them that came in several frames. */
  messages: number;
  fragmentedMessages: number;
  pings: number;
  pongs: number;
  closes: number;
  /** Compressed (permessage-deflate) messages inflated. */
  inflatedMessages: number;
  /** Connections taken as SIP over WebSocket without a handshake (the capture started after it). */
  midstreamAdopted: number;
  /** Deliveries of undetected connections that read as a text/binary frame header but carried no SIP start line. */
  midstreamMisses: number;
  /** Directions whose frame boundary was found by guessing (picked up mid-stream, or after lost bytes). */
  resyncs: number;
  /** Guessed boundaries the framing broke on before two messages came (the guess was wrong). */
  resyncFailures: number;
  /** Directions given up after `WS_RESYNC_ATTEMPTS_MAX` deliveries without a frame starting a SIP message. */
  resyncGiveUps: number;
  /** Bytes no frame could be read from (after a fatal error, a gap or a Close, or while looking for a boundary). */
  skippedBytes: number;
  invalid: Record<WsInvalidReason, number>;
}

/** Zeroed counters. */
export function createWebSocketStats(): WebSocketStats {
  return {
    upgrades: 0,
    established: 0,
    rejected: 0,
    frames: 0,
    messages: 0,
    fragmentedMessages: 0,
    pings: 0,
    pongs: 0,
    closes: 0,
    inflatedMessages: 0,
    midstreamAdopted: 0,
    midstreamMisses: 0,
    resyncs: 0,
    resyncFailures: 0,
    resyncGiveUps: 0,
    skippedBytes: 0,
    invalid: Object.fromEntries(WS_INVALID_REASONS.map((reason) => [reason, 0])) as Record<WsInvalidReason, number>,
  };
}
