/**
 * PACKET_FANOUT through `capture-agent capture --fanout 2`: every packet is seen exactly once over the group,
 * and in hash mode both directions of a flow land on the same socket (`socket` in the JSON output).
 */
import assert from "node:assert/strict";
import { startCapture } from "../helpers/agent.ts";
import { buildUdpFrame, sendFrames, sequencePayload } from "../helpers/frames.ts";
import { inNs, runOk, spawnInNs, withVethPair } from "../helpers/netns.ts";

interface PacketRecord {
  src: string;
  srcPort: number;
  dstPort: number;
  socket: number;
}

function records(stdout: string): PacketRecord[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line));
}

Deno.test("capture --fanout 2 (lb) sees every packet exactly once across both sockets", async () => {
  await withVethPair(async (pair) => {
    const count = 400;
    const frames = Array.from({ length: count }, (_, k) =>
      buildUdpFrame({
        srcMac: pair.macA,
        dstMac: pair.macB,
        srcIp: pair.addrA,
        dstIp: pair.addrB,
        srcPort: 20000 + k,
        dstPort: 7777,
        payload: sequencePayload(k, 20),
      }));
    const args = ["-i", pair.ifB, "-f", "udp dst port 7777", "-c", String(count), "--format", "json"];
    const capture = await startCapture(pair.nsB, [...args, "--fanout", "2", "--fanout-mode", "lb"]);
    await sendFrames(pair.nsA, pair.ifA, frames);
    const result = await capture.result();
    assert.equal(result.code, 0, result.stderr);
    const seen = records(result.stdout);
    assert.equal(seen.length, count);
    assert.deepEqual(seen.map((r) => r.srcPort).sort((a, b) => a - b), frames.map((_, k) => 20000 + k));
    const perSocket = [0, 1].map((socket) => seen.filter((r) => r.socket === socket).length);
    assert.ok(perSocket[0] > count / 4 && perSocket[1] > count / 4, `lb split ${perSocket}`);
  });
});

const CLIENT_PORT_FIRST = 31000;

const ECHO_SERVER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 7777))
print("ready", flush=True)
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
`;

// Each client binds its own port: ephemeral ports may repeat across closed sockets, and two flows on one port
// would look like one flow of four packets.
const ECHO_CLIENTS = `
import socket, sys
flows = int(sys.argv[2])
for k in range(flows):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind(("0.0.0.0", ${CLIENT_PORT_FIRST} + k))
    c.settimeout(2)
    c.sendto(b"flow %d" % k, (sys.argv[1], 7777))
    c.recvfrom(2048)
    c.close()
print(flows)
`;

Deno.test("capture --fanout 2 (hash) keeps both directions of each flow on one socket", async () => {
  await withVethPair(async (pair) => {
    const flows = 16;
    const server = spawnInNs(pair.nsB, ["/usr/bin/python3", "-u", "-c", ECHO_SERVER]);
    try {
      const reader = server.stdout.getReader();
      const first = await reader.read();
      assert.match(new TextDecoder().decode(first.value), /ready/);
      reader.releaseLock();
      const capture = await startCapture(pair.nsB, [
        ...["-i", pair.ifB, "-f", "udp port 7777", "-c", String(2 * flows), "--format", "json"],
        ...["--fanout", "2", "--fanout-mode", "hash"],
      ]);
      await runOk(inNs(pair.nsA, ["/usr/bin/python3", "-c", ECHO_CLIENTS, pair.addrB, String(flows)]));
      const result = await capture.result();
      assert.equal(result.code, 0, result.stderr);
      const seen = records(result.stdout);
      assert.equal(seen.length, 2 * flows);
      const byFlow = new Map<number, PacketRecord[]>();
      for (const record of seen) {
        const clientPort = record.src === pair.addrA ? record.srcPort : record.dstPort;
        byFlow.set(clientPort, [...byFlow.get(clientPort) ?? [], record]);
      }
      assert.deepEqual(
        [...byFlow.keys()].sort((a, b) => a - b),
        Array.from({ length: flows }, (_, k) => CLIENT_PORT_FIRST + k),
      );
      for (const [port, packets] of byFlow) {
        assert.deepEqual(packets.map((p) => p.src).sort(), [pair.addrA, pair.addrB], `flow ${port}: both directions`);
        assert.equal(packets[0].socket, packets[1].socket, `flow ${port} split over sockets`);
      }
      // 16 flows all hashing to one socket would happen once in 32768 runs.
      assert.deepEqual([...new Set(seen.map((r) => r.socket))].sort(), [0, 1]);
    } finally {
      server.kill("SIGKILL");
      await server.status;
      await server.stdout.cancel().catch(() => {});
      await server.stderr.cancel().catch(() => {});
    }
  });
});
