/**
 * Calls by Call-ID: an initial INVITE opens a call, the dialog's messages move it, and a `CallRecord` is emitted when
 * it ends (BYE answered, CANCEL, failure response), times out, is evicted at `callsMax`, or is flushed. Messages of
 * other Call-IDs (REGISTER, OPTIONS, MESSAGE, ... transactions) are ignored and counted.
 * @module
 */
import type { SipDialogMessage } from "../sip/mod.ts";
import { Call } from "./call.ts";
import type { CallEndReason, CallRecord, SipTuple } from "./types.ts";

/** Limits and timeouts of a `CallTracker`. */
export interface CallTrackerOptions {
  /** Calls in flight; the least recently active is evicted beyond it. @default 10000 */
  callsMax?: number;
  /** An unanswered call with no activity this long ends as "timeout". @default 180000 (3 min) */
  setupTimeoutMs?: number;
  /** An answered call with no SIP or media activity this long ends as "timeout". @default 300000 (5 min) */
  idleTimeoutMs?: number;
  /** A BYE not answered within this time ends the call anyway (RFC 3261 timer F). @default 32000 */
  byeTimeoutMs?: number;
}

/** Counters of a `CallTracker`. */
export interface CallTrackerStats {
  calls: number;
  evicted: number;
  timedOut: number;
  /** Messages whose Call-ID is not a call in flight and that do not start one. */
  ignored: number;
}

/** Receives every call that ends. */
export type CallRecordSink = (record: CallRecord, call: Call) => void;

/** The calls in flight. */
export class CallTracker {
  readonly stats: CallTrackerStats = { calls: 0, evicted: 0, timedOut: 0, ignored: 0 };
  readonly #calls = new Map<string, Call>();
  readonly #sink: CallRecordSink;
  readonly #callsMax: number;
  readonly #setupTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #byeTimeoutMs: number;

  /** Creates a tracker sending ended calls to `sink`. */
  constructor(sink: CallRecordSink, options: CallTrackerOptions = {}) {
    this.#sink = sink;
    this.#callsMax = Math.max(1, options.callsMax ?? 10_000);
    this.#setupTimeoutMs = options.setupTimeoutMs ?? 180_000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.#byeTimeoutMs = options.byeTimeoutMs ?? 32_000;
  }

  /** Calls in flight. */
  get size(): number {
    return this.#calls.size;
  }

  /** The call in flight with this Call-ID. */
  get(callId: string): Call | undefined {
    return this.#calls.get(callId);
  }

  /**
   * Accounts for one SIP message captured at `timeMs` on `tuple`.
   * @returns the call it belongs to (also when the message ended it), or undefined when ignored.
   */
  update(message: SipDialogMessage, timeMs: number, tuple: SipTuple): Call | undefined {
    const call = this.#calls.get(message.callId);
    if (call === undefined) {
      if (message.kind !== "request" || message.method !== "INVITE" || (message.to?.tag ?? "") !== "") {
        this.stats.ignored++;
        return undefined;
      }
      return this.#open(new Call(message, timeMs, tuple));
    }
    // Map order is activity order: re-inserting moves the call to the young end (eviction takes the oldest).
    this.#calls.delete(call.callId);
    this.#calls.set(call.callId, call);
    if (call.apply(message, timeMs, tuple) === "end") {
      this.#end(call, call.finalStatus !== undefined && call.finalStatus >= 300 ? "failed" : "bye", timeMs);
    }
    return call;
  }

  #open(call: Call): Call {
    if (this.#calls.size >= this.#callsMax) {
      const oldest = this.#calls.values().next().value as Call;
      this.stats.evicted++;
      this.#end(oldest, "evicted", call.inviteTimeMs);
    }
    this.#calls.set(call.callId, call);
    this.stats.calls++;
    return call;
  }

  #end(call: Call, reason: CallEndReason, timeMs: number): void {
    this.#calls.delete(call.callId);
    call.state = reason === "evicted" || reason === "flushed" || reason === "timeout" ? call.state : "ended";
    this.#sink(call.toRecord(reason, timeMs), call);
  }

  /** Ends calls whose timeouts passed at `nowMs`; call about once a second. */
  expire(nowMs: number): void {
    for (const call of [...this.#calls.values()]) {
      const idleMs = nowMs - call.lastActivityMs;
      if (call.byeTimeMs !== undefined) {
        if (nowMs - call.byeTimeMs >= this.#byeTimeoutMs) this.#end(call, "bye", call.byeTimeMs);
      } else if (idleMs >= (call.answerTimeMs === undefined ? this.#setupTimeoutMs : this.#idleTimeoutMs)) {
        this.stats.timedOut++;
        this.#end(call, call.cancelled ? "cancelled" : "timeout", call.lastActivityMs);
      }
    }
  }

  /** Ends every call in flight (end of capture), at `nowMs`. */
  flush(nowMs: number): void {
    for (const call of [...this.#calls.values()]) this.#end(call, "flushed", Math.max(nowMs, call.lastActivityMs));
  }
}
