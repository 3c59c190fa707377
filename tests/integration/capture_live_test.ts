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

Deno.test("capture -q --summary counts protocol classes and bytes in the library, with -c and after SIGINT", async () => {
  const summary = await tempFile(".jsonl");
  try {
    await withVethPair(async (pair) => {
      const udpFrames = Array.from({ length: 30 }, (_, k) => frameTo(pair, 7777, k, 20 + k));
      // Local experimental ether type: class "other".
      const other = Uint8Array.from([...new Uint8Array(12).fill(2), 0x88, 0xb5, ...new Uint8Array(46)]);
      const frames = udpFrames.flatMap((frame, k) => (k % 3 === 0 ? [frame, other] : [frame]));
      const filter = "udp dst port 7777 or ether proto 0x88b5";
      const limited = await startCapture(pair.nsB, [
        "-i",
        pair.ifB,
        "-f",
        filter,
        "-q",
        "-c",
        "25",
        "--summary",
        summary,
      ]);
      await sendFrames(pair.nsA, pair.ifA, frames);
      const limitedResult = await limited.result();
      assert.equal(limitedResult.code, 0, limitedResult.stderr);
      assert.equal(limitedResult.stdout, "");
      assert.equal(exitCounts(limitedResult.stderr).captured, 25);
      const first = JSON.parse((await Deno.readTextFile(summary)).trim().split("\n").at(-1)!);
      assert.equal(first.final, true);
      assert.equal(first.packets, 25);
      assert.equal(first.protocols.udp + first.protocols.other, 25);
      // Until stopped: every frame sent is counted once the last block is drained.
      await Deno.writeTextFile(summary, "");
      const stopped = await startCapture(pair.nsB, ["-i", pair.ifB, "-f", filter, "-q", "--summary", summary]);
      await sendFrames(pair.nsA, pair.ifA, frames);
      stopped.kill("SIGINT");
      const stoppedResult = await stopped.result();
      assert.equal(stoppedResult.code, 0, stoppedResult.stderr);
      assert.equal(exitCounts(stoppedResult.stderr).captured, frames.length);
      const last = JSON.parse((await Deno.readTextFile(summary)).trim().split("\n").at(-1)!);
      assert.equal(last.packets, frames.length);
      assert.deepEqual(last.protocols, { udp: 30, other: 10 });
      assert.equal(last.malformed, 0);
      assert.equal(last.bytes, frames.reduce((sum, frame) => sum + frame.length, 0));
    });
  } finally {
    await Deno.remove(summary);
  }
});
