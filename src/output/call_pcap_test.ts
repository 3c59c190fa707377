import assert from "node:assert/strict";
import { udpFrame } from "../pipeline/_test_frames.ts";
import { CallPcapOutput } from "./call_pcap.ts";

function packet(sec: number, port = 5060) {
  return { frame: udpFrame([10, 0, 0, 1], port, [10, 0, 0, 2], 5060, new Uint8Array(40)), timeSec: sec, timeNsec: 0 };
}

function pcapPackets(path: string): number {
  const bytes = Deno.readFileSync(path);
  const view = new DataView(bytes.buffer);
  let count = 0;
  for (let at = 24; at + 16 <= bytes.length; at += 16 + view.getUint32(at + 8, true)) count++;
  return count;
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "call-pcap-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("CallPcapOutput writes one file per call and closes it after the linger", () =>
  withDir(async (dir) => {
    const output = new CallPcapOutput({ dir, task: "t", template: "{task}-{call_id}", lingerMs: 2000 });
    output.callPacket("a@x", packet(100));
    output.callPacket("b/../@y", packet(100, 5062));
    output.callPacket("a@x", packet(101));
    output.callEnded("a@x", 101_000);
    output.callPacket("a@x", packet(102)); // 200 OK to BYE, inside the linger
    output.expire(103_500);
    assert.equal(output.openCalls, 1);
    await output.close();
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(names, ["t-a@x.pcap", "t-b_.._@y.pcap"]);
    assert.equal(pcapPackets(`${dir}/t-a@x.pcap`), 3);
    assert.equal(pcapPackets(`${dir}/t-b_.._@y.pcap`), 1);
    assert.equal(output.stats().sentRecords, 4);
  }));

Deno.test("CallPcapOutput evicts the least recently used call and never overwrites a file", () =>
  withDir(async (dir) => {
    const output = new CallPcapOutput({ dir, template: "{call_id}", callsOpenMax: 2, idleMs: 60_000 });
    output.callPacket("one", packet(1));
    output.callPacket("two", packet(2));
    output.callPacket("one", packet(3));
    output.callPacket("three", packet(4)); // evicts "two"
    output.callPacket("two", packet(5)); // evicts "one"; "two" gets a second file
    output.expire(200_000); // every call idle
    await output.close();
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(names, ["one.pcap", "three.pcap", "two-1.pcap", "two.pcap"]);
    assert.equal(pcapPackets(`${dir}/one.pcap`), 2);
    const stats = output.stats();
    assert.equal(stats.callsEvicted, 2);
    assert.equal(stats.callsIdle, 2);
    assert.equal(stats.sentRecords, 5);
  }));

Deno.test("CallPcapOutput refuses templates without {call_id}", () => {
  assert.throws(() => new CallPcapOutput({ dir: "/tmp", template: "calls" }), /must contain \{call_id\}/);
  assert.throws(() => new CallPcapOutput({ dir: "/tmp", callsOpenMax: 0 }), /callsOpenMax/);
});
