/**
 * Per-call capture: every SIP, RTP and RTCP packet of one Call-ID in one pcap file, closed when the call ends.
 *
 * The output cannot tell which call a packet belongs to; the pipeline can (SIP: the parsed Call-ID; RTP/RTCP: the
 * media endpoints the call tracker bound from SDP). It feeds this output through `CallPacketSink`:
 * - `callPacket(callId, packet)` for each packet of a call: its link-layer frame, link type and capture time;
 * - `callEnded(callId, nowMs)` when the call ends (its `call` record); the file stays open `lingerMs` more (packet
 *   time) for the last messages (200 OK to BYE, final RTCP) and is then closed;
 * - `expire(nowMs)` from the pipeline's timeout clock: closes lingering files and calls idle for `idleMs`.
 *
 * At most `callsOpenMax` files are open: a new call beyond that closes the least recently used one. A packet for a
 * call whose file was closed opens a new file (`-1` is added to the name), so nothing is overwritten or lost.
 *
 * @module
 */
import { createPacketBatch, LinkType, type PacketBatch } from "../capture/batch.ts";
import { type CaptureWriter, createPcapWriter } from "../capture/pcap_writer.ts";
import { checkTemplate, expandTemplate, FileKeeper, freePath } from "./capture_files.ts";
import type { Output, OutputRecord, OutputStats, WriteResult } from "./output.ts";

/** One packet of a call. `frame` is read during the call only (copy nothing). */
export interface CallPacket {
  frame: Uint8Array;
  /** LINKTYPE_ of `frame`. @default Ethernet */
  linkType?: number;
  timeSec: number;
  timeNsec: number;
  /** Length on the wire when `frame` was cut by the snap length. @default frame.length */
  wireBytes?: number;
}

/** What the pipeline calls; see the module documentation. */
export interface CallPacketSink {
  callPacket(callId: string, packet: CallPacket): void;
  callEnded(callId: string, nowMs: number): void;
  expire(nowMs: number): void;
}

/** Per-call pcap configuration. */
export interface CallPcapOptions {
  /** @default {"call-pcap"} */
  name?: string;
  dir: string;
  /** File name without extension; must contain `{call_id}`. @default {"{task}-%Y%m%dT%H%M%SZ-{call_id}"} */
  template?: string;
  task?: string;
  /** @default {1000} */
  callsOpenMax?: number;
  /** Time a file stays open after its call ended. @default {5000} */
  lingerMs?: number;
  /** A call without packets for this long is closed. @default {300000} */
  idleMs?: number;
  /** Gzip each file once closed. @default {false} */
  gzip?: boolean;
}

/** Counters; records = packets. */
export interface CallPcapStats extends OutputStats {
  callsOpened: number;
  callsClosed: number;
  callsEvicted: number;
  callsIdle: number;
  droppedWriteError: number;
  droppedLinkType: number;
  droppedNotPacket: number;
  droppedClosed: number;
}

interface OpenCall {
  writer: CaptureWriter;
  lastMs: number;
  /** Packet time after which the file is closed; Infinity while the call runs. */
  closeAtMs: number;
}

/** See the module documentation. */
export class CallPcapOutput implements Output, CallPacketSink {
  readonly name: string;
  readonly #dir: string;
  readonly #template: string;
  readonly #task: string | undefined;
  readonly #callsOpenMax: number;
  readonly #lingerMs: number;
  readonly #idleMs: number;
  readonly #keeper: FileKeeper;
  /** Insertion order = least recently used first (entries are moved to the end on use). */
  readonly #calls = new Map<string, OpenCall>();
  readonly #batch: PacketBatch = createPacketBatch(1);
  #closed = false;
  readonly #stats: CallPcapStats = {
    writtenRecords: 0,
    sentRecords: 0,
    sentBytes: 0,
    droppedRecords: 0,
    callsOpened: 0,
    callsClosed: 0,
    callsEvicted: 0,
    callsIdle: 0,
    droppedWriteError: 0,
    droppedLinkType: 0,
    droppedNotPacket: 0,
    droppedClosed: 0,
  };

  /** Checks the options (throws naming the bad one) and creates `dir`. */
  constructor(options: CallPcapOptions) {
    if (typeof options.dir !== "string" || options.dir === "") {
      throw new TypeError("Cannot create a per-call pcap output without dir");
    }
    this.name = options.name ?? "call-pcap";
    this.#dir = options.dir;
    this.#template = options.template ?? "{task}-%Y%m%dT%H%M%SZ-{call_id}";
    checkTemplate(this.#template, ["{call_id}"]);
    this.#task = options.task;
    this.#callsOpenMax = positiveInteger("callsOpenMax", options.callsOpenMax ?? 1000);
    this.#lingerMs = positiveInteger("lingerMs", options.lingerMs ?? 5000, true);
    this.#idleMs = positiveInteger("idleMs", options.idleMs ?? 300_000);
    this.#keeper = new FileKeeper({ filesMax: 0, gzip: options.gzip ?? false });
    Deno.mkdirSync(this.#dir, { recursive: true });
  }

  /** Appends `packet` to the file of `callId` (opening it if needed). */
  callPacket(callId: string, packet: CallPacket): void {
    this.#stats.writtenRecords++;
    if (this.#closed) return this.#drop("droppedClosed");
    const timeMs = packet.timeSec * 1000 + packet.timeNsec / 1e6;
    try {
      const call = this.#calls.get(callId) ?? this.#open(callId, timeMs);
      this.#calls.delete(callId);
      this.#calls.set(callId, call);
      call.lastMs = Math.max(call.lastMs, timeMs);
      const batch = this.#batch;
      batch.count = 1;
      batch.linkType = packet.linkType ?? LinkType.EN10MB;
      batch.data = packet.frame;
      batch.capturedBytes[0] = packet.frame.length;
      batch.wireBytes[0] = packet.wireBytes ?? packet.frame.length;
      batch.timestampSec[0] = packet.timeSec;
      batch.timestampNsec[0] = packet.timeNsec;
      const bytesBefore = call.writer.bytesWritten;
      const packetsBefore = call.writer.packetsWritten;
      call.writer.writePacket(batch, 0);
      if (call.writer.packetsWritten === packetsBefore) return this.#drop("droppedLinkType"); // One per file.
      this.#stats.sentRecords++;
      this.#stats.sentBytes += call.writer.bytesWritten - bytesBefore;
    } catch {
      this.#drop("droppedWriteError");
      this.#closeCall(callId);
    }
  }

  /** The call ended: its file closes `lingerMs` later (packet time). */
  callEnded(callId: string, nowMs: number): void {
    const call = this.#calls.get(callId);
    if (call !== undefined) call.closeAtMs = nowMs + this.#lingerMs;
    if (this.#lingerMs === 0) this.expire(nowMs);
  }

  /** Closes files whose linger passed and calls idle for `idleMs`. */
  expire(nowMs: number): void {
    for (const [callId, call] of this.#calls) {
      if (nowMs >= call.closeAtMs) this.#closeCall(callId);
      else if (nowMs - call.lastMs >= this.#idleMs) {
        this.#stats.callsIdle++;
        this.#closeCall(callId);
      }
    }
  }

  /** Calls with an open file. */
  get openCalls(): number {
    return this.#calls.size;
  }

  #open(callId: string, timeMs: number): OpenCall {
    if (this.#calls.size >= this.#callsOpenMax) {
      this.#stats.callsEvicted++;
      this.#closeCall(this.#calls.keys().next().value!);
    }
    const name = expandTemplate(this.#template, { task: this.#task, callId }, timeMs);
    const writer = createPcapWriter(freePath(this.#dir, name, ".pcap"), { bufferBytes: 64 * 1024 });
    this.#stats.callsOpened++;
    return { writer, lastMs: timeMs, closeAtMs: Infinity };
  }

  #closeCall(callId: string): void {
    const call = this.#calls.get(callId);
    if (call === undefined) return;
    this.#calls.delete(callId);
    this.#stats.callsClosed++;
    try {
      call.writer.close();
      this.#keeper.closed(call.writer.path);
    } catch {
      // The disk failed under this file; its buffered packets are lost with it.
    }
  }

  /** Records are not packets: counted dropped (calls are fed through `callPacket`). */
  write(records: readonly OutputRecord[]): WriteResult {
    this.#stats.writtenRecords += records.length;
    for (let i = 0; i < records.length; i++) this.#drop("droppedNotPacket");
    return { queued: 0, spooled: 0, dropped: records.length };
  }

  /** Writes buffered bytes of open files and waits for compression. */
  async flush(): Promise<void> {
    for (const call of this.#calls.values()) call.writer.flush();
    await this.#keeper.settled();
  }

  /** Closes every call's file. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const callId of [...this.#calls.keys()]) this.#closeCall(callId);
    await this.#keeper.settled();
  }

  /** A snapshot of the counters. */
  stats(): CallPcapStats {
    return { ...this.#stats };
  }

  #drop(reason: "droppedWriteError" | "droppedLinkType" | "droppedNotPacket" | "droppedClosed"): void {
    this.#stats[reason]++;
    this.#stats.droppedRecords++;
  }
}

function positiveInteger(name: string, value: number, zeroAllowed = false): number {
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1)) {
    throw new RangeError(
      `Cannot use per-call pcap option ${name} ${value}: expected an integer >= ${zeroAllowed ? 0 : 1}`,
    );
  }
  return value;
}
