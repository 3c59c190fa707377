import assert from "node:assert/strict";
import dgram from "node:dgram";
import { BpfCounter } from "./bpf.ts";
import { CaptureError } from "./capture_error.ts";

Deno.test("BpfCounter counts loopback packets in both directions and detaches on close", async () => {
  const counter = BpfCounter.open("lo");
  try {
    const before = counter.read();
    const socket = dgram.createSocket("udp4");
    for (let k = 0; k < 10; k++) {
      await new Promise<void>((resolve, reject) =>
        socket.send(new Uint8Array(100), 9, "127.0.0.1", (error) => error ? reject(error) : resolve())
      );
    }
    socket.close();
    const after = counter.read();
    // Other loopback traffic may add to the counts, never subtract.
    assert.ok(after.egressPackets - before.egressPackets >= 10, JSON.stringify({ before, after }));
    assert.ok(after.ingressPackets - before.ingressPackets >= 10, JSON.stringify({ before, after }));
    assert.ok(after.egressBytes - before.egressBytes >= 10 * 128);
  } finally {
    counter.close();
  }
  assert.throws(() => counter.read(), (error: unknown) => error instanceof CaptureError && error.code === "closed");
  counter.close();
});

Deno.test("BpfCounter.open() names an unknown interface", () => {
  assert.throws(() => BpfCounter.open("nosuchif7"), (error: unknown) => {
    return error instanceof CaptureError && /nosuchif7/.test(error.message);
  });
});
