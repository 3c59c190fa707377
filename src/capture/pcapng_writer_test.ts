import assert from "node:assert/strict";
import { batchOf, hex } from "./_test_batch.ts";
import { createPacketBatch, LinkType, PacketFlag } from "./batch.ts";
import { chunkOf } from "./chunk.ts";
import { PcapngParser } from "./pcapng_reader.ts";
import { createPcapngWriter, writeNanoseconds } from "./pcapng_writer.ts";

const FRAME = hex("ffffffffffff 020000000001 0800 45");

Deno.test("writeNanoseconds() splits sec * 1e9 + nsec exactly into two 32-bit words", () => {
  const view = new DataView(new ArrayBuffer(8));
  for (const [sec, nsec] of [[0, 0], [1700000000, 123456789], [4294967295, 999999999], [1, 5]]) {
    writeNanoseconds(view, 0, sec, nsec);
    const value = (BigInt(view.getUint32(0, true)) << 32n) | BigInt(view.getUint32(4, true));
    assert.equal(value, BigInt(sec) * 1_000_000_000n + BigInt(nsec));
  }
});

Deno.test("PcapngWriter writes one interface per interface and link type, read back exactly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/a.pcapng`;
    const writer = createPcapngWriter(path, { interfaces: ["eth0", "eth1"], bufferBytes: 48 });
    const first = batchOf([FRAME, FRAME.subarray(0, 13)]);
    first.timestampSec[1] = 4294967295;
    first.timestampNsec[1] = 999999999;
    writer.write(first);
    const second = batchOf([FRAME], LinkType.RAW);
    second.interfaceIndex = 1;
    writer.write(second);
    writer.write(batchOf([FRAME]));
    writer.close();
    const bytes = await Deno.readFile(path);
    assert.equal(writer.bytesWritten, bytes.length);
    assert.equal(writer.packetsWritten, 4);
    const parser = new PcapngParser(path);
    const chunk = chunkOf(bytes);
    const read = createPacketBatch(8);
    parser.fill(chunk, read);
    assert.equal(read.count, 2);
    assert.equal(read.timestampSec[0], 1000);
    assert.equal(read.timestampNsec[0], 123456789);
    assert.equal(read.timestampSec[1], 4294967295);
    assert.equal(read.timestampNsec[1], 999999999);
    assert.equal(read.capturedBytes[1], 13);
    read.count = 0;
    parser.fill(chunk, read);
    assert.equal(read.linkType, LinkType.RAW);
    assert.deepEqual(parser.interfaces, ["eth0", "eth1"]);
    read.count = 0;
    parser.fill(chunk, read);
    assert.equal(read.interfaceIndex, 0, "the third batch reuses the first interface");
    assert.equal(parser.readErrors, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PcapngWriter reinserts an offloaded VLAN tag", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/vlan.pcapng`;
    const batch = batchOf([FRAME]);
    batch.flags[0] = PacketFlag.VLAN_VALID;
    batch.vlanTci[0] = 7;
    batch.vlanTpid[0] = 0x88a8;
    const writer = createPcapngWriter(path);
    writer.write(batch);
    writer.close();
    const parser = new PcapngParser(path);
    const read = createPacketBatch(2);
    parser.fill(chunkOf(await Deno.readFile(path)), read);
    const at = read.offsets[0];
    assert.equal(read.capturedBytes[0], FRAME.length + 4);
    assert.deepEqual(read.data.subarray(at + 12, at + 18), hex("88a8 0007 0800"));
    assert.deepEqual(parser.interfaces, ["if0"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createPcapngWriter() writes to /dev/null", () => {
  const writer = createPcapngWriter("/dev/null");
  writer.write(batchOf([FRAME]));
  writer.flush();
  writer.close();
  assert.equal(writer.packetsWritten, 1);
});
