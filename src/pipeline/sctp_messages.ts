/**
 * Joins SCTP user messages split over several DATA chunks (B bit on the first, E bit on the last, consecutive
 * TSNs), as SIP over SCTP does for messages larger than the path MTU. Whole chunks never come here. Partial
 * messages are few: they are keyed by text (one allocation per piece is fine) and bounded in count, bytes and age.
 * @module
 */

import { SctpDataFlag } from "../decode/sctp.ts";

/** Bounds on partial messages. */
export interface SctpMessageLimits {
  /** Partial messages held at once; the oldest is dropped past it. @default 1024 */
  messagesMax: number;
  /** Bytes of one message. @default 1 MiB + 64 KiB (SIP's own bounds) */
  messageBytesMax: number;
  /** A partial message older than this is dropped. @default 30000 */
  timeoutMs: number;
}

const DEFAULT_LIMITS: SctpMessageLimits = { messagesMax: 1024, messageBytesMax: (1 << 20) + 65536, timeoutMs: 30_000 };

/** Counters of the joiner. */
export interface SctpMessageCounters {
  joined: number;
  /** A piece whose TSN did not follow the previous one, or a middle/last piece without a first one. */
  outOfSequence: number;
  tooLarge: number;
  evicted: number;
  timedOut: number;
}

interface PartialMessage {
  nextTsn: number;
  parts: Uint8Array[];
  bytes: number;
  startMs: number;
}

/** Joins pieces of messages per (direction, stream, ordered/unordered). */
export class SctpMessages {
  readonly counters: SctpMessageCounters = { joined: 0, outOfSequence: 0, tooLarge: 0, evicted: 0, timedOut: 0 };
  readonly #limits: SctpMessageLimits;
  readonly #partials = new Map<string, PartialMessage>();

  constructor(limits: Partial<SctpMessageLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Partial messages held. */
  get size(): number {
    return this.#partials.size;
  }

  /**
   * Adds one piece (`flags` without both B and E); returns the whole message when `piece` completes it. `key` names
   * the direction and stream the piece belongs to.
   */
  add(key: string, flags: number, tsn: number, piece: Uint8Array, nowMs: number): Uint8Array | undefined {
    let partial = this.#partials.get(key);
    if ((flags & SctpDataFlag.BEGIN) !== 0) {
      if (partial !== undefined) this.counters.outOfSequence++;
      partial = { nextTsn: tsn, parts: [], bytes: 0, startMs: nowMs };
      this.#admit(key, partial);
    } else if (partial === undefined || partial.nextTsn !== tsn) {
      this.counters.outOfSequence++;
      if (partial !== undefined) this.#partials.delete(key);
      return undefined;
    }
    if (partial.bytes + piece.length > this.#limits.messageBytesMax) {
      this.counters.tooLarge++;
      this.#partials.delete(key);
      return undefined;
    }
    partial.parts.push(piece.slice());
    partial.bytes += piece.length;
    partial.nextTsn = (tsn + 1) >>> 0;
    if ((flags & SctpDataFlag.END) === 0) return undefined;
    this.#partials.delete(key);
    this.counters.joined++;
    const message = new Uint8Array(partial.bytes);
    let at = 0;
    for (const part of partial.parts) {
      message.set(part, at);
      at += part.length;
    }
    return message;
  }

  #admit(key: string, partial: PartialMessage): void {
    this.#partials.delete(key);
    if (this.#partials.size >= this.#limits.messagesMax) {
      this.#partials.delete(this.#partials.keys().next().value!);
      this.counters.evicted++;
    }
    this.#partials.set(key, partial);
  }

  /** Drops partial messages older than the timeout at `nowMs`. */
  expire(nowMs: number): void {
    for (const [key, partial] of this.#partials) {
      if (nowMs - partial.startMs < this.#limits.timeoutMs) continue;
      this.#partials.delete(key);
      this.counters.timedOut++;
    }
  }
}
