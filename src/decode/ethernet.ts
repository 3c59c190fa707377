/**
 * Ethernet II and 802.3+SNAP frames and VLAN stacks (802.1Q 0x8100, 802.1ad 0x88a8, legacy QinQ 0x9100/0x9200).
 * @module
 */

import { readU16 } from "./cursor.ts";
import { Malformed, type PacketSummary, pushVlanId } from "./summary.ts";

/** Ether types the decoders act on. */
export const EtherType = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, IPV6: 0x86dd, QINQ: 0x88a8 } as const;

const ETHERNET_HEADER_BYTES = 14;
/** Stacks deeper than this are not real traffic; stop walking so a crafted frame cannot loop long. */
const VLAN_TAGS_WALK_MAX = 16;
const ETHER_TYPE_MIN = 0x0600;

/** True for the TPIDs that start a VLAN tag. */
export function isVlanTpid(etherType: number): boolean {
  return etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100 || etherType === 0x9200;
}

/**
 * Decodes an Ethernet header at `at`; sets `etherType` and returns the L3 offset, or -1 (with `malformed` set).
 */
export function decodeEthernet(summary: PacketSummary, at: number, end: number): number {
  const data = summary.data;
  if (at + ETHERNET_HEADER_BYTES > end) {
    summary.malformed = Malformed.LINK_TRUNCATED;
    return -1;
  }
  const typeOrLength = readU16(data, at + 12, end);
  at += ETHERNET_HEADER_BYTES;
  if (typeOrLength < ETHER_TYPE_MIN) return decodeSnap(summary, at, end);
  return decodeEtherTypeChain(summary, at, end, typeOrLength);
}

/** 802.3 frame: only LLC SNAP with OUI 0 carries an ether type; other LLC frames have no L3 for us. */
function decodeSnap(summary: PacketSummary, at: number, end: number): number {
  const data = summary.data;
  const isSnap = at + 8 <= end && data[at] === 0xaa && data[at + 1] === 0xaa && data[at + 2] === 0x03 &&
    data[at + 3] === 0 && data[at + 4] === 0 && data[at + 5] === 0;
  if (!isSnap) {
    summary.etherType = 0;
    return -1;
  }
  return decodeEtherTypeChain(summary, at + 8, end, readU16(data, at + 6, end));
}

/**
 * Walks VLAN tags starting from `etherType` at `at` (the bytes after the type field); sets `etherType` to the
 * first non-VLAN type and returns where its header starts, or -1 when a tag is cut short.
 */
export function decodeEtherTypeChain(summary: PacketSummary, at: number, end: number, etherType: number): number {
  const data = summary.data;
  for (let tags = 0; tags < VLAN_TAGS_WALK_MAX && isVlanTpid(etherType); tags++) {
    if (at + 4 > end) {
      summary.etherType = etherType;
      summary.malformed = Malformed.VLAN_TRUNCATED;
      return -1;
    }
    pushVlanId(summary, readU16(data, at, end) & 0x0fff);
    etherType = readU16(data, at + 2, end);
    at += 4;
  }
  summary.etherType = etherType;
  return at;
}
