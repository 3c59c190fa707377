/**
 * Kernel drops: a deliberately tiny ring (2 blocks × 4 KiB) under a burst must report drops, and every packet
 * the kernel counted is either captured or dropped.
 */
import assert from "node:assert/strict";
import { exitCounts, startCapture } from "../helpers/agent.ts";
import { buildUdpFrame, sendFrames, sequencePayload } from "../helpers/frames.ts";
import { withVethPair } from "../helpers/netns.ts";

Deno.test("a tiny ring under a burst reports kernel drops, and captured + dropped equals what was sent", async () => {
  await withVethPair(async (pair) => {
    const frames = Array.from({ length: 200 }, (_, k) =>
      buildUdpFrame({
        srcMac: pair.macA,
        dstMac: pair.macB,
        srcIp: pair.addrA,
        dstIp: pair.addrB,
        srcPort: 30000 + k,
        dstPort: 7777,
        payload: sequencePayload(k, 18),
      }));
    const summary = await Deno.makeTempFile({ prefix: "capture-drops-", suffix: ".jsonl" });
    try {
      const capture = await startCapture(pair.nsB, [
        ...["-i", pair.ifB, "-f", "udp dst port 7777", "-w", "/dev/null", "--summary", summary],
        ...["--block-bytes", "4096", "--block-count", "2"],
      ]);
      const sent = await sendFrames(pair.nsA, pair.ifA, frames, 50);
      // Longer than the ring's block-retire timeout, so every packet is in a retired block or dropped.
      await new Promise((resolve) => setTimeout(resolve, 500));
      capture.kill("SIGINT");
      const result = await capture.result();
      assert.equal(result.code, 0, result.stderr);
      const counts = exitCounts(result.stderr);
      assert.equal(sent, 10_000);
      assert.ok(counts.dropped > 0, `no drops: ${JSON.stringify(counts)}`);
      assert.equal(counts.received, sent, "the kernel saw every frame sent");
      assert.equal(counts.captured + counts.dropped, counts.received, JSON.stringify(counts));
      const lines = (await Deno.readTextFile(summary)).trim().split("\n").map((line) => JSON.parse(line));
      const last = lines.at(-1);
      assert.equal(last.final, true);
      assert.equal(last.packets, counts.captured);
      assert.equal(last.kernel_drops, counts.dropped);
      assert.equal(last.protocols.udp, counts.captured);
    } finally {
      await Deno.remove(summary);
    }
  });
});
