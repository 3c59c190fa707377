/**
 * `TcpReassembler`: per-connection, both-direction TCP stream reassembly over decoded packets. Connections are
 * found by symmetric flow key (no per-packet allocation); direction 0 is client → server (the SYN sender; without a
 * SYN, the endpoint with the higher port). Bytes reach the handler in order and once; holes are reported as gaps; a
 * connection closes on FIN from both sides, on RST, on idle timeout, or when a new SYN reuses its 4-tuple.
 * @module
 */

import { readU32 } from "../cursor.ts";
import { createFlowKey, type FlowKey, writeFlowKey } from "../flow_key.ts";
import { IpProtocol, type PacketSummary } from "../summary.ts";
import { FlowTable } from "./flow_table.ts";
import { type BufferBudget, HalfStream, type HalfStreamSink } from "./half_stream.ts";
import {
  CloseReason,
  type CloseReasonValue,
  createTcpStreamCounters,
  DEFAULT_TCP_STREAM_LIMITS,
  type TcpStreamCounters,
  type TcpStreamLimits,
} from "./limits.ts";

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

/** Receives reassembled streams. `direction` is 0 for client → server, 1 for server → client. */
export interface TcpStreamHandler {
  /** In-order bytes `data[offset, offset + bytes)`; valid only during the call (copy to keep). */
  onData(connection: TcpConnection, direction: number, data: Uint8Array, offset: number, bytes: number): void;
  /** `bytes` bytes of the direction were lost (never captured, or given up on at a limit). */
  onGap(connection: TcpConnection, direction: number, bytes: number): void;
  onClose(connection: TcpConnection, reason: CloseReasonValue): void;
}

/** What a `TcpConnection` is made from. */
export interface TcpConnectionInit {
  id: number;
  key: FlowKey;
  clientReversed: boolean;
  halves: [HalfStream, HalfStream];
  nowMs: number;
  handler: TcpStreamHandler;
}

/** One tracked connection. `state` is free for the handler (e.g. application framing). */
export class TcpConnection {
  readonly id: number;
  readonly key: Uint8Array;
  readonly hash: number;
  nextInBucket: TcpConnection | null = null;
  /** True when the client is the canonical endpoint B of the key (see `flow_key.ts`). */
  readonly clientReversed: boolean;
  readonly halves: [HalfStream, HalfStream];
  /** Per-direction sinks bound once, so delivering bytes allocates nothing. */
  readonly sinks: [HalfStreamSink, HalfStreamSink];
  lastMs: number;
  state: unknown = undefined;

  constructor(init: TcpConnectionInit) {
    this.id = init.id;
    this.key = init.key.bytes.slice();
    this.hash = init.key.hash;
    this.clientReversed = init.clientReversed;
    this.halves = init.halves;
    this.lastMs = init.nowMs;
    const handler = init.handler;
    const sink = (direction: number): HalfStreamSink => ({
      data: (data, offset, bytes) => handler.onData(this, direction, data, offset, bytes),
      gap: (bytes) => handler.onGap(this, direction, bytes),
    });
    this.sinks = [sink(0), sink(1)];
  }
}

/** Reassembles TCP streams of the packets offered to it. One per worker. */
export class TcpReassembler {
  readonly limits: Readonly<TcpStreamLimits>;
  readonly counters: TcpStreamCounters = createTcpStreamCounters();
  readonly #handler: TcpStreamHandler;
  readonly #table = new FlowTable<TcpConnection>();
  readonly #key: FlowKey = createFlowKey();
  readonly #budget: BufferBudget = { bufferedBytes: 0 };
  #nextId = 1;
  #lastSweepMs = -Infinity;

  constructor(handler: TcpStreamHandler, limits: Partial<TcpStreamLimits> = {}) {
    this.#handler = handler;
    this.limits = { ...DEFAULT_TCP_STREAM_LIMITS, ...limits };
  }

  /** Connections tracked. */
  get connections(): number {
    return this.#table.size;
  }

  /** Out-of-order bytes buffered over all connections. */
  get bufferedBytes(): number {
    return this.#budget.bufferedBytes;
  }

  /** Offers one decoded packet (any protocol; non-TCP is ignored) at packet time `nowMs`. */
  process(summary: PacketSummary, nowMs: number): void {
    if (summary.protocol !== IpProtocol.TCP || summary.ipVersion === 0) return;
    this.counters.packets++;
    if (summary.tcpFlags < 0 || summary.l4Offset < 0 || summary.payloadOffset < 0) {
      this.counters.malformed++;
      return;
    }
    this.#sweepIfDue(nowMs);
    const flags = summary.tcpFlags;
    const key = this.#key;
    writeFlowKey(summary, key);
    let connection = this.#table.get(key);
    const seq = readU32(summary.data, summary.l4Offset + 4, summary.l4Offset + 8);
    if (connection !== undefined && (flags & (SYN | ACK)) === SYN && this.#isNewSyn(connection, key, seq)) {
      this.#close(connection, CloseReason.REUSED);
      connection = undefined;
    }
    if (connection === undefined) {
      if ((flags & RST) !== 0) return;
      connection = this.#open(key, summary, nowMs);
      if (connection === undefined) return;
    }
    connection.lastMs = nowMs;
    this.#segment(connection, key.reversed === connection.clientReversed ? 0 : 1, summary, seq);
  }

  #segment(connection: TcpConnection, direction: number, summary: PacketSummary, seq: number): void {
    const flags = summary.tcpFlags;
    const half = connection.halves[direction];
    const sink = connection.sinks[direction];
    if (!half.initialized) {
      if ((flags & SYN) === 0) this.counters.midstream++;
      half.start(seq, (flags & SYN) !== 0);
    }
    const dataSeq = (flags & SYN) !== 0 ? (seq + 1) >>> 0 : seq;
    half.segment(dataSeq, summary.data, summary.payloadOffset, summary.payloadBytes, sink);
    if ((flags & RST) !== 0) return this.#close(connection, CloseReason.RST);
    if ((flags & FIN) !== 0) half.fin((dataSeq + summary.payloadBytes) >>> 0);
    if (connection.halves[0].finished && connection.halves[1].finished) this.#close(connection, CloseReason.FIN);
  }

  /** A SYN whose sequence number differs from the one that opened this direction starts a new connection. */
  #isNewSyn(connection: TcpConnection, key: FlowKey, seq: number): boolean {
    const half = connection.halves[key.reversed === connection.clientReversed ? 0 : 1];
    return half.initialized && (!half.initialSyn || seq !== half.initialSeq);
  }

  #open(key: FlowKey, summary: PacketSummary, nowMs: number): TcpConnection | undefined {
    const flags = summary.tcpFlags;
    if (this.#table.size >= this.limits.connectionsMax) {
      this.#sweep(nowMs);
      if (this.#table.size >= this.limits.connectionsMax) {
        this.counters.connectionsMax++;
        return undefined;
      }
    }
    const clientReversed = senderIsServer(summary, flags) ? !key.reversed : key.reversed;
    const halves: [HalfStream, HalfStream] = [
      new HalfStream(this.limits, this.counters, this.#budget),
      new HalfStream(this.limits, this.counters, this.#budget),
    ];
    const connection = new TcpConnection({
      id: this.#nextId++,
      key,
      clientReversed,
      halves,
      nowMs,
      handler: this.#handler,
    });
    this.#table.add(connection);
    this.counters.connectionsOpened++;
    return connection;
  }

  #close(connection: TcpConnection, reason: CloseReasonValue): void {
    if (!this.#table.delete(connection)) return;
    connection.halves[0].flush(connection.sinks[0]);
    connection.halves[1].flush(connection.sinks[1]);
    this.counters.connectionsClosed[reason]++;
    this.#handler.onClose(connection, reason);
  }

  #sweepIfDue(nowMs: number): void {
    if (nowMs - this.#lastSweepMs >= this.limits.idleTimeoutMs / 8) this.#sweep(nowMs);
  }

  /** Closes connections idle for `idleTimeoutMs` at packet time `nowMs` (also done periodically by `process`). */
  #sweep(nowMs: number): void {
    this.#lastSweepMs = nowMs;
    for (const connection of this.#table.entries()) {
      if (nowMs - connection.lastMs >= this.limits.idleTimeoutMs) this.#close(connection, CloseReason.TIMEOUT);
    }
  }

  /** Closes idle connections now (for callers with a clock but no packets). */
  expire(nowMs: number): void {
    this.#sweep(nowMs);
  }

  /** Flushes and closes every connection (end of file, shutdown). */
  closeAll(): void {
    for (const connection of this.#table.entries()) this.#close(connection, CloseReason.SHUTDOWN);
  }
}

/**
 * Whether the first packet seen of a connection came from the server: a SYN-ACK did; a SYN did not; without
 * either (picked up mid-stream) the endpoint with the lower port is taken as the server, as Wireshark does.
 */
function senderIsServer(summary: PacketSummary, flags: number): boolean {
  if ((flags & SYN) !== 0) return (flags & ACK) !== 0;
  return summary.srcPort < summary.dstPort;
}
