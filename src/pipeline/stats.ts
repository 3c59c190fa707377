/**
 * Counters of a pipeline as plain numbers: the live counters it updates per packet (`PipelineCounters`, fixed
 * shape, no allocation when counting) and the snapshot `Pipeline.stats()` assembles from them and from its parts
 * (`PipelineStats`: flat maps of name → number, ready for metric labels and `--stats`).
 * @module
 */

import { MALFORMED_NAMES } from "../decode/summary.ts";
import { DNS_INVALID_REASONS, type DnsInvalidReason } from "../protocols/dns/mod.ts";
import { SIP_INVALID_REASONS, type SipInvalidReason } from "../protocols/sip/mod.ts";
import type { RecordType } from "./protocols.ts";

/** Counters the pipeline's own code updates. */
export interface PipelineCounters {
  packets: number;
  /** Captured bytes of every packet. */
  bytes: number;
  /** Packets of a link type the decoder does not know. */
  linkUnsupported: number;
  /** Outer packets by `Malformed` reason (index = value; see `MALFORMED_NAMES`). */
  malformed: number[];
  /** Fragments held for reassembly (not processed yet, or never if the datagram does not complete). */
  fragmentsPending: number;
  /** Packets without IP (ARP, LLDP, ...): decoded, nothing to dispatch. */
  notIp: number;
  /** SIP messages parsed, by transport ("ws": SIP over WebSocket, RFC 7118). */
  sipMessages: { udp: number; tcp: number; sctp: number; ws: number };
  sipInvalid: Record<SipInvalidReason, number>;
  /**
   * SIP payloads by parser: `native` (the capture library decided: a message or invalid), `fallback` (handed back to
   * the TypeScript parser: non-ASCII or folded headers, ...).
   */
  sipParser: { native: number; fallback: number };
  /** SCTP DATA chunks that are pieces of a message (B/E not both set), handed to the joiner. */
  sctpFragmented: number;
  dnsMessages: number;
  dnsInvalid: Record<DnsInvalidReason, number>;
  /**
   * TCP connections by the application detected on them (`ws`: a SIP WebSocket upgrade request, or a frame carrying
   * SIP when the handshake was not seen); `undetected` after the attempts ran out.
   */
  tcpApps: { sip: number; http: number; dns: number; ws: number; undetected: number };
}

/** Zeroed counters. */
export function createPipelineCounters(): PipelineCounters {
  return {
    packets: 0,
    bytes: 0,
    linkUnsupported: 0,
    malformed: MALFORMED_NAMES.map(() => 0),
    fragmentsPending: 0,
    notIp: 0,
    sipMessages: { udp: 0, tcp: 0, sctp: 0, ws: 0 },
    sipInvalid: Object.fromEntries(SIP_INVALID_REASONS.map((r) => [r, 0])) as Record<SipInvalidReason, number>,
    sipParser: { native: 0, fallback: 0 },
    sctpFragmented: 0,
    dnsMessages: 0,
    dnsInvalid: Object.fromEntries(DNS_INVALID_REASONS.map((r) => [r, 0])) as Record<DnsInvalidReason, number>,
    tcpApps: { sip: 0, http: 0, dns: 0, ws: 0, undetected: 0 },
  };
}

/** A snapshot of every counter of a pipeline. Maps are name → count; absent parts are empty maps. */
export interface PipelineStats {
  packets: number;
  bytes: number;
  /** Why packets (or inner packets, tunnel headers, fragments) could not be decoded: `link_unsupported`,
   * malformed reasons, `inner_<reason>`, `tunnel_<error>`, `fragment_<limit>`. */
  decodeErrors: Record<string, number>;
  /** Records queued, by type. */
  records: Record<RecordType, number>;
  /** Payloads a parser rejected: `parserInvalid.sip.bad_cseq`, `parserInvalid.rtp.version`, ... */
  parserInvalid: Record<string, Record<string, number>>;
  /** Records waiting in the queue and records dropped because it was full. */
  queueDepth: number;
  queueDrops: number;
  /** Messages and work done per protocol (sip messages by transport, calls, streams, DNS/HTTP pairing, TCP apps). */
  protocols: Record<string, Record<string, number>>;
  /** TCP reassembly, IP fragment reassembly and tunnel counters. */
  tcp: Record<string, number>;
  fragments: Record<string, number>;
  tunnels: Record<string, number>;
}

/** Copies non-zero entries of a numeric array into a map keyed by `names` (with an optional prefix). */
export function namedCounts(
  out: Record<string, number>,
  values: ArrayLike<number>,
  names: readonly string[],
  prefix = "",
): Record<string, number> {
  for (let k = 0; k < values.length; k++) {
    if (values[k] !== 0 && names[k] !== "none") out[prefix + names[k]] = values[k];
  }
  return out;
}

/** The numeric members of a counters object (arrays and nested objects are left out), non-zero only. */
export function numericMembers(counters: object, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(counters)) {
    if (typeof value === "number" && value !== 0) out[prefix + key] = value;
  }
  return out;
}
