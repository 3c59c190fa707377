import assert from "node:assert/strict";
import { AfPacketSource } from "./afpacket.ts";
import { PacketType } from "./batch.ts";
import { CaptureError } from "../native/capture_error.ts";
import { PcapRecordsFlag } from "../native/pcap_records.ts";
import { sendUdp, testPort } from "./_test_lo.ts";

const SMALL = { blockBytes: 65536, blockCount: 8, retireTimeoutMs: 10, promiscuous: false } as const;

/** Reads until `packets` packets arrived or `timeoutMs` passed; returns sequence numbers seen per socket. */
async function collect(
  source: AfPacketSource,
  packets: number,
  outgoing = false,
  timeoutMs = 3000,
): Promise<number[][]> {
  const bySocket: number[][] = [[], [], [], []];
  let seen = 0;
  const timer = setTimeout(() => source.stop(), timeoutMs);
  for (let batch = await source.next(); batch !== null; batch = await source.next()) {
    const socket = source.socketIndexOf(batch);
    for (let i = 0; i < batch.count; i++) {
      // Loopback shows each datagram twice: leaving (OUTGOING) and arriving.
      if (!outgoing && batch.packetType[i] === PacketType.OUTGOING) continue;
      const at = batch.offsets[i] + 42;
      bySocket[socket].push(new DataView(batch.data.buffer, batch.data.byteOffset).getUint32(at));
      seen++;
    }
    source.release(batch);
    if (seen >= packets) break;
  }
  clearTimeout(timer);
  return bySocket;
}

Deno.test("AfPacketSource hands out every filtered packet once, with kernel counters", async () => {
  const port = testPort();
  const source = AfPacketSource.open({ interfaces: ["lo"], filter: `udp dst port ${port}`, ...SMALL });
  try {
    assert.deepEqual(source.interfaces, ["lo"]);
    const reading = collect(source, 200);
    await sendUdp(port, 200);
    const [received] = await reading;
    assert.deepEqual(received, Array.from({ length: 200 }, (_, k) => k));
  } finally {
    await source.close();
  }
  const stats = source.stats();
  assert.equal(stats.kernelPackets, 400, "both directions on lo, read at close");
  assert.equal(stats.kernelDrops, 0);
  assert.equal(stats.packets, 400);
  assert.equal(await source.next(), null);
});

Deno.test("AfPacketSource with lb fanout spreads packets over both sockets without duplicates", async () => {
  const port = testPort();
  const source = AfPacketSource.open({
    interfaces: ["lo"],
    filter: `udp dst port ${port}`,
    fanoutCount: 2,
    fanoutMode: "lb",
    ...SMALL,
  });
  try {
    const reading = collect(source, 600, true);
    await sendUdp(port, 300);
    const [first, second] = await reading;
    assert.ok(first.length > 0 && second.length > 0, `split ${first.length}/${second.length}`);
    const expected = Array.from({ length: 600 }, (_, k) => k >> 1);
    assert.deepEqual([...first, ...second].sort((a, b) => a - b), expected);
  } finally {
    await source.close();
  }
});

Deno.test("AfPacketSource.close() ends a waiting next() with null and waits for held batches", async () => {
  const port = testPort();
  const source = AfPacketSource.open({ interfaces: ["lo"], filter: `udp dst port ${port}`, ...SMALL });
  const reading = source.next();
  await sendUdp(port, 1);
  const batch = await reading;
  assert.ok(batch !== null && batch.count > 0);
  const waiting = source.next();
  let closed = false;
  const closing = source.close().then(() => (closed = true));
  assert.equal(await waiting, null);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(closed, false, "close must wait while a batch is held");
  source.release(batch);
  await closing;
  assert.equal(closed, true);
});

Deno.test("AfPacketSource.nextRecords() writes pcap records of whole blocks, at most packetsMax, and counts them", async () => {
  const port = testPort();
  const source = AfPacketSource.open({ interfaces: ["lo"], filter: `udp dst port ${port}`, ...SMALL });
  const out = new Uint8Array(source.ringInfo.blockBytes);
  let packets = 0;
  const lengths: number[] = [];
  try {
    const timer = setTimeout(() => source.stop(), 3000);
    const sending = sendUdp(port, 50);
    while (packets < 99) {
      const records = await source.nextRecords(out, PcapRecordsFlag.NANOSECOND, 99 - packets);
      if (records === null) break;
      const view = new DataView(out.buffer);
      for (let at = 0; at < records.bytes; at += 16 + view.getUint32(at + 8, true)) {
        lengths.push(view.getUint32(at + 8, true));
      }
      packets += records.packets;
    }
    clearTimeout(timer);
    await sending;
    assert.equal(packets, 99, "both directions on lo, cut at packetsMax");
    assert.deepEqual(lengths, Array.from({ length: 99 }, () => 14 + 20 + 8 + 8));
    assert.equal(source.stats().packets, 99);
    assert.equal(source.stats().bytes, 99 * 50);
  } finally {
    await source.close();
  }
});

Deno.test("AfPacketSource.nextCounts() counts whole blocks by protocol class, at most packetsMax, and releases them", async () => {
  const port = testPort();
  const source = AfPacketSource.open({ interfaces: ["lo"], filter: `udp dst port ${port}`, ...SMALL });
  let packets = 0, wireBytes = 0, udp = 0, others = 0;
  try {
    const timer = setTimeout(() => source.stop(), 3000);
    const sending = sendUdp(port, 50);
    while (packets < 99) {
      const counts = await source.nextCounts(99 - packets);
      if (counts === null) break;
      packets += counts.packets;
      wireBytes += counts.wireBytes;
      udp += counts.protocolClasses[1];
      others += counts.protocolClasses.reduce((sum, count) => sum + count, 0) - counts.protocolClasses[1];
      assert.equal(counts.malformedPackets, 0);
    }
    clearTimeout(timer);
    await sending;
    assert.equal(packets, 99, "both directions on lo, cut at packetsMax");
    assert.equal(udp, 99);
    assert.equal(others, 0);
    assert.equal(wireBytes, 99 * 50);
    assert.equal(source.stats().packets, 99);
    assert.equal(source.stats().bytes, 99 * 50);
  } finally {
    await source.close();
  }
});

Deno.test("AfPacketSource.open() closes what it opened when a later interface fails", () => {
  assert.throws(
    () => AfPacketSource.open({ interfaces: ["lo", "nosuchif1"], ...SMALL }),
    (error: unknown) => error instanceof CaptureError && error.code === "no_such_device",
  );
  assert.throws(() => AfPacketSource.open({ interfaces: [], ...SMALL }), CaptureError);
});

Deno.test("AfPacketSource with inlineWait waits on the calling thread yet still lets timers stop it", async () => {
  const port = testPort();
  const source = AfPacketSource.open({
    interfaces: ["lo"],
    filter: `udp dst port ${port}`,
    inlineWait: true,
    ...SMALL,
  });
  try {
    // The ring keeps what arrives before the first read; inline waits block this thread, so send first.
    await sendUdp(port, 100);
    const [received] = await collect(source, 100);
    assert.deepEqual(received, Array.from({ length: 100 }, (_, k) => k));
    const startedMs = Date.now();
    let stoppedMs = 0;
    setTimeout(() => {
      stoppedMs = Date.now();
      source.stop();
    }, 100);
    assert.equal(await source.next(), null, "stop() from a timer ends an idle inline wait");
    assert.ok(stoppedMs > 0 && stoppedMs - startedMs < 1000, `the timer ran ${stoppedMs - startedMs} ms after start`);
    assert.ok(Date.now() - stoppedMs < 1000, "next() returned soon after stop()");
  } finally {
    await source.close();
  }
});

for (const inlineWait of [false, true]) {
  Deno.test(`AfPacketSource.stop() still hands out packets of the block the kernel had not retired (inlineWait ${inlineWait})`, async () => {
    const port = testPort();
    // A long retire timeout: when stop() comes, the packets sit in a block the kernel still owns.
    const options = { ...SMALL, retireTimeoutMs: 300, inlineWait };
    const source = AfPacketSource.open({ interfaces: ["lo"], filter: `udp dst port ${port}`, ...options });
    try {
      await sendUdp(port, 50);
      source.stop();
      const received: number[] = [];
      for (let batch = await source.next(); batch !== null; batch = await source.next()) {
        for (let i = 0; i < batch.count; i++) {
          if (batch.packetType[i] === PacketType.OUTGOING) continue;
          received.push(new DataView(batch.data.buffer, batch.data.byteOffset).getUint32(batch.offsets[i] + 42));
        }
        source.release(batch);
      }
      assert.deepEqual(received, Array.from({ length: 50 }, (_, k) => k));
    } finally {
      await source.close();
    }
  });
}
