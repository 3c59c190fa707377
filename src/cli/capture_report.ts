/**
 * Counters of one capture run: the `--summary` JSONL lines (every 10 s and at exit) and tcpdump's exit lines.
 * @module
 */
import type { PacketBatch, PacketSource } from "../capture/batch.ts";
import { EtherType } from "../decode/ethernet.ts";
import { IpProtocol, Malformed, type PacketSummary } from "../decode/summary.ts";
import { isDecodedLinkType } from "../decode/link.ts";
import type { SummaryColumns } from "../decode/summary_columns.ts";

/** Interval between `--summary` lines. */
export const SUMMARY_INTERVAL_MS = 10_000;

/** Protocol classes counted per packet (the innermost layer decoded), indexed by `protocolClass`. */
export const PROTOCOL_NAMES = ["tcp", "udp", "icmp", "icmpv6", "sctp", "ip_other", "arp", "other", "link_undecoded"];

/** Index into `PROTOCOL_NAMES` of a decoded packet. */
export function protocolClass(summary: PacketSummary): number {
  return protocolClassOf(summary.linkDecoded, summary.ipVersion, summary.protocol, summary.etherType);
}

/** `protocolClass` from the fields that decide it (`protocol` is read only when `ipVersion !== 0`). */
export function protocolClassOf(linkDecoded: boolean, ipVersion: number, protocol: number, etherType: number): number {
  if (!linkDecoded) return 8;
  if (ipVersion !== 0) {
    switch (protocol) {
      case IpProtocol.TCP:
        return 0;
      case IpProtocol.UDP:
        return 1;
      case IpProtocol.ICMP:
        return 2;
      case IpProtocol.ICMPV6:
        return 3;
      case IpProtocol.SCTP:
        return 4;
      default:
        return 5;
    }
  }
  return etherType === EtherType.ARP ? 6 : 7;
}

/** One `--summary` line. */
export interface SummaryRecord {
  time: string;
  interfaces: readonly string[];
  final: boolean;
  elapsed_s: number;
  packets: number;
  bytes: number;
  /** Packets per second over the interval since the previous line. */
  pps: number;
  kernel_packets: number;
  kernel_drops: number;
  kernel_freezes: number;
  read_errors: number;
  /** Packets that decoded only partly (truncated or invalid headers). */
  malformed: number;
  protocols: Record<string, number>;
}

/** Counts what the capture loop handled and reports it; see the module doc. */
export class CaptureReport {
  /** Packets handled (written or printed), bounded by `-c`. */
  packets = 0;
  bytes = 0;
  readonly #source: PacketSource;
  readonly #summaryFile: Deno.FsFile | null;
  readonly #protocols = new Float64Array(PROTOCOL_NAMES.length);
  #malformed = 0;
  readonly #startMs = Date.now();
  #lineAtMs = this.#startMs;
  #packetsAtLine = 0;

  /**
   * @param summaryPath File the JSONL lines are appended to; none when undefined.
   * @throws {Error} `Cannot open summary file "x": ...`
   */
  constructor(source: PacketSource, summaryPath?: string) {
    this.#source = source;
    this.#summaryFile = summaryPath === undefined ? null : openAppend(summaryPath);
  }

  /** Counts the first `count` packets of `batch`. */
  count(batch: PacketBatch, count: number): void {
    let bytes = 0;
    for (let i = 0; i < count; i++) bytes += batch.wireBytes[i];
    this.countTotals(count, bytes);
  }

  /** Counts `packets` packets of `wireBytes` bytes together (the fast path has no batch). */
  countTotals(packets: number, wireBytes: number): void {
    this.packets += packets;
    this.bytes += wireBytes;
  }

  /** Counts one decoded packet by protocol. */
  countSummary(summary: PacketSummary): void {
    this.#protocols[protocolClass(summary)]++;
    if (summary.malformed !== Malformed.NONE) this.#malformed++;
  }

  /** Counts the first `count` packets of `batch` by protocol from the summaries the library decoded. */
  countSummaryColumns(batch: PacketBatch, columns: SummaryColumns, count: number): void {
    const linkDecoded = isDecodedLinkType(batch.linkType);
    const { ipVersion, protocol, etherType, malformed } = columns;
    let malformedPackets = 0;
    for (let i = 0; i < count; i++) {
      this.#protocols[protocolClassOf(linkDecoded, ipVersion[i], protocol[i], etherType[i])]++;
      if (malformed[i] !== Malformed.NONE) malformedPackets++;
    }
    this.#malformed += malformedPackets;
  }

  /** Adds packets counted by protocol class elsewhere (`classCounts` indexed like `PROTOCOL_NAMES`). */
  countProtocolClasses(classCounts: ArrayLike<number>, malformedPackets: number): void {
    for (let k = 0; k < this.#protocols.length; k++) this.#protocols[k] += classCounts[k];
    this.#malformed += malformedPackets;
  }

  /** Writes a summary line when one is due. Cheap enough to call after every batch and from a timer. */
  tick(nowMs = Date.now()): void {
    if (this.#summaryFile !== null && nowMs - this.#lineAtMs >= SUMMARY_INTERVAL_MS) this.#writeLine(false, nowMs);
  }

  /** The summary record as of now. */
  record(final: boolean, nowMs = Date.now()): SummaryRecord {
    const stats = this.#source.stats();
    const intervalS = Math.max((nowMs - this.#lineAtMs) / 1000, 0.001);
    return {
      time: new Date(nowMs).toISOString(),
      interfaces: this.#source.interfaces,
      final,
      elapsed_s: Math.round((nowMs - this.#startMs) / 10) / 100,
      packets: this.packets,
      bytes: this.bytes,
      pps: Math.round((this.packets - this.#packetsAtLine) / intervalS),
      kernel_packets: stats.kernelPackets,
      kernel_drops: stats.kernelDrops,
      kernel_freezes: stats.kernelFreezes,
      read_errors: stats.readErrors,
      malformed: this.#malformed,
      protocols: Object.fromEntries(
        PROTOCOL_NAMES.map((name, k) => [name, this.#protocols[k]] as const).filter(([, count]) => count > 0),
      ),
    };
  }

  /** Call after the source is closed: the last summary line, then the exit lines on stderr. */
  finish(live: boolean): void {
    if (this.#summaryFile !== null) {
      this.#writeLine(true, Date.now());
      this.#summaryFile.close();
    }
    for (const line of this.exitLines(live)) console.error(line);
  }

  /** tcpdump's exit lines; a file has no kernel filter, so "received" equals "captured" there. */
  exitLines(live: boolean): string[] {
    const stats = this.#source.stats();
    const lines = [
      `${this.packets} packets captured`,
      `${live ? stats.kernelPackets : this.packets} packets received by filter`,
      `${stats.kernelDrops} packets dropped by kernel`,
    ];
    if (stats.readErrors > 0) lines.push(`${stats.readErrors} records could not be read`);
    return lines;
  }

  #writeLine(final: boolean, nowMs: number): void {
    const line = JSON.stringify(this.record(final, nowMs)) + "\n";
    const bytes = new TextEncoder().encode(line);
    let done = 0;
    while (done < bytes.length) done += this.#summaryFile!.writeSync(bytes.subarray(done));
    this.#lineAtMs = nowMs;
    this.#packetsAtLine = this.packets;
  }
}

function openAppend(path: string): Deno.FsFile {
  try {
    return Deno.openSync(path, { append: true, create: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/ \(os error \d+\)$/, "") : String(error);
    throw new Error(`Cannot open summary file "${path}": ${reason}`, { cause: error });
  }
}
