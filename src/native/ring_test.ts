import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Status } from "./abi.ts";
import { CaptureError } from "./capture_error.ts";
import { Ring } from "./ring.ts";
import { createPacketBatch, PacketType } from "../capture/batch.ts";
import { walkBlock } from "../capture/afpacket_block.ts";

const SMALL_RING = { blockBytes: 65536, blockCount: 4, retireTimeoutMs: 10, promiscuous: false } as const;

function testPort(): number {
  return 40000 + (Deno.pid * 7 + Math.floor(Math.random() * 1000)) % 20000;
}

async function sendUdp(port: number, payloads: string[]): Promise<void> {
  const socket = dgram.createSocket("udp4");
  for (const payload of payloads) {
    await new Promise<void>((resolve, reject) =>
      socket.send(payload, port, "127.0.0.1", (error) => error ? reject(error) : resolve())
    );
  }
  socket.close();
}

Deno.test("Ring reads filtered loopback packets from retired blocks and releases them", async () => {
  const port = testPort();
  const ring = Ring.open({ interfaceName: "lo", filter: `udp dst port ${port}`, ...SMALL_RING });
  try {
    assert.equal(ring.info.blockBytes, 65536);
    assert.equal(ring.info.blockCount, 4);
    assert.equal(ring.bytes.length, 4 * 65536);
    assert.ok(ring.info.filterInstructions > 0);
    await sendUdp(port, ["first", "second", "third"]);
    const batch = createPacketBatch(1024, ring.bytes);
    const seen: string[] = [];
    const deadline = Date.now() + 3000;
    // Loopback shows every datagram twice: leaving (OUTGOING) and arriving (HOST).
    while (seen.length < 6 && Date.now() < deadline) {
      const block = await ring.next(200);
      if (block === Status.timeout) continue;
      assert.ok(block >= 0 && block < 4, `block index ${block}`);
      walkBlock(ring.view, block * ring.info.blockBytes, ring.info.blockBytes, batch);
      for (let i = 0; i < batch.count; i++) {
        const frame = batch.data.subarray(batch.offsets[i], batch.offsets[i] + batch.capturedBytes[i]);
        const type = batch.packetType[i] === PacketType.OUTGOING ? "out" : "in";
        seen.push(`${type}:${new TextDecoder().decode(frame.subarray(42))}`);
      }
      ring.release(block);
    }
    assert.deepEqual(seen.sort(), ["in:first", "in:second", "in:third", "out:first", "out:second", "out:third"]);
    const stats = ring.stats();
    assert.equal(stats.packets, 6);
    assert.equal(stats.drops, 0);
  } finally {
    assert.equal(ring.close(), true);
  }
  assert.equal(ring.isOpen, false);
  assert.equal(ring.bytes.length, 0);
});

Deno.test("Ring.open() throws typed errors naming the interface, the filter or the option", () => {
  assert.throws(() => Ring.open({ interfaceName: "nosuchif0", ...SMALL_RING }), (error: unknown) => {
    return error instanceof CaptureError && error.code === "no_such_device" && /nosuchif0/.test(error.message);
  });
  assert.throws(
    () => Ring.open({ interfaceName: "lo", filter: "udp port banana", ...SMALL_RING }),
    (error: unknown) => {
      return error instanceof CaptureError && error.code === "filter_invalid" && /banana/.test(error.message);
    },
  );
  assert.throws(() => Ring.open({ interfaceName: "lo", ...SMALL_RING, blockCount: 1 }), (error: unknown) => {
    return error instanceof CaptureError && error.code === "invalid_argument" && /block/.test(error.message);
  });
  assert.throws(() => Ring.open({ interfaceName: "a-name-longer-than-15", ...SMALL_RING }), CaptureError);
});

Deno.test("Ring.interrupt() wakes a waiting next() with interrupted", async () => {
  const ring = Ring.open({ interfaceName: "lo", filter: "udp port 9", ...SMALL_RING });
  try {
    const startMs = Date.now();
    const waiting = ring.next(5000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    ring.interrupt();
    assert.equal(await waiting, Status.interrupted);
    assert.ok(Date.now() - startMs < 2000);
  } finally {
    assert.equal(ring.close(), true);
  }
});

Deno.test("Ring.close() refuses while a block is held and succeeds after its release", async () => {
  const port = testPort();
  const ring = Ring.open({ interfaceName: "lo", filter: `udp dst port ${port}`, ...SMALL_RING });
  await sendUdp(port, ["held"]);
  const block = await ring.next(2000);
  assert.ok(block >= 0, `block ${block}`);
  assert.equal(ring.close(), false);
  assert.equal(ring.isOpen, true);
  ring.release(block);
  assert.equal(ring.close(), true);
  assert.throws(() => ring.tryNext(), (error: unknown) => error instanceof CaptureError && error.code === "closed");
});
