import assert from "node:assert/strict";
import { CodecMap } from "./codec.ts";
import { createRtpHeader } from "./header.ts";
import { RtpStreamStats } from "./stream_stats.ts";

function feed(stats: RtpStreamStats, packets: [seq: number, timestamp: number, arrivalMs: number][]): void {
  const header = createRtpHeader();
  header.payloadType = 0;
  header.payloadBytes = 160;
  for (const [seq, timestamp, arrivalMs] of packets) {
    header.sequence = seq;
    header.timestamp = timestamp;
    stats.update(header, arrivalMs, 172);
  }
}

Deno.test("RtpStreamStats jitter follows RFC 3550 A.8 on a hand-computed example", () => {
  // PCMU, 20 ms packets (160 units). Transit changes |D|: 0, 5 ms (40 units), 3 ms (24 units).
  // J1 = 0; J2 = 0 + (40 - 0)/16 = 2.5; J3 = 2.5 + (24 - 2.5)/16 = 3.84375 units.
  const stats = new RtpStreamStats(7, new CodecMap());
  feed(stats, [[1, 0, 1000], [2, 160, 1020], [3, 320, 1045], [4, 480, 1062]]);
  const snapshot = stats.snapshot();
  assert.equal(snapshot.jitter, 3.84375);
  assert.equal(snapshot.jitterMs, 3.84375 / 8);
  assert.equal(snapshot.maxDeltaMs, 25);
  assert.equal(snapshot.maxJitterMs, 3.84375 / 8);
  assert.equal(snapshot.meanJitterMs, (0 + 2.5 + 3.84375) / 8 / 3);
  assert.equal(snapshot.codec, "PCMU");
  assert.equal(snapshot.packets, 4);
  assert.equal(snapshot.bytes, 4 * 172);
});

Deno.test("RtpStreamStats reports loss and lowers the MOS", () => {
  const clean = new RtpStreamStats(1);
  const lossy = new RtpStreamStats(2);
  const packets = (skip: number) =>
    Array.from({ length: 100 }, (_, i) => [i, i * 160, i * 20] as [number, number, number]).filter((p) =>
      skip === 0 || p[0] % skip !== 5
    );
  feed(clean, packets(0));
  feed(lossy, packets(10));
  assert.equal(lossy.snapshot().lost, 10);
  assert.equal(lossy.snapshot().lossRatio, 0.1);
  assert.ok(lossy.snapshot().mos < clean.snapshot().mos);
});
