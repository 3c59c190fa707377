/**
 * Test helpers (not used by production code): a packet source of crafted SIP INVITEs (a fixed number, or endless
 * until stopped, for load), an in-memory output, and run parts built from them.
 * @module
 */
import { batchOf, ethernet, ipv4, udp } from "../capture/_test_batch.ts";
import { emptySourceStats, type PacketBatch, type PacketSource, type SourceStats } from "../capture/batch.ts";
import type { Output, OutputRecord, OutputStats, WriteResult } from "../output/output.ts";
import { PipelineStage } from "./pipeline_stage.ts";
import type { RunParts } from "./runtime.ts";
import { TailHub } from "./tail.ts";

/** One Ethernet/IPv4/UDP frame carrying a SIP INVITE with `callId`. */
export function inviteFrame(callId: string): Uint8Array {
  const sip = `INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-${callId}\r\n` +
    `From: <sip:alice@10.0.0.1>;tag=1\r\nTo: <sip:bob@10.0.0.2>\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\n` +
    `Content-Length: 0\r\n\r\n`;
  return ethernet(0x0800, ipv4(17, udp(5060, 5060, new TextEncoder().encode(sip))));
}

/** A source handing out batches of `batchPackets` INVITEs: `batches` of them, or endless (-1) until stopped. */
export class FakeSipSource implements PacketSource {
  readonly name = "fake0";
  readonly interfaces = ["fake0"];
  released = 0;
  handedOut = 0;
  #stats: SourceStats = emptySourceStats();
  #left: number;
  #stopped = false;
  #batchPackets: number;
  #serial = 0;

  constructor(batches: number, batchPackets = 4) {
    this.#left = batches;
    this.#batchPackets = batchPackets;
  }

  async next(): Promise<PacketBatch | null> {
    // Yields to the event loop like a real source, so timers and stop requests run under load.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (this.#stopped || this.#left === 0) return null;
    if (this.#left > 0) this.#left--;
    const frames = Array.from({ length: this.#batchPackets }, () => inviteFrame(`call-${this.#serial++}`));
    const batch = batchOf(frames);
    this.handedOut++;
    this.#stats.packets += batch.count;
    return batch;
  }

  release(_batch: PacketBatch): void {
    this.released++;
  }

  stats(): SourceStats {
    return { ...this.#stats };
  }

  stop(): void {
    this.#stopped = true;
  }

  close(): Promise<void> {
    this.#stopped = true;
    return Promise.resolve();
  }
}

/** Keeps every record written; `failAfter` records later writes as dropped. */
export class MemoryOutput implements Output {
  readonly name = "memory";
  readonly records: OutputRecord[] = [];
  closed = false;
  #stats: OutputStats = { writtenRecords: 0, sentRecords: 0, sentBytes: 0, droppedRecords: 0 };

  write(records: readonly OutputRecord[]): WriteResult {
    this.#stats.writtenRecords += records.length;
    if (this.closed) {
      this.#stats.droppedRecords += records.length;
      return { queued: 0, spooled: 0, dropped: records.length };
    }
    this.records.push(...records);
    this.#stats.sentRecords += records.length;
    return { queued: records.length, spooled: 0, dropped: 0 };
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  stats(): OutputStats {
    return { ...this.#stats };
  }
}

/** Run parts over `source` with the SIP pipeline and one memory output. */
export function fakeParts(source: PacketSource, limits: Partial<RunParts["limits"]> = {}): RunParts & {
  memory: MemoryOutput;
  warnings: string[];
} {
  const memory = new MemoryOutput();
  const warnings: string[] = [];
  return {
    source,
    stage: new PipelineStage({ task: "t", interfaces: source.interfaces, protocols: ["sip"] }),
    outputs: [{ url: "memory:", output: memory, spooled: 0, dropped: 0 }],
    tail: new TailHub(),
    limits: { durationMs: 0, packets: 0, bytes: 0, maxPps: 0, ...limits },
    drainTimeoutMs: 1000,
    warn: (message) => warnings.push(message),
    memory,
    warnings,
  };
}
