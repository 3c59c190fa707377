import assert from "node:assert/strict";
import { createPacketBatch, LinkType, type PacketBatch } from "../capture/batch.ts";
import { openFileSource } from "../capture/file_source.ts";
import { CaptureError } from "./capture_error.ts";
import { BatchFilter, compactBatch, PacketFilter } from "./filter.ts";

const CORPUS = "/work/shared/corpus";

/** Ethernet/IPv4/UDP from 10.0.0.1:4000 to 10.0.0.2:`port` with `payloadBytes` zeros. */
function udpFrame(port: number, payloadBytes = 10): Uint8Array {
  const frame = new Uint8Array(42 + payloadBytes);
  const view = new DataView(frame.buffer);
  view.setUint16(12, 0x0800);
  frame[14] = 0x45;
  view.setUint16(16, 28 + payloadBytes);
  frame[23] = 17;
  frame.set([10, 0, 0, 1, 10, 0, 0, 2], 26);
  view.setUint16(34, 4000);
  view.setUint16(36, port);
  view.setUint16(38, 8 + payloadBytes);
  return frame;
}

/** A batch of the frames laid out back to back after a 3-byte gap; packet i has timestamp i. */
function batchOf(frames: Uint8Array[]): PacketBatch {
  const data = new Uint8Array(3 + frames.reduce((sum, frame) => sum + frame.length, 0));
  const batch = createPacketBatch(frames.length + 4, data);
  let offset = 3;
  frames.forEach((frame, i) => {
    data.set(frame, offset);
    batch.offsets[i] = offset;
    batch.capturedBytes[i] = frame.length;
    batch.wireBytes[i] = frame.length;
    batch.timestampSec[i] = i;
    batch.vlanTci[i] = i;
    batch.flags[i] = i & 1;
    offset += frame.length;
  });
  batch.count = frames.length;
  return batch;
}

Deno.test("PacketFilter.run() marks exactly the packets the expression accepts", () => {
  const filter = PacketFilter.compile("udp port 5060", LinkType.EN10MB);
  try {
    const batch = batchOf([5060, 53, 5060, 5061].map((port) => udpFrame(port)));
    const match = new Uint8Array(batch.count);
    assert.equal(filter.run(batch, match), 2);
    assert.deepEqual([...match], [1, 0, 1, 0]);
    batch.count = 0;
    assert.equal(filter.run(batch, match), 0);
  } finally {
    filter.close();
  }
  assert.throws(() => filter.run(batchOf([]), new Uint8Array(0)), (error: CaptureError) => error.code === "closed");
});

Deno.test("PacketFilter.compile() reports libpcap's message for a bad expression", () => {
  assert.throws(
    () => PacketFilter.compile("udp port banana", LinkType.EN10MB),
    (error: unknown) =>
      error instanceof CaptureError && error.code === "filter_invalid" && /banana/.test(error.message),
  );
});

Deno.test("compactBatch() keeps the matching packets in order with every per-packet field", () => {
  const batch = batchOf([1, 2, 3, 4, 5].map((port) => udpFrame(port)));
  const offsets = [...batch.offsets.subarray(0, 5)];
  compactBatch(batch, new Uint8Array([0, 1, 0, 1, 1]));
  assert.equal(batch.count, 3);
  assert.deepEqual([...batch.offsets.subarray(0, 3)], [offsets[1], offsets[3], offsets[4]]);
  assert.deepEqual([...batch.timestampSec.subarray(0, 3)], [1, 3, 4]);
  assert.deepEqual([...batch.vlanTci.subarray(0, 3)], [1, 3, 4]);
  assert.deepEqual([...batch.flags.subarray(0, 3)], [1, 1, 0]);
  const port = (i: number) => new DataView(batch.data.buffer).getUint16(batch.offsets[i] + 36);
  assert.deepEqual([0, 1, 2].map(port), [2, 4, 5]);
});

Deno.test("BatchFilter.apply() compacts each batch and counts what it removed", () => {
  const filter = new BatchFilter("udp dst port 7 or udp dst port 9");
  try {
    const batch = batchOf([7, 8, 9, 10].map((port) => udpFrame(port)));
    assert.equal(filter.apply(batch), 2);
    assert.equal(batch.count, 2);
    assert.deepEqual([...batch.timestampSec.subarray(0, 2)], [0, 2]);
    assert.equal(filter.rejectedPackets, 2);
    const raw = batchOf([udpFrame(9).subarray(14)]);
    raw.linkType = LinkType.RAW;
    assert.equal(filter.apply(raw), 1, "a second link type gets its own program");
  } finally {
    filter.close();
  }
});

/** Packets `tcpdump -r path -w - expression` keeps, counted by reading its output back; null if it refused. */
async function tcpdumpCount(path: string, expression: string): Promise<number | null> {
  const output = await Deno.makeTempFile({ prefix: "filter-oracle-", suffix: ".pcap" });
  try {
    const result = await new Deno.Command("tcpdump", {
      args: ["-r", path, "-w", output, expression],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (result.code !== 0) {
      assert.match(new TextDecoder().decode(result.stderr), /no VLAN support|rejects all packets/);
      return null;
    }
    return await countPackets(output);
  } finally {
    await Deno.remove(output);
  }
}

async function countPackets(path: string, filter?: BatchFilter): Promise<number> {
  const source = await openFileSource(path);
  let packets = 0;
  try {
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      packets += filter ? filter.apply(batch) : batch.count;
    }
  } finally {
    await source.close();
  }
  return packets;
}

Deno.test("BatchFilter keeps exactly the packets tcpdump -r keeps, over several link types", async () => {
  const files = [
    "sip/rtp_rtcp_sip_ipv4_udp.pcap",
    "sip/sip_ipv6_udp.pcap",
    "tcpdump/802.1ad_QinQ.pcap",
    "tcpdump/LINKTYPE_IPV4.pcap",
    "tcpdump/bgp-enhanced-route-refresh-subtype.pcapng",
  ];
  const expressions = ["udp port 5060", "vlan", "ip6", "tcp port 179", "udp and greater 200", "not udp"];
  let matchedSomewhere = 0;
  for (const file of files) {
    const path = `${CORPUS}/${file}`;
    for (const expression of expressions) {
      const expected = await tcpdumpCount(path, expression);
      const filter = new BatchFilter(expression);
      try {
        if (expected === null) {
          await assert.rejects(countPackets(path, filter), (error: CaptureError) => error.code === "filter_invalid");
        } else {
          assert.equal(await countPackets(path, filter), expected, `${file} "${expression}"`);
          if (expected > 0) matchedSomewhere++;
        }
      } finally {
        filter.close();
      }
    }
  }
  assert.ok(matchedSomewhere >= 8, "the expressions match packets in most files");
});
