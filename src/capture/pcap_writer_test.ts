import assert from "node:assert/strict";
import { batchOf, hex } from "./_test_batch.ts";
import { createPacketBatch, LinkType, PacketFlag } from "./batch.ts";
import { chunkOf } from "./chunk.ts";
import { PcapParser } from "./pcap_reader.ts";
import { copyPacket, createPcapWriter } from "./pcap_writer.ts";

const FRAME = hex("ffffffffffff 020000000001 0800 4500");

Deno.test("PcapWriter writes nanosecond pcaps that PcapParser reads back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/ns.pcap`;
    const writer = createPcapWriter(path, { bufferBytes: 64 });
    const batch = batchOf([FRAME, FRAME.subarray(0, 14)]);
    batch.wireBytes[1] = 100;
    writer.write(batch);
    writer.close();
    assert.equal(writer.packetsWritten, 2);
    const bytes = await Deno.readFile(path);
    assert.equal(writer.bytesWritten, bytes.length);
    assert.deepEqual(Array.from(bytes.subarray(0, 4)), [0x4d, 0x3c, 0xb2, 0xa1]);
    const parser = new PcapParser(path);
    const read = createPacketBatch(4);
    parser.fill(chunkOf(bytes), read);
    assert.equal(read.count, 2);
    assert.equal(read.timestampNsec[0], 123456789);
    assert.equal(read.timestampSec[1], 1001);
    assert.equal(read.wireBytes[1], 100);
    assert.equal(read.linkType, LinkType.EN10MB);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PcapWriter writes microsecond pcaps on request", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/us.pcap`;
    const writer = createPcapWriter(path, { nanosecond: false });
    writer.write(batchOf([FRAME]));
    writer.close();
    const parser = new PcapParser(path);
    const read = createPacketBatch(4);
    parser.fill(chunkOf(await Deno.readFile(path)), read);
    assert.equal(parser.nanosecond, false);
    assert.equal(read.timestampNsec[0], 123456000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PcapWriter reinserts an offloaded VLAN tag after the MAC addresses", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/vlan.pcap`;
    const batch = batchOf([FRAME]);
    batch.flags[0] = PacketFlag.VLAN_VALID;
    batch.vlanTci[0] = 0x2064; // Priority 1, VLAN 100.
    batch.vlanTpid[0] = 0;
    const writer = createPcapWriter(path);
    writer.write(batch);
    writer.close();
    const bytes = await Deno.readFile(path);
    const record = bytes.subarray(24);
    const view = new DataView(record.buffer, record.byteOffset);
    assert.equal(view.getUint32(8, true), FRAME.length + 4);
    assert.equal(view.getUint32(12, true), FRAME.length + 4);
    assert.deepEqual(record.subarray(16), hex("ffffffffffff 020000000001 8100 2064 0800 4500"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("copyPacket() leaves frames without an offloaded tag or too short for one unchanged", () => {
  const batch = batchOf([FRAME, FRAME.subarray(0, 8)]);
  batch.flags[1] = PacketFlag.VLAN_VALID;
  const target = new Uint8Array(64);
  assert.equal(copyPacket(batch, 0, target, 0), FRAME.length);
  assert.equal(copyPacket(batch, 1, target, 32), 8);
  assert.deepEqual(target.subarray(0, FRAME.length), FRAME);
});

Deno.test("PcapWriter skips packets of another link type and writes a header for an empty file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = createPcapWriter(`${dir}/one.pcap`);
    writer.write(batchOf([FRAME]));
    writer.write(batchOf([FRAME], LinkType.RAW));
    writer.close();
    writer.write(batchOf([FRAME]));
    assert.equal(writer.packetsWritten, 1);
    assert.equal(writer.packetsSkipped, 1);
    const empty = createPcapWriter(`${dir}/empty.pcap`, { linkType: LinkType.LINUX_SLL });
    empty.close();
    const bytes = await Deno.readFile(`${dir}/empty.pcap`);
    assert.equal(bytes.length, 24);
    assert.equal(new DataView(bytes.buffer).getUint32(20, true), LinkType.LINUX_SLL);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createPcapWriter() writes to /dev/null and names the path when it cannot create a file", () => {
  const writer = createPcapWriter("/dev/null");
  writer.write(batchOf([FRAME, FRAME]));
  writer.close();
  assert.equal(writer.packetsWritten, 2);
  assert.throws(
    () => createPcapWriter("/nonexistent-dir/x.pcap"),
    /Cannot create capture file "\/nonexistent-dir\/x.pcap"/,
  );
});

Deno.test("PcapWriter.writeRange() writes the same bytes as writePacket() through a buffer smaller than the batch", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const frames = Array.from({ length: 40 }, (_, k) => FRAME.subarray(0, 14 + (k % 5)));
    const batch = batchOf(frames);
    for (let k = 0; k < batch.count; k += 3) {
      batch.flags[k] = PacketFlag.VLAN_VALID;
      batch.vlanTci[k] = k;
    }
    const slow = createPcapWriter(`${dir}/slow.pcap`);
    for (let k = 5; k < 35; k++) slow.writePacket(batch, k);
    slow.close();
    const fast = createPcapWriter(`${dir}/fast.pcap`, { bufferBytes: 100 });
    fast.writeRange(batch, 5, 35);
    fast.close();
    assert.equal(fast.packetsWritten, 30);
    assert.equal(fast.bytesWritten, slow.bytesWritten);
    assert.deepEqual(await Deno.readFile(`${dir}/fast.pcap`), await Deno.readFile(`${dir}/slow.pcap`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PcapWriter.recordsTarget() takes records built in place after the header and skips another link type", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const reference = createPcapWriter(`${dir}/reference.pcap`);
    reference.write(batchOf([FRAME, FRAME]));
    reference.close();
    const written = await Deno.readFile(`${dir}/reference.pcap`);
    const records = written.subarray(24);
    const writer = createPcapWriter(`${dir}/target.pcap`, { bufferBytes: 64 });
    const target = writer.recordsTarget(records.length + 100, LinkType.EN10MB);
    assert.ok(target.length >= records.length, "a target holds a whole block");
    target.set(records);
    writer.commitRecords(records.length, 2);
    const other = writer.recordsTarget(records.length, LinkType.RAW);
    other.set(records);
    writer.commitRecords(records.length, 2);
    writer.close();
    writer.recordsTarget(records.length, LinkType.EN10MB).set(records); // after close: a scratch target
    writer.commitRecords(records.length, 2); // ignored, nothing written
    assert.equal(writer.packetsWritten, 2);
    assert.equal(writer.packetsSkipped, 2);
    assert.deepEqual(await Deno.readFile(`${dir}/target.pcap`), written);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
