import assert from "node:assert/strict";
import type { PacketBatch } from "../capture/batch.ts";
import { fakeParts, FakeSipSource, MemoryOutput } from "./_test_parts.ts";
import { TaskRun } from "./runtime.ts";

const sipRecords = (parts: ReturnType<typeof fakeParts>) => parts.memory.records.filter((r) => r.type === "sip");

Deno.test("TaskRun sends every SIP record to its outputs and completes when the source ends", async () => {
  const source = new FakeSipSource(3, 4);
  const parts = fakeParts(source);
  const run = new TaskRun(parts);
  const end = await run.done;
  assert.deepEqual(end, { kind: "completed", reason: "the source ended" });
  assert.equal(sipRecords(parts).length, 12);
  assert.equal(run.counters.packets[0], 12);
  assert.equal(run.counters.records.sip, 12);
  assert.equal(source.released, source.handedOut, "every batch goes back to the source");
  assert.ok(parts.memory.closed);
});

Deno.test("TaskRun completes at the packet limit without processing more packets", async () => {
  const parts = fakeParts(new FakeSipSource(-1, 4), { packets: 10 });
  const run = new TaskRun(parts);
  const end = await run.done;
  assert.deepEqual(end, { kind: "completed", reason: "packet limit 10 reached" });
  assert.equal(run.counters.packets[0], 10);
  assert.equal(sipRecords(parts).length, 10);
});

Deno.test("TaskRun skips packets beyond max_pps and counts them", async () => {
  const parts = fakeParts(new FakeSipSource(5, 4), { maxPps: 6 });
  const run = new TaskRun(parts);
  await run.done;
  assert.equal(run.counters.packets[0], 6);
  assert.equal(run.counters.rateLimited, 14);
});

Deno.test("TaskRun stops cleanly under endless load and closes its outputs", async () => {
  const source = new FakeSipSource(-1, 64);
  const parts = fakeParts(source);
  const run = new TaskRun(parts);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const end = await run.stop();
  assert.deepEqual(end, { kind: "stopped" });
  assert.ok(run.counters.packets[0]! > 0);
  assert.equal(source.released, source.handedOut);
  assert.equal(sipRecords(parts).length, run.counters.packets[0]);
  assert.ok(parts.memory.closed);
  assert.deepEqual(parts.warnings, []);
});

Deno.test("TaskRun fails with the source's error as the reason", async () => {
  const source = new FakeSipSource(-1);
  source.next = () => Promise.reject(new Error('Capture on "fake0" failed: network_down'));
  const end = await new TaskRun(fakeParts(source)).done;
  assert.deepEqual(end, { kind: "failed", reason: 'Capture on "fake0" failed: network_down' });
});

Deno.test("TaskRun counts a stage that throws and keeps capturing", async () => {
  const parts = fakeParts(new FakeSipSource(2));
  parts.stage.process = () => {
    throw new Error("bug");
  };
  const run = new TaskRun(parts);
  await run.done;
  assert.equal(run.counters.stageErrors, 2);
  assert.equal(run.counters.packets[0], 8);
  assert.match(parts.warnings[0]!, /bug/);
});

Deno.test("TaskRun hands packet batches to packet outputs and records only to record outputs", async () => {
  const parts = fakeParts(new FakeSipSource(3, 4));
  const packetCounts: number[] = [];
  const packetOutput = new MemoryOutput();
  Object.assign(packetOutput, { writePackets: (batch: PacketBatch) => packetCounts.push(batch.count) });
  const callOutput = new MemoryOutput();
  parts.outputs.push(
    { url: "pcap:x", output: packetOutput, feed: "packets", spooled: 0, dropped: 0 },
    { url: "pcap:y", output: callOutput, feed: "calls", spooled: 0, dropped: 0 },
  );
  await new TaskRun(parts).done;
  assert.deepEqual(packetCounts, [4, 4, 4]);
  assert.equal(packetOutput.records.length, 0);
  assert.equal(callOutput.records.length, 0);
  assert.equal(sipRecords(parts).length, 12);
  assert.ok(packetOutput.closed && callOutput.closed);
});
