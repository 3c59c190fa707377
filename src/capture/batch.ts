/**
 * The unit of work between capture and decoding: a batch of packets laid out as struct-of-arrays over
 * one backing buffer (a ring block, or a chunk of a file). No per-packet objects are created.
 *
 * Lifetime: the bytes of `data` and every array are valid until the source's `release(batch)`; a consumer
 * that needs bytes longer copies them.
 * @module
 */

import type { SummaryColumns } from "../decode/summary_columns.ts";

/** Link-layer header types (tcpdump.org LINKTYPE_ values) the decoders understand. */
export const LinkType = {
  NULL: 0,
  EN10MB: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Per-packet flag bits in `PacketBatch.flags`. */
export const PacketFlag = {
  /** `vlanTci`/`vlanTpid` hold a tag the kernel stripped (offload); decoders reinsert it. */
  VLAN_VALID: 1,
  /** The packet was truncated to the snap length (`capturedBytes < wireBytes`). */
  TRUNCATED: 2,
} as const;

/** Direction of a packet as the kernel saw it (`sll_pkttype`). */
export const PacketType = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3, OUTGOING: 4, UNKNOWN: 255 } as const;

/** A batch of packets; see the module doc for the lifetime rule. */
export interface PacketBatch {
  /** Number of valid entries in every array below. */
  count: number;
  /** Link type of every packet in the batch (one interface or one file per batch). */
  linkType: number;
  /** Index of the interface (in the source's interface list) the batch came from; 0 for files. */
  interfaceIndex: number;
  /** Backing bytes; packet i is `data.subarray(offsets[i], offsets[i] + capturedBytes[i])`. */
  data: Uint8Array;
  offsets: Uint32Array;
  capturedBytes: Uint32Array;
  wireBytes: Uint32Array;
  /** Capture time: whole seconds since the epoch (as a float64 to pass 2106) and nanoseconds. */
  timestampSec: Float64Array;
  timestampNsec: Uint32Array;
  /** Offloaded VLAN tag (valid when `flags & VLAN_VALID`), TPID 0x8100 when the kernel did not say. */
  vlanTci: Uint16Array;
  vlanTpid: Uint16Array;
  flags: Uint8Array;
  /** `PacketType` of each packet (live capture), `UNKNOWN` for files. */
  packetType: Uint8Array;
  /**
   * L2–L4 summaries the capture library decoded while walking the block, when the source was asked for them
   * (live capture only); the same as `decodeSummary` finds (`summaryFromColumns`).
   */
  summaries?: SummaryColumns;
}

/** Allocates a batch able to hold `packetsMax` packets over `data`. Done once per source, not per batch. */
export function createPacketBatch(packetsMax: number, data: Uint8Array = new Uint8Array(0)): PacketBatch {
  return {
    count: 0,
    linkType: LinkType.EN10MB,
    interfaceIndex: 0,
    data,
    offsets: new Uint32Array(packetsMax),
    capturedBytes: new Uint32Array(packetsMax),
    wireBytes: new Uint32Array(packetsMax),
    timestampSec: new Float64Array(packetsMax),
    timestampNsec: new Uint32Array(packetsMax),
    vlanTci: new Uint16Array(packetsMax),
    vlanTpid: new Uint16Array(packetsMax),
    flags: new Uint8Array(packetsMax),
    packetType: new Uint8Array(packetsMax),
  };
}

/** Counters every source keeps; read by metrics and by the capture command's exit summary. */
export interface SourceStats {
  /** Packets handed to the consumer. */
  packets: number;
  bytes: number;
  /** Packets the kernel dropped (ring full), cumulative. 0 for files. */
  kernelDrops: number;
  /** Times the kernel froze the queue because every block was held. */
  kernelFreezes: number;
  /** Packets the kernel saw that passed the filter (PACKET_STATISTICS tp_packets), cumulative. */
  kernelPackets: number;
  /** Records a file reader could not read (bad length, truncated file), counted and skipped. */
  readErrors: number;
}

/** A source of packet batches: a live ring (one or more fanout sockets) or a capture file. */
export interface PacketSource {
  /** Human-readable name for logs, e.g. "eth0" or "trace.pcap". */
  readonly name: string;
  /** Interface names (live) or the file name, indexed by `PacketBatch.interfaceIndex`. */
  readonly interfaces: readonly string[];
  /** Next batch, or `null` at end of file / after `close()`. Waits without blocking the event loop. */
  next(): Promise<PacketBatch | null>;
  /** Returns the batch's memory to the source (a ring block goes back to the kernel). */
  release(batch: PacketBatch): void;
  /** Current counters (kernel counters refreshed at most once a second). */
  stats(): SourceStats;
  /** Stops the source: a pending `next()` resolves `null`; resources are freed after outstanding releases. */
  close(): Promise<void>;
}

/** Returns zeroed source counters. */
export function emptySourceStats(): SourceStats {
  return { packets: 0, bytes: 0, kernelDrops: 0, kernelFreezes: 0, kernelPackets: 0, readErrors: 0 };
}
