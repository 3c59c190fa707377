/**
 * `flow_id` of records: the symmetric flow hash (`decode/flow_key.ts`) of a record's inner 5-tuple as 8 hex digits,
 * so both directions of a flow, a TCP connection's records and a call's signalling share one Kafka key. Records made
 * long after their packets (calls, streams, DNS timeouts) rebuild the same hash from their address text.
 * @module
 */

import { parseIpv4, parseIpv6 } from "../protocols/calls/endpoint.ts";
import { createFlowKey, type FlowKey, writeFlowKey } from "../decode/flow_key.ts";
import { createPacketSummary, type PacketSummary } from "../decode/summary.ts";

const HEX_DIGITS = 8;
const ADDRESS_BYTES_MAX = 16;

/** Formats a 32-bit flow hash as the `flow_id` text. */
export function flowIdText(hash: number): string {
  return (hash >>> 0).toString(16).padStart(HEX_DIGITS, "0");
}

/** Computes flow ids; one per pipeline (it keeps scratch objects so ids of packets allocate only their text). */
export class FlowIds {
  readonly #key: FlowKey = createFlowKey();
  readonly #scratch: PacketSummary = createPacketSummary();

  constructor() {
    this.#scratch.data = new Uint8Array(2 * ADDRESS_BYTES_MAX);
  }

  /** The flow hash of a decoded packet (its own level, ports included). Allocation-free. */
  hashOfPacket(summary: PacketSummary): number {
    writeFlowKey(summary, this.#key);
    return this.#key.hash;
  }

  /**
   * The flow hash of a 5-tuple given as text; equal to `hashOfPacket` of its packets. Returns -1 when an address is
   * not an IP literal (e.g. a host name from a SIP header).
   */
  hashOfText(protocol: number, srcIp: string, srcPort: number, dstIp: string, dstPort: number): number {
    const scratch = this.#scratch;
    const src = writeAddress(scratch.data, 0, srcIp);
    const dst = writeAddress(scratch.data, ADDRESS_BYTES_MAX, dstIp);
    if (src === 0 || src !== dst) return -1;
    scratch.ipVersion = src === 4 ? 4 : 6;
    scratch.addressBytes = src;
    scratch.srcAddressOffset = 0;
    scratch.dstAddressOffset = ADDRESS_BYTES_MAX;
    scratch.protocol = protocol;
    scratch.srcPort = srcPort;
    scratch.dstPort = dstPort;
    writeFlowKey(scratch, this.#key);
    return this.#key.hash;
  }

  /** `flow_id` text of a 5-tuple, or undefined when an address is not an IP literal. */
  idOfText(protocol: number, srcIp: string, srcPort: number, dstIp: string, dstPort: number): string | undefined {
    const hash = this.hashOfText(protocol, srcIp, srcPort, dstIp, dstPort);
    return hash < 0 ? undefined : flowIdText(hash);
  }
}

/** Writes an IP literal at `at`; returns its byte count (4 or 16), or 0 when it is not one. */
function writeAddress(out: Uint8Array, at: number, text: string): number {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) {
    out[at] = v4 >>> 24;
    out[at + 1] = (v4 >>> 16) & 0xff;
    out[at + 2] = (v4 >>> 8) & 0xff;
    out[at + 3] = v4 & 0xff;
    return 4;
  }
  const v6 = parseIpv6(text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text);
  if (v6 === undefined) return 0;
  out.set(v6, at);
  return 16;
}
