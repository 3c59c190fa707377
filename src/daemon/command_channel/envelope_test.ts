import assert from "node:assert/strict";
import { makeReply, parseEnvelope, parseRfc3339Ms } from "./envelope.ts";

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

Deno.test("parseEnvelope() reads the reference agent's envelope", () => {
  const parsed = parseEnvelope(bytes({
    version: "v1",
    target: "node-1",
    command: "task_status",
    timestamp: "2026-03-01T10:00:00.123456789+01:00",
    request_id: "r-1",
    payload: { task_id: "sip" },
  }));
  assert.ok(parsed.ok);
  assert.equal(parsed.envelope.target, "node-1");
  assert.equal(parsed.envelope.command, "task_status");
  assert.equal(parsed.envelope.timestampMs, Date.UTC(2026, 2, 1, 9, 0, 0, 123));
  assert.equal(parsed.envelope.requestId, "r-1");
  assert.deepEqual(parsed.envelope.payload, { task_id: "sip" });
  assert.equal(parsed.envelope.signature, "");
});

Deno.test("parseEnvelope() fills absent optional fields like the reference agent", () => {
  const parsed = parseEnvelope(bytes({ command: "task_list", payload: null }));
  assert.ok(parsed.ok);
  assert.equal(parsed.envelope.version, "v1");
  assert.equal(parsed.envelope.target, "");
  assert.equal(parsed.envelope.timestampMs, null);
  assert.equal(parsed.envelope.requestId, "");
  assert.deepEqual(parsed.envelope.payload, {});
});

Deno.test("parseEnvelope() gives a reason for every kind of malformed message", () => {
  const cases: [unknown, RegExp][] = [
    ["{not json", /not UTF-8 JSON/],
    [[1, 2], /not a JSON object/],
    [{ command: 5 }, /"command" is not a string/],
    [{ command: "" }, /no valid command/],
    [{ command: "task_list", version: "v2" }, /version "v2"/],
    [{ command: "task_list", timestamp: "yesterday" }, /not RFC 3339/],
    [{ command: "task_list", timestamp: "2026-03-01 10:00:00" }, /not RFC 3339/],
    [{ command: "task_list", payload: [1] }, /payload is not a JSON object/],
    [{ command: "task_list", request_id: "x".repeat(300) }, /too long/],
  ];
  for (const [value, reason] of cases) {
    const parsed = parseEnvelope(bytes(value));
    assert.equal(parsed.ok, false, JSON.stringify(value));
    if (!parsed.ok) assert.match(parsed.reason, reason);
  }
  const invalidUtf8 = parseEnvelope(new Uint8Array([0x7b, 0xff, 0x7d]));
  assert.equal(invalidUtf8.ok, false);
});

Deno.test("parseRfc3339Ms() accepts RFC 3339 forms only", () => {
  assert.equal(parseRfc3339Ms("2026-03-01T10:00:00Z"), Date.UTC(2026, 2, 1, 10));
  assert.equal(parseRfc3339Ms("2026-03-01t10:00:00-02:00"), Date.UTC(2026, 2, 1, 12));
  assert.ok(Number.isNaN(parseRfc3339Ms("March 1, 2026")));
  assert.ok(Number.isNaN(parseRfc3339Ms("2026-03-01T10:00:00")));
});

Deno.test("makeReply() echoes the command and request id with a result or an error", () => {
  const envelope = { command: "task_list", requestId: "r-9" };
  const now = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  assert.deepEqual(makeReply("node-1", envelope, { result: { count: 0 } }, now), {
    version: "v1",
    source: "node-1",
    command: "task_list",
    request_id: "r-9",
    timestamp: "2026-01-02T03:04:05.006Z",
    result: { count: 0 },
  });
  const failed = makeReply("node-1", envelope, { error: { code: "not_found", message: "no" } }, now);
  assert.deepEqual(failed.error, { code: "not_found", message: "no" });
  assert.equal("result" in failed, false);
});
