import assert from "node:assert/strict";
import { createPacketBatch, LinkType } from "../capture/batch.ts";
import { SummaryArena, SummaryBit } from "../native/abi.ts";
import { createPacketSummary, Malformed } from "./summary.ts";
import { SUMMARY_VLAN_IDS_MAX, summaryColumnsOf, summaryFromColumns } from "./summary_columns.ts";

Deno.test("summaryColumnsOf() puts column k at SummaryArena[k] * packetsMax, VLAN ids four per packet", () => {
  const n = 16;
  const buffer = new ArrayBuffer(n * SummaryArena.bytesPerPacket);
  const columns = summaryColumnsOf(buffer, n);
  for (const [name, column] of Object.entries(columns)) {
    assert.equal(column.buffer, buffer, name);
    assert.equal(column.byteOffset, SummaryArena[name as keyof typeof SummaryArena] * n, name);
    assert.equal(column.length, name === "vlanIds" ? SUMMARY_VLAN_IDS_MAX * n : n, name);
  }
  assert.equal(columns.bits.byteOffset + n, buffer.byteLength, "the last column ends the arena");
});

Deno.test("summaryFromColumns() makes offsets absolute, derives addresses, and clears what a row leaves out", () => {
  const batch = createPacketBatch(2, new Uint8Array(4096));
  batch.offsets.set([1000, 2000]);
  batch.capturedBytes.set([90, 60]);
  batch.timestampSec.set([7, 8]);
  const columns = summaryColumnsOf(new ArrayBuffer(8 * SummaryArena.bytesPerPacket), 8);
  // Row 0: TCP over IPv6 under two tags. Row 1: ARP, nothing past the link.
  columns.vlanCount[0] = 2;
  columns.vlanIds.set([100, 200], 0);
  columns.etherType.set([0x86dd, 0x0806]);
  columns.l3Offset.set([22, 14]);
  columns.l4Offset.set([62, -1]);
  columns.payloadOffset.set([82, 14]);
  columns.payloadBytes.set([8, 46]);
  columns.ipVersion[0] = 6;
  columns.ttl[0] = 64;
  columns.protocol[0] = 6;
  columns.srcPort[0] = 443;
  columns.dstPort[0] = 1024;
  columns.tcpFlags[0] = 0x18;
  columns.bits[0] = SummaryBit.PORTS | SummaryBit.TCP_FLAGS | SummaryBit.PAYLOAD_TRUNCATED;
  columns.malformed[1] = Malformed.LINK_TRUNCATED;
  const summary = createPacketSummary();
  assert.equal(summaryFromColumns(batch, columns, 0, summary), true);
  assert.deepEqual(Array.from(summary.vlanIds.subarray(0, summary.vlanCount)), [100, 200]);
  assert.equal(summary.l3Offset, 1022);
  assert.equal(summary.srcAddressOffset, 1030);
  assert.equal(summary.dstAddressOffset, 1046);
  assert.equal(summary.addressBytes, 16);
  assert.equal(summary.l4Offset, 1062);
  assert.equal(summary.payloadOffset, 1082);
  assert.equal(summary.payloadTruncated, true);
  assert.deepEqual([summary.protocol, summary.srcPort, summary.dstPort, summary.tcpFlags], [6, 443, 1024, 0x18]);
  assert.deepEqual([summary.icmpType, summary.icmpCode, summary.timestampSec], [-1, -1, 7]);
  assert.equal(summaryFromColumns(batch, columns, 1, summary), false);
  assert.equal(summary.malformed, Malformed.LINK_TRUNCATED);
  assert.deepEqual([summary.vlanCount, summary.ipVersion, summary.protocol, summary.srcPort], [0, 0, -1, -1]);
  assert.deepEqual([summary.srcAddressOffset, summary.l4Offset, summary.payloadOffset], [-1, -1, 2014]);
  assert.equal(summary.tcpFlags, -1);
  assert.equal(summary.payloadTruncated, false);
  batch.linkType = 147; // a user DLT: not decoded
  columns.malformed[1] = Malformed.NONE;
  assert.equal(summaryFromColumns(batch, columns, 1, summary), false);
  assert.equal(summary.linkDecoded, false);
  batch.linkType = LinkType.RAW;
  assert.equal(summaryFromColumns(batch, columns, 1, summary), true);
});
