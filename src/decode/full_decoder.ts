/**
 * `FullDecoder`: the summary decoder (`decodeSummary`) plus IP fragment reassembly and tunnel descent. A packet
 * becomes a stack of levels: `levels[0]` is the outer packet as captured, `levels[k + 1]` the packet carried by
 * tunnel `tunnels[k]`. Records take the 5-tuple from the innermost level and the tunnel endpoints from the outer
 * ones, never mixing the two.
 *
 * Allocation: all levels and tunnel infos are created once; a packet that is neither a fragment nor tunnelled
 * costs one `decodeSummary` and a few field checks. Only fragments allocate (their reassembly buffers).
 * @module
 */

import { type PacketBatch } from "../capture/batch.ts";
import { decodeSummary } from "./decode.ts";
import { createReassemblyCounters, type ReassemblyCounters, type ReassemblyLimits } from "./fragments/limits.ts";
import { IpReassembler } from "./fragments/reassembler.ts";
import { decodeInnerPacket, redecodeIpPacket } from "./tunnel/inner_decode.ts";
import { createPacketSummary, Malformed, MALFORMED_NAMES, type PacketSummary } from "./summary.ts";
import { createTunnelPorts, decodeTunnel, type TunnelPortOptions, type TunnelPorts } from "./tunnel/tunnel.ts";
import {
  createTunnelInfo,
  TUNNEL_ERROR_NAMES,
  TUNNEL_TYPE_NAMES,
  type TunnelInfo,
  TunnelType,
} from "./tunnel/tunnel_info.ts";

/** Options of `FullDecoder`. */
export interface FullDecoderOptions extends TunnelPortOptions {
  /** Reassemble IPv4/IPv6 fragments (at any level). @default true */
  reassembly?: boolean;
  /** Reassembly limits; see `DEFAULT_REASSEMBLY_LIMITS`. */
  reassemblyLimits?: Partial<ReassemblyLimits>;
  /** Descend into tunnels. @default true */
  tunnels?: boolean;
  /** Levels kept, the outer packet included (so `levelsMax - 1` nested tunnels). @default 4 */
  levelsMax?: number;
}

/** The decoded stack of one packet; the same object is reused for every packet. */
export interface DecodedPacket {
  levels: PacketSummary[];
  /** `tunnels[k]` leads from `levels[k]` to `levels[k + 1]`. */
  tunnels: TunnelInfo[];
  /** Levels decoded for this packet (>= 1). */
  depth: number;
  /** Bit k set: level k was rebuilt from fragments (its `data` is the reassembled datagram). */
  reassembledLevels: number;
  /** The packet was a fragment that did not complete a datagram: nothing to process for it (yet). */
  fragmentPending: boolean;
}

/** Counters of a `FullDecoder`; arrays are indexed by the enums named beside them. */
export interface FullDecoderCounters {
  packets: number;
  /** By `TunnelType`: tunnels descended into. */
  tunnels: Float64Array;
  /** By `TunnelError`: tunnel headers not descended into. */
  tunnelErrors: Float64Array;
  /** By `Malformed`: problems of inner packets (level >= 1). */
  innerMalformed: Float64Array;
  /** Tunnels not descended into because `levelsMax` was reached. */
  levelsMax: number;
}

/** Decodes packets through fragments and tunnels. One per worker (it holds reassembly state). */
export class FullDecoder {
  readonly packet: DecodedPacket;
  readonly counters: FullDecoderCounters;
  readonly #reassembler: IpReassembler | null;
  readonly #ports: TunnelPorts;
  readonly #tunnelsEnabled: boolean;

  constructor(options: FullDecoderOptions = {}) {
    const levelsMax = Math.max(1, options.levelsMax ?? 4);
    this.packet = {
      levels: Array.from({ length: levelsMax }, createPacketSummary),
      tunnels: Array.from({ length: levelsMax }, createTunnelInfo),
      depth: 0,
      reassembledLevels: 0,
      fragmentPending: false,
    };
    this.counters = {
      packets: 0,
      tunnels: new Float64Array(TUNNEL_TYPE_NAMES.length),
      tunnelErrors: new Float64Array(TUNNEL_ERROR_NAMES.length),
      innerMalformed: new Float64Array(MALFORMED_NAMES.length),
      levelsMax: 0,
    };
    this.#reassembler = options.reassembly === false ? null : new IpReassembler(options.reassemblyLimits);
    this.#ports = createTunnelPorts(options);
    this.#tunnelsEnabled = options.tunnels !== false;
  }

  /** Reassembly counters (zeros when reassembly is off). */
  get reassemblyCounters(): ReassemblyCounters {
    return this.#reassembler?.counters ?? createReassemblyCounters();
  }

  /** The reassembler, for its gauges (`datagramsInFlight`, `bufferedBytes`); null when off. */
  get reassembler(): IpReassembler | null {
    return this.#reassembler;
  }

  /** Decodes packet `i` of `batch` into `this.packet` and returns it. */
  decode(batch: PacketBatch, i: number): DecodedPacket {
    const packet = this.packet;
    packet.depth = 1;
    packet.reassembledLevels = 0;
    packet.fragmentPending = false;
    const outer = packet.levels[0];
    decodeSummary(batch, i, outer);
    this.counters.packets++;
    let end = outer.packetOffset + outer.capturedBytes;
    for (let level = 0;; level++) {
      const summary = packet.levels[level];
      if (summary.fragment && summary.ipVersion !== 0 && this.#reassembler !== null) {
        if (!this.#reassemble(summary, end, level)) {
          packet.fragmentPending = true;
          return packet;
        }
      }
      if (!this.#tunnelsEnabled || !this.#descend(level)) return packet;
      end = packet.tunnels[level].innerEnd;
    }
  }

  /** Hands a fragment to the reassembler; on completion re-decodes `summary` over the datagram. */
  #reassemble(summary: PacketSummary, end: number, level: number): boolean {
    const nowMs = summary.timestampSec * 1000 + summary.timestampNsec / 1e6;
    const datagram = this.#reassembler!.add(summary.data, summary.l3Offset, end, nowMs);
    if (datagram === null) return false;
    redecodeIpPacket(summary, datagram);
    this.packet.reassembledLevels |= 1 << level;
    return true;
  }

  /** Decodes the tunnel of `levels[level]` into `levels[level + 1]`; false when there is nothing to descend to. */
  #descend(level: number): boolean {
    const packet = this.packet;
    const summary = packet.levels[level];
    const info = packet.tunnels[level];
    if (!decodeTunnel(summary, this.#ports, info)) {
      if (info.type !== TunnelType.NONE) this.counters.tunnelErrors[info.error]++;
      return false;
    }
    if (level + 1 >= packet.levels.length) {
      this.counters.levelsMax++;
      return false;
    }
    this.counters.tunnels[info.type]++;
    const inner = packet.levels[level + 1];
    decodeInnerPacket(summary, info, inner);
    packet.depth = level + 2;
    if (inner.malformed !== Malformed.NONE) {
      this.counters.innerMalformed[inner.malformed]++;
      return inner.fragment && inner.ipVersion !== 0;
    }
    return true;
  }
}

/** The innermost decoded level: its addresses and ports are the packet's 5-tuple. */
export function innerLevel(packet: DecodedPacket): PacketSummary {
  return packet.levels[packet.depth - 1];
}
