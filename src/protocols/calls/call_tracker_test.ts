import assert from "node:assert/strict";
import { DOWN, sip, UP } from "./_sip_fixture.ts";
import { CallTracker } from "./call_tracker.ts";
import type { CallRecord } from "./types.ts";

function tracker(options = {}) {
  const records: CallRecord[] = [];
  return { records, calls: new CallTracker((record) => records.push(record), options) };
}

Deno.test("CallTracker records setup times, duration and who hung up for an answered call", () => {
  const { records, calls } = tracker();
  calls.update(sip("INVITE sip:bob@b SIP/2.0", "1 INVITE"), 1000, UP);
  calls.update(sip("SIP/2.0 100 Trying", "1 INVITE"), 1010, DOWN);
  calls.update(sip("SIP/2.0 180 Ringing", "1 INVITE", { toTag: "bob" }), 1200, DOWN);
  calls.update(sip("SIP/2.0 200 OK", "1 INVITE", { toTag: "bob" }), 3000, DOWN);
  calls.update(sip("ACK sip:bob@b SIP/2.0", "1 ACK", { toTag: "bob" }), 3050, UP);
  calls.update(sip("REGISTER sip:b SIP/2.0", "1 REGISTER", { callId: "reg" }), 4000, UP);
  // The callee hangs up: its BYE carries its own tag in From.
  calls.update(sip("BYE sip:alice@a SIP/2.0", "1 BYE", { fromTag: "bob", toTag: "alice" }), 63000, DOWN);
  assert.equal(records.length, 0);
  calls.update(sip("SIP/2.0 200 OK", "1 BYE", { fromTag: "bob", toTag: "alice" }), 63010, UP);
  assert.equal(records.length, 1);
  const call = records[0]!;
  assert.equal(call.ringingDelayMs, 200);
  assert.equal(call.answerDelayMs, 2000);
  assert.equal(call.ackDelayMs, 2050);
  assert.equal(call.durationMs, 60000);
  assert.equal(call.finalStatus, 200);
  assert.equal(call.endReason, "bye");
  assert.equal(call.hungUpBy, "callee");
  assert.equal(calls.stats.ignored, 1);
  assert.equal(calls.size, 0);
});

Deno.test("CallTracker ends cancelled and failed calls on the final response", () => {
  const { records, calls } = tracker();
  calls.update(sip("INVITE sip:bob@b SIP/2.0", "1 INVITE", { callId: "c" }), 0, UP);
  calls.update(sip("CANCEL sip:bob@b SIP/2.0", "1 CANCEL", { callId: "c" }), 500, UP);
  calls.update(sip("SIP/2.0 487 Request Terminated", "1 INVITE", { callId: "c", toTag: "b" }), 510, DOWN);
  calls.update(sip("INVITE sip:bob@b SIP/2.0", "1 INVITE", { callId: "f" }), 0, UP);
  calls.update(sip("SIP/2.0 407 Proxy Auth", "1 INVITE", { callId: "f", toTag: "p" }), 5, DOWN);
  calls.update(sip("INVITE sip:bob@b SIP/2.0", "2 INVITE", { callId: "f" }), 10, UP);
  calls.update(sip("SIP/2.0 486 Busy Here", "2 INVITE", { callId: "f", toTag: "b" }), 20, DOWN);
  assert.deepEqual(records.map((r) => [r.callId, r.endReason, r.finalStatus, r.hungUpBy]), [
    ["c", "cancelled", 487, "caller"],
    ["f", "failed", 486, undefined],
  ]);
});

Deno.test("CallTracker evicts the least active call at callsMax and times out idle calls", () => {
  const { records, calls } = tracker({ callsMax: 2, setupTimeoutMs: 1000 });
  for (const [i, id] of ["a", "b", "c"].entries()) {
    calls.update(sip("INVITE sip:bob@b SIP/2.0", "1 INVITE", { callId: id }), i, UP);
  }
  assert.equal(calls.stats.evicted, 1);
  assert.equal(records[0]!.callId, "a");
  assert.equal(records[0]!.endReason, "evicted");
  calls.expire(1001);
  assert.deepEqual(records.slice(1).map((r) => [r.callId, r.endReason]), [["b", "timeout"]]);
  calls.flush(5000);
  assert.equal(records.at(-1)!.endReason, "flushed");
  assert.equal(calls.size, 0);
});
