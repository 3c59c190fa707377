/**
 * The HEPv3 output (Homer): each record becomes one HEP frame (record_to_hep.ts) sent to one collector, chosen by a
 * direction-independent key with failover (collector_pick.ts), over UDP, TCP or TLS (collector.ts).
 *
 * `write()` encodes and hands frames to sockets without waiting. Records that cannot be framed, and frames no
 * collector can take, are dropped and counted by reason.
 *
 * @module
 */
import type { Output, OutputRecord, OutputStats, WriteResult } from "../output.ts";
import { HepCollector } from "./collector.ts";
import { pickCollector, routingKey } from "./collector_pick.ts";
import { HepEncoder } from "./encoder.ts";
import { type HepOutputOptions, type ResolvedHepOptions, resolveHepOptions } from "./options.ts";
import { hepMessageOf } from "./record_to_hep.ts";

export type { HepOutputOptions };

/** Counters of the HEP output. */
export interface HepOutputStats extends OutputStats {
  /** Frames a collector's socket reported failed (connection lost, port refused). */
  failedRecords: number;
  /** Frames sent to another collector than the key's first choice. */
  failoverRecords: number;
  droppedType: number;
  droppedNoAddress: number;
  droppedNoPayload: number;
  droppedOversize: number;
  droppedNoCollector: number;
  droppedQueueFull: number;
  droppedClosed: number;
  /** Frames sent, per collector (`host:port/transport`). */
  perCollector: Record<string, number>;
}

type DropReason =
  | "droppedType"
  | "droppedNoAddress"
  | "droppedNoPayload"
  | "droppedOversize"
  | "droppedNoCollector"
  | "droppedQueueFull"
  | "droppedClosed";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** See the module documentation. */
export class HepOutput implements Output {
  readonly name: string;
  readonly #options: ResolvedHepOptions;
  readonly #encoder: HepEncoder;
  readonly #collectors: HepCollector[];
  readonly #stats: HepOutputStats;
  #closed = false;

  /** Checks the options (throws naming the bad one) and starts connecting to every collector. */
  constructor(options: HepOutputOptions) {
    this.#options = resolveHepOptions(options);
    this.name = this.#options.name;
    const { captureId, authKey, nodeName } = this.#options;
    this.#encoder = new HepEncoder({
      captureId,
      authKey: authKey === undefined ? undefined : textEncoder.encode(authKey),
      nodeName: nodeName === undefined ? undefined : textEncoder.encode(nodeName),
    });
    this.#stats = {
      writtenRecords: 0,
      sentRecords: 0,
      sentBytes: 0,
      droppedRecords: 0,
      failedRecords: 0,
      failoverRecords: 0,
      droppedType: 0,
      droppedNoAddress: 0,
      droppedNoPayload: 0,
      droppedOversize: 0,
      droppedNoCollector: 0,
      droppedQueueFull: 0,
      droppedClosed: 0,
      perCollector: {},
    };
    this.#collectors = this.#options.collectors.map((collector) => {
      const label = `${collector.host}:${collector.port}/${collector.transport}`;
      this.#stats.perCollector[label] = 0;
      return new HepCollector({
        ...collector,
        retryMs: this.#options.retryMs,
        queueBytesMax: this.#options.queueBytesMax,
        ca: this.#options.tlsCa,
        insecure: this.#options.tlsInsecure,
      }, {
        sent: (bytes) => {
          this.#stats.sentRecords++;
          this.#stats.sentBytes += bytes;
          this.#stats.perCollector[label]++;
        },
        failed: (frames) => this.#stats.failedRecords += frames,
        onReroute: (frames) => this.#reroute(frames),
      });
    });
  }

  /** Collector states, in option order (for status and tests). */
  collectorStates(): string[] {
    return this.#collectors.map((collector) => collector.state);
  }

  /** Frames and sends every record; see the module documentation. */
  write(records: readonly OutputRecord[]): WriteResult {
    const result: WriteResult = { queued: 0, spooled: 0, dropped: 0 };
    this.#stats.writtenRecords += records.length;
    if (this.#closed) {
      result.dropped = this.#drop("droppedClosed", records.length);
      return result;
    }
    const types = this.#options.types;
    for (const record of records) {
      if (types !== undefined && !types.has(record.type)) {
        result.dropped += this.#drop("droppedType", 1);
        continue;
      }
      if (this.#writeOne(record)) result.queued++;
      else result.dropped++;
    }
    return result;
  }

  #writeOne(record: OutputRecord): boolean {
    const message = hepMessageOf(record);
    if (message === "no_address" || message === "not_a_record") return this.#reject("droppedNoAddress");
    if (message === "no_payload") return this.#reject("droppedNoPayload");
    const frame = this.#encoder.encode(message);
    if (frame === "oversize") return this.#reject("droppedOversize");
    if (frame === "address") return this.#reject("droppedNoAddress");
    const value = record.value as Record<string, unknown>;
    const callId = message.correlationId === undefined ? undefined : textDecoder.decode(message.correlationId);
    const key = routingKey(callId, value.flow_id, message);
    const refused = this.#route(frame.slice(), key);
    return refused === null ? true : this.#reject(refused);
  }

  /** Hands `frame` to a collector; null when one took it, else why none did (the caller counts it). */
  #route(frame: Uint8Array, key: string): "droppedNoCollector" | "droppedQueueFull" | null {
    const now = Date.now();
    const collectors = this.#collectors;
    const index = pickCollector(key, collectors.length, (i) => collectors[i].healthy(now));
    if (index < 0) return "droppedNoCollector";
    if (index !== pickCollector(key, collectors.length, () => true)) this.#stats.failoverRecords++;
    return collectors[index].send(frame) ? null : "droppedQueueFull";
  }

  #reroute(frames: Uint8Array[]): void {
    // Frames accepted earlier: if no collector takes them now they count as failed (not dropped), once each.
    for (const frame of frames) {
      this.#stats.failoverRecords++;
      const key = `r:${frame.length}:${frame[frame.length - 1]}`;
      if (this.#route(frame, key) !== null) this.#stats.failedRecords++;
    }
  }

  /** Resolves when every frame handed to a socket was written or failed, or after `flushTimeoutMs`. */
  async flush(): Promise<void> {
    const deadline = Date.now() + this.#options.flushTimeoutMs;
    const busy = () => this.#collectors.some((c) => c.inflight > 0 || (c.state === "connecting" && c.hasPending));
    while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Flushes, then closes every socket; later writes are dropped and counted. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    for (const collector of this.#collectors) collector.close();
  }

  /** A snapshot of the counters. */
  stats(): HepOutputStats {
    return { ...this.#stats, perCollector: { ...this.#stats.perCollector } };
  }

  #reject(reason: DropReason): false {
    this.#drop(reason, 1);
    return false;
  }

  #drop(reason: DropReason, count: number): number {
    this.#stats[reason] += count;
    this.#stats.droppedRecords += count;
    return count;
  }
}
