/**
 * `Pipeline`: one per task and worker. It takes `PacketBatch`es and runs decode (fragments, tunnels) → dispatch →
 * parsers and trackers, and puts typed records in a bounded queue the caller drains. Everything is counted by
 * reason (`stats()`); nothing thrown by bad data escapes. Per packet: one decode into reused objects and a few
 * comparisons — records, and the strings in them, are made only when a record is emitted.
 *
 * @example
 * ```ts
 * const pipeline = new Pipeline({ protocols: ["sip"], interfaces: source.interfaces });
 * for (let batch = await source.next(); batch !== null; batch = await source.next()) {
 *   pipeline.process(batch);
 *   source.release(batch);
 *   for (const record of pipeline.queue.drain()) console.log(JSON.stringify(record));
 * }
 * pipeline.finish();
 * ```
 * @module
 */

import type { PacketBatch } from "../capture/batch.ts";
import { FullDecoder, type FullDecoderOptions, innerLevel } from "../decode/full_decoder.ts";
import { Malformed } from "../decode/summary.ts";
import type { TcpStreamLimits } from "../decode/tcp_stream/limits.ts";
import type { VoipTrackerOptions } from "../protocols/calls/mod.ts";
import type { CallPacketSink } from "../output/call_pcap.ts";
import { CallCapture } from "./call_capture.ts";
import { Dispatcher } from "./dispatch.ts";
import { RecordEmitter } from "./emitter.ts";
import { DEFAULT_PROTOCOL_NAMES, planProtocols, type ProtocolName, type ProtocolPlan } from "./protocols.ts";
import { RecordQueue } from "./record_queue.ts";
import { createPipelineCounters, type PipelineCounters, type PipelineStats } from "./stats.ts";
import { pipelineStats } from "./stats_snapshot.ts";

/** Timeouts run at most this often (packet time, or wall time through `tick`). */
export const EXPIRE_INTERVAL_MS = 1000;

/** Options of a `Pipeline`; every part has a default. */
export interface PipelineOptions {
  /** Task name put in every record. */
  task?: string;
  /** Interface names indexed by `PacketBatch.interfaceIndex` (the source's `interfaces`). */
  interfaces?: readonly string[];
  /** Protocols to decode. @default `DEFAULT_PROTOCOL_NAMES` (every protocol but per-packet `rtp_packet` records) */
  protocols?: Iterable<ProtocolName>;
  /** Bound of the record queue. @default 65536 */
  recordsMax?: number;
  decoder?: FullDecoderOptions;
  voip?: VoipTrackerOptions;
  tcp?: Partial<TcpStreamLimits>;
  /** @default [53, 5353] */
  dnsPorts?: readonly number[];
  dnsTimeoutMs?: number;
  dnsTransactionsMax?: number;
  httpTimeoutMs?: number;
  /** Per-call packet capture: every SIP, RTP and RTCP packet of a call goes to its file. */
  callSink?: CallPacketSink;
  /** SIP through the native parser when the capture library is there (false: TypeScript only). @default true */
  nativeSip?: boolean;
}

/** Capture batches in, records out. */
export class Pipeline {
  readonly plan: ProtocolPlan;
  readonly queue: RecordQueue;
  readonly counters: PipelineCounters = createPipelineCounters();
  readonly decoder: FullDecoder;
  readonly dispatcher: Dispatcher;
  readonly emitter: RecordEmitter;
  readonly #interfaces: readonly string[];
  #lastExpireMs = -Infinity;
  /** Latest capture time seen (ms); the clock of timeouts. */
  #nowMs = 0;

  constructor(options: PipelineOptions = {}) {
    this.plan = planProtocols(options.protocols ?? DEFAULT_PROTOCOL_NAMES);
    this.queue = new RecordQueue(options.recordsMax);
    this.#interfaces = options.interfaces ?? [];
    this.decoder = new FullDecoder(options.decoder);
    this.emitter = new RecordEmitter(this.plan, this.queue, options.task);
    this.dispatcher = new Dispatcher({ ...options, plan: this.plan, emitter: this.emitter, counters: this.counters });
    if (options.callSink !== undefined) {
      const capture = new CallCapture(options.callSink);
      this.dispatcher.callCapture = capture;
      this.emitter.onCallEnded = (callId, endMs) => capture.sink.callEnded(callId, endMs);
    }
  }

  /** Latest capture time processed, in ms since the epoch (0 before the first packet). */
  get nowMs(): number {
    return this.#nowMs;
  }

  /** Decodes and dispatches every packet of `batch`. The batch may be released as soon as this returns. */
  process(batch: PacketBatch): void {
    const counters = this.counters;
    const interfaceName = this.#interfaces[batch.interfaceIndex];
    for (let i = 0; i < batch.count; i++) {
      counters.packets++;
      counters.bytes += batch.capturedBytes[i];
      const packet = this.decoder.decode(batch, i);
      const outer = packet.levels[0];
      const timeMs = outer.timestampSec * 1000 + outer.timestampNsec / 1e6;
      if (timeMs > this.#nowMs) this.#nowMs = timeMs;
      if (timeMs - this.#lastExpireMs >= EXPIRE_INTERVAL_MS) this.#expire(timeMs);
      if (!outer.linkDecoded) {
        counters.linkUnsupported++;
        continue;
      }
      if (outer.malformed !== Malformed.NONE) counters.malformed[outer.malformed]++;
      if (packet.fragmentPending) {
        counters.fragmentsPending++;
        continue;
      }
      const inner = innerLevel(packet);
      if (inner.ipVersion === 0) {
        if (inner.malformed === Malformed.NONE) counters.notIp++;
        continue;
      }
      // A malformed transport header leaves no trustworthy payload; it is counted above (outer) or by the decoder.
      if (inner.malformed !== Malformed.NONE) continue;
      this.emitter.setPacket(packet, interfaceName);
      this.dispatcher.callCapture?.setPacket(batch, i);
      this.dispatcher.dispatch(inner, timeMs);
    }
    this.emitter.clearPacket();
    this.dispatcher.callCapture?.clear();
  }

  #expire(nowMs: number): void {
    this.#lastExpireMs = nowMs;
    this.emitter.clearPacket();
    this.dispatcher.callCapture?.clear();
    this.dispatcher.expire(nowMs);
    this.dispatcher.callCapture?.sink.expire(nowMs);
  }

  /**
   * Runs timeouts at wall-clock time `nowMs` when no packet moved the clock (a quiet live capture): calls, streams
   * and queries still end on time. Ignored when packets are ahead of it.
   */
  tick(nowMs: number): void {
    if (nowMs - this.#lastExpireMs < EXPIRE_INTERVAL_MS || nowMs <= this.#nowMs) return;
    this.#nowMs = nowMs;
    this.#expire(nowMs);
  }

  /** End of capture: flushes connections, calls, streams and queries into records. */
  finish(): void {
    this.emitter.clearPacket();
    this.dispatcher.finish(this.#nowMs);
  }

  /** Every counter of the pipeline and its parts, as plain numbers. */
  stats(): PipelineStats {
    return pipelineStats(this);
  }
}
