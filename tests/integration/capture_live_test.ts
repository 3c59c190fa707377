/**
 * `capture-agent capture` on a real veth pair between two namespaces: exact counts and bytes, the kernel
 * filter, the snap length and offloaded VLAN tags, all checked by reading the written file with tshark.
 */
import assert from "node:assert/strict";
import { exitCounts, startCapture, tsharkFrames } from "../helpers/agent.ts";
import { buildUdpFrame, sendFrames, sequencePayload, toHex } from "../helpers/frames.ts";
import { type VethPair, withVethPair } from "../helpers/netns.ts";

function frameTo(pair: VethPair, dstPort: number, sequence: number, payloadBytes = 32): Uint8Array {
  return buildUdpFrame({
    srcMac: pair.macA,
    dstMac: pair.macB,
    srcIp: pair.addrA,
    dstIp: pair.addrB,
    srcPort: 40000 + (sequence % 1000),
    dstPort,
    payload: sequencePayload(sequence, payloadBytes),
  });
}

async function tempFile(suffix: string): Promise<string> {
  return await Deno.makeTempFile({ prefix: "capture-test-", suffix });
}

Deno.test("capture -c K writes exactly the K frames sent, byte for byte, and nothing the filter excludes", async () => {
  const path = await tempFile(".pcap");
  try {
    await withVethPair(async (pair) => {
      const count = 40;
      const wanted = Array.from({ length: count }, (_, k) => frameTo(pair, 7777, k, 16 + k));
      // Frames to another port are interleaved: the filter must keep every one of them out.
      const excluded = Array.from({ length: count }, (_, k) => frameTo(pair, 8888, 1000 + k));
      const capture = await startCapture(pair.nsB, [
        "-i",
        pair.ifB,
        "-f",
        "udp dst port 7777",
        "-c",
        String(count),
        "-w",
        path,
      ]);
      const interleaved = wanted.flatMap((frame, k) => [excluded[k], frame]);
      assert.equal(await sendFrames(pair.nsA, pair.ifA, interleaved), 2 * count);
      const result = await capture.result();
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "", "-w is quiet");
      assert.equal(exitCounts(result.stderr).captured, count);
      const frames = await tsharkFrames(path, ["udp.dstport"]);
      assert.equal(frames.length, count);
      assert.deepEqual(frames.map((frame) => frame.hex), wanted.map(toHex));
      assert.ok(frames.every((frame) => frame.fields[0] === "7777"));
    });
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("capture -s 100 cuts frames to 100 bytes and keeps their original length", async () => {
  const path = await tempFile(".pcapng");
  try {
    await withVethPair(async (pair) => {
      const frames = [frameTo(pair, 7777, 1, 300), frameTo(pair, 7777, 2, 20)];
      const capture = await startCapture(pair.nsB, ["-i", pair.ifB, "-f", "udp", "-s", "100", "-c", "2", "-w", path]);
      await sendFrames(pair.nsA, pair.ifA, frames);
      const result = await capture.result();
      assert.equal(result.code, 0, result.stderr);
      const read = await tsharkFrames(path, ["frame.len", "frame.cap_len"]);
      assert.deepEqual(read.map((frame) => frame.fields.map(Number)), [
        [frames[0].length, 100],
        [frames[1].length, frames[1].length],
      ]);
      assert.equal(read[0].hex, toHex(frames[0].subarray(0, 100)));
    });
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("capture puts offloaded VLAN tags back into the written frames", async () => {
  const path = await tempFile(".pcap");
  try {
    await withVethPair(async (pair) => {
      const tagged = [1, 2, 3].map((k) => {
        const frame = frameTo(pair, 7777, k, 24);
        const out = new Uint8Array(frame.length + 4);
        out.set(frame.subarray(0, 12));
        out.set([0x81, 0x00, 0x20 | (100 >> 8), 100 & 0xff], 12); // Priority 1, VLAN 100.
        out.set(frame.subarray(12), 16);
        return out;
      });
      const capture = await startCapture(pair.nsB, ["-i", pair.ifB, "-f", "udp", "-c", "3", "-w", path]);
      // The receiving veth moves the tag out of the frame into tp_vlan_tci (see tests/helpers/netns.ts).
      await sendFrames(pair.nsA, pair.ifA, tagged);
      const result = await capture.result();
      assert.equal(result.code, 0, result.stderr);
      const read = await tsharkFrames(path, ["vlan.id", "vlan.priority", "udp.dstport"]);
      assert.deepEqual(read.map((frame) => frame.fields), Array(3).fill(["100", "1", "7777"]));
      assert.deepEqual(read.map((frame) => frame.hex), tagged.map(toHex));
    });
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("capture prints one summary line per packet, in text and in JSON", async () => {
  await withVethPair(async (pair) => {
    const frames = [frameTo(pair, 7777, 1), frameTo(pair, 7777, 2)];
    const text = await startCapture(pair.nsB, ["-i", pair.ifB, "-f", "udp", "-c", "2"]);
    await sendFrames(pair.nsA, pair.ifA, frames);
    const textResult = await text.result();
    assert.equal(textResult.code, 0, textResult.stderr);
    const lines = textResult.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[0], /IP 10\.77\.0\.1\.40001 > 10\.77\.0\.2\.7777: UDP, length 32$/);
    const json = await startCapture(pair.nsB, ["-i", pair.ifB, "-f", "udp", "-c", "2", "--format", "json"]);
    await sendFrames(pair.nsA, pair.ifA, frames);
    const jsonResult = await json.result();
    const records = jsonResult.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(records.map((r) => [r.src, r.dst, r.srcPort, r.dstPort, r.interface]), [
      [pair.addrA, pair.addrB, 40001, 7777, pair.ifB],
      [pair.addrA, pair.addrB, 40002, 7777, pair.ifB],
    ]);
  });
});
