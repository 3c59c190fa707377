/**
 * Feeds per-call packet capture (`src/output/call_pcap.ts`): the pipeline names the packet it is on, and the
 * dispatcher hands it to the call it belongs to (a SIP message of that Call-ID, or RTP/RTCP on a media endpoint bound
 * to that call). No copy and no allocation here: the sink copies what it keeps while the batch is still held.
 * @module
 */
import type { PacketBatch } from "../capture/batch.ts";
import type { CallPacket, CallPacketSink } from "../output/call_pcap.ts";

const EMPTY = new Uint8Array(0);

/** The packet under dispatch, and which call it was last given to (a segment holding two messages is written once). */
export class CallCapture {
  readonly sink: CallPacketSink;
  #batch: PacketBatch | undefined;
  #index = 0;
  #lastCallId: string | undefined;
  readonly #packet: CallPacket = { frame: EMPTY, linkType: 1, timeSec: 0, timeNsec: 0, wireBytes: 0 };

  constructor(sink: CallPacketSink) {
    this.sink = sink;
  }

  /** Names the packet being dispatched. */
  setPacket(batch: PacketBatch, index: number): void {
    this.#batch = batch;
    this.#index = index;
    this.#lastCallId = undefined;
  }

  /** Forgets the packet (the batch may be released after this). */
  clear(): void {
    this.#batch = undefined;
    this.#lastCallId = undefined;
  }

  /** Hands the current packet to `callId`'s capture, once per packet and call. */
  packet(callId: string): void {
    const batch = this.#batch;
    if (batch === undefined || callId === this.#lastCallId) return;
    this.#lastCallId = callId;
    const i = this.#index;
    const packet = this.#packet;
    const offset = batch.offsets[i];
    packet.frame = batch.data.subarray(offset, offset + batch.capturedBytes[i]);
    packet.linkType = batch.linkType;
    packet.timeSec = batch.timestampSec[i];
    packet.timeNsec = batch.timestampNsec[i];
    packet.wireBytes = batch.wireBytes[i];
    this.sink.callPacket(callId, packet);
    packet.frame = EMPTY;
  }
}
