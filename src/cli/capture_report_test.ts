import assert from "node:assert/strict";
import { emptySourceStats, type PacketSource, type SourceStats } from "../capture/batch.ts";
import { batchOf, ethernet, ipv4, tcp, udp } from "../capture/_test_batch.ts";
import { decodeSummary } from "../decode/decode.ts";
import { createPacketSummary } from "../decode/summary.ts";
import { createArenaBatch, walkBlockNative } from "../native/block_walk.ts";
import { countBlock } from "../native/block_counts.ts";
import { blockOf } from "../native/_test_summary.ts";
import { CaptureReport, PROTOCOL_NAMES, protocolClass, SUMMARY_INTERVAL_MS } from "./capture_report.ts";

function fakeSource(stats: Partial<SourceStats>): PacketSource {
  return {
    name: "eth0",
    interfaces: ["eth0"],
    next: () => Promise.resolve(null),
    release: () => {},
    stats: () => ({ ...emptySourceStats(), ...stats }),
    close: () => Promise.resolve(),
  };
}

const frames = [
  ethernet(0x0800, ipv4(17, udp(1, 53, new Uint8Array(10)))),
  ethernet(0x0800, ipv4(6, tcp(1, 80, 0x02, new Uint8Array(0)))),
  ethernet(0x0806, new Uint8Array(28)),
  ethernet(0x0800, ipv4(17, udp(1, 53, new Uint8Array(4)))),
];

Deno.test("protocolClass() names the innermost decoded layer", () => {
  const batch = batchOf(frames);
  const summary = createPacketSummary();
  const names = frames.map((_, i) => {
    decodeSummary(batch, i, summary);
    return PROTOCOL_NAMES[protocolClass(summary)];
  });
  assert.deepEqual(names, ["udp", "tcp", "arp", "udp"]);
});

Deno.test("CaptureReport writes a JSON summary line when due and a final one, then tcpdump's exit lines", async () => {
  const path = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    const report = new CaptureReport(fakeSource({ kernelPackets: 9, kernelDrops: 2, packets: 4 }), path);
    const batch = batchOf(frames);
    const summary = createPacketSummary();
    report.count(batch, 3);
    for (let i = 0; i < 3; i++) {
      decodeSummary(batch, i, summary);
      report.countSummary(summary);
    }
    report.tick(Date.now());
    assert.equal(await Deno.readTextFile(path), "", "not due yet");
    report.tick(Date.now() + SUMMARY_INTERVAL_MS);
    const errors: string[] = [];
    const originalError = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      report.finish(true);
    } finally {
      console.error = originalError;
    }
    const lines = (await Deno.readTextFile(path)).trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(lines.length, 2);
    assert.equal(lines[0].final, false);
    assert.equal(lines[1].final, true);
    assert.equal(lines[1].packets, 3);
    assert.equal(lines[1].bytes, frames[0].length + frames[1].length + frames[2].length);
    assert.equal(lines[1].kernel_drops, 2);
    assert.deepEqual(lines[1].protocols, { tcp: 1, udp: 1, arp: 1 });
    assert.deepEqual(errors, ["3 packets captured", "9 packets received by filter", "2 packets dropped by kernel"]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("CaptureReport counts a file's handled packets as received and reports read errors", () => {
  const report = new CaptureReport(fakeSource({ packets: 7, readErrors: 1 }));
  report.count(batchOf(frames), 4);
  assert.deepEqual(report.exitLines(false), [
    "4 packets captured",
    "4 packets received by filter",
    "0 packets dropped by kernel",
    "1 records could not be read",
  ]);
});

Deno.test("CaptureReport.countTotals() counts the fast path's packets and bytes like count()", () => {
  const batch = batchOf(frames);
  const byBatch = new CaptureReport(fakeSource({}));
  byBatch.count(batch, 3);
  const byTotals = new CaptureReport(fakeSource({}));
  byTotals.countTotals(3, batch.wireBytes[0] + batch.wireBytes[1] + batch.wireBytes[2]);
  assert.equal(byTotals.packets, 3);
  assert.equal(byTotals.bytes, byBatch.bytes);
  assert.deepEqual(byTotals.exitLines(false), byBatch.exitLines(false));
});

Deno.test("CaptureReport names an unwritable summary file", () => {
  assert.throws(
    () => new CaptureReport(fakeSource({}), "/nonexistent-dir/summary.jsonl"),
    /Cannot open summary file "\/nonexistent-dir\/summary.jsonl"/,
  );
});

Deno.test("countSummaryColumns() counts protocols and malformed packets as countSummary() does per packet", () => {
  const mixed = [
    ...frames,
    ethernet(0x86dd, new Uint8Array(10)), // IPv6 cut short: malformed, class "other"
    ethernet(0x0800, ipv4(1, new Uint8Array(8))),
    ethernet(0x0800, ipv4(47, new Uint8Array(4))),
    ethernet(0x0800, ipv4(17, new Uint8Array(3))), // UDP cut short: malformed "udp"
  ];
  const block = blockOf(mixed, []);
  const batch = createArenaBatch(mixed.length, block, true);
  walkBlockNative(block, 0, batch);
  const fromColumns = new CaptureReport(fakeSource({}));
  fromColumns.countSummaryColumns(batch, batch.summaries!, batch.count - 1);
  const perPacket = new CaptureReport(fakeSource({}));
  const summary = createPacketSummary();
  for (let i = 0; i < batch.count - 1; i++) {
    decodeSummary(batch, i, summary);
    perPacket.countSummary(summary);
  }
  const expected = perPacket.record(false);
  const record = fromColumns.record(false);
  assert.deepEqual(record.protocols, expected.protocols);
  assert.deepEqual(record.protocols, { udp: 2, tcp: 1, arp: 1, other: 1, icmp: 1, ip_other: 1 });
  assert.equal(record.malformed, 1, "only the first count packets");
  assert.equal(record.malformed, expected.malformed);
});

Deno.test("countProtocolClasses() with countBlock()'s counters reports what countSummary() per packet reports", () => {
  const mixed = [
    ...frames,
    ethernet(0x86dd, new Uint8Array(10)),
    ethernet(0x0800, ipv4(1, new Uint8Array(8))),
    ethernet(0x0800, ipv4(17, new Uint8Array(3))),
  ];
  const block = blockOf(mixed, []);
  const fromBlock = new CaptureReport(fakeSource({}));
  for (let round = 0; round < 2; round++) {
    const counts = countBlock(block, 1, mixed.length);
    fromBlock.countTotals(counts.packets, counts.wireBytes);
    fromBlock.countProtocolClasses(counts.protocolClasses, counts.malformedPackets);
  }
  const batch = createArenaBatch(mixed.length, block);
  walkBlockNative(block, 0, batch);
  const perPacket = new CaptureReport(fakeSource({}));
  const summary = createPacketSummary();
  for (let round = 0; round < 2; round++) {
    perPacket.count(batch, batch.count);
    for (let i = 0; i < batch.count; i++) {
      decodeSummary(batch, i, summary);
      perPacket.countSummary(summary);
    }
  }
  const record = fromBlock.record(false);
  assert.deepEqual(record.protocols, perPacket.record(false).protocols);
  assert.deepEqual(record.protocols, { udp: 6, tcp: 2, arp: 2, other: 2, icmp: 2 });
  assert.equal(record.malformed, 4);
  assert.equal(fromBlock.bytes, perPacket.bytes);
  assert.deepEqual(fromBlock.exitLines(false), perPacket.exitLines(false));
});
