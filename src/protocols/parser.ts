/**
 * The common shape of every application-protocol parser: detect → parse → (pair) → emit.
 *
 * A parser turns one payload (a UDP datagram, an SCTP message, or one framed message cut from a reassembled TCP
 * stream) into a typed message. Pairing (transactions, calls, streams) lives beside it in its own file and is not part
 * of this interface. Bad data is never thrown: it comes back as `{ kind: "invalid", reason }` and the caller counts
 * that reason.
 * @module
 */

/** Transports a parser can read from. */
export type Transport = "udp" | "tcp" | "sctp";

/** What a cheap detector saw at the start of a payload. */
export type Detection = "request" | "response";

/**
 * The outcome of parsing one payload.
 *
 * - `message`: a parsed message; `consumedBytes` is how many bytes from the start of the payload it used (a stream
 *   caller advances by that much).
 * - `incomplete`: stream mode only; the bytes so far are a valid prefix, wait for more.
 * - `invalid`: the payload is not a valid message; `reason` is a member of the parser's reason enum and is counted.
 */
export type ParseResult<M, R extends string = string> =
  | { kind: "message"; message: M; consumedBytes: number }
  | { kind: "incomplete" }
  | { kind: "invalid"; reason: R };

/** A protocol parser: a small object listed explicitly in the registry (no import side effects). */
export interface Parser<M, R extends string = string> {
  /** Protocol name: metric label, config key and record type at once (e.g. "sip"). */
  readonly name: string;
  readonly transports: readonly Transport[];
  /** Well-known ports; feeds the capture filter. Detection itself must not depend on them. */
  readonly ports: readonly number[];
  /** Every reason `parse` may return, so counters can be registered up front. */
  readonly invalidReasons: readonly R[];
  /** Cheap guess from the first bytes of a payload; must not allocate. */
  detect(payload: Uint8Array): Detection | undefined;
  /** Parses one datagram-like payload (UDP, SCTP) into a message, or says why it cannot. */
  parse(payload: Uint8Array): ParseResult<M, R>;
}
