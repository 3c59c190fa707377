/**
 * Test helpers (not used by production code): UDP traffic on the loopback interface for the live capture tests.
 * @module
 */
import dgram from "node:dgram";

/** A UDP port unlikely to be used by a concurrent test run. */
export function testPort(): number {
  return 20000 + (Deno.pid * 13 + Math.floor(Math.random() * 5000)) % 20000;
}

/** Sends `count` 8-byte datagrams to 127.0.0.1:`port`, datagram k carrying k, from `sourcePorts` sockets in turn. */
export async function sendUdp(port: number, count: number, sourcePorts = 1): Promise<void> {
  const sockets = Array.from({ length: sourcePorts }, () => dgram.createSocket("udp4"));
  for (let k = 0; k < count; k++) {
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setUint32(0, k);
    await new Promise<void>((resolve, reject) =>
      sockets[k % sourcePorts].send(payload, port, "127.0.0.1", (error) => error ? reject(error) : resolve())
    );
  }
  for (const socket of sockets) socket.close();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
