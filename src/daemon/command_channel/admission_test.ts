import assert from "node:assert/strict";
import { type AdmissionPolicy, admit, targetMatches } from "./admission.ts";
import { type Envelope, parseEnvelope } from "./envelope.ts";
import { RecentIds } from "./recent_ids.ts";
import { signEnvelope } from "./signature.ts";

const NOW = Date.UTC(2026, 2, 1, 10, 0, 0);
const secret = new TextEncoder().encode("k");

function envelope(fields: Record<string, unknown>): Envelope {
  const parsed = parseEnvelope(new TextEncoder().encode(JSON.stringify({ command: "task_list", ...fields })));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.envelope;
}

function policy(withSecret = false): AdmissionPolicy {
  return {
    names: new Set(["node-1", "edge"]),
    ttlMs: 60_000,
    secret: withSecret ? secret : null,
    recent: new RecentIds(8),
  };
}

Deno.test("targetMatches() accepts empty, star, the host name and labels only", () => {
  const names = new Set(["node-1", "edge"]);
  for (const target of ["", "*", "node-1", "edge"]) assert.equal(targetMatches(target, names), true, target);
  for (const target of ["node-2", "NODE-1", "**"]) assert.equal(targetMatches(target, names), false, target);
});

Deno.test("admit() ignores other targets and commands outside the TTL window", () => {
  const p = policy();
  assert.deepEqual(admit(envelope({ target: "node-2" }), p, NOW).action, "ignore");
  const old = admit(envelope({ timestamp: new Date(NOW - 61_000).toISOString() }), p, NOW);
  assert.equal(old.action === "ignore" && old.counter, "expired");
  const future = admit(envelope({ timestamp: new Date(NOW + 61_000).toISOString() }), p, NOW);
  assert.equal(future.action === "ignore" && future.counter, "expired");
  assert.equal(admit(envelope({ timestamp: new Date(NOW - 59_000).toISOString() }), p, NOW).action, "run");
  assert.equal(admit(envelope({}), p, NOW).action, "run"); // No timestamp: accepted unsigned, as the reference does.
});

Deno.test("admit() runs a request id once and never records ids of refused commands", () => {
  const p = policy();
  assert.equal(admit(envelope({ request_id: "r1" }), p, NOW).action, "run");
  const again = admit(envelope({ request_id: "r1" }), p, NOW);
  assert.equal(again.action === "ignore" && again.counter, "duplicates");
  admit(envelope({ request_id: "r2", target: "node-2" }), p, NOW);
  assert.equal(admit(envelope({ request_id: "r2" }), p, NOW).action, "run");
  assert.equal(admit(envelope({}), p, NOW).action, "run");
  assert.equal(admit(envelope({}), p, NOW).action, "run"); // No request id: nothing to deduplicate on.
});

Deno.test("admit() with a secret rejects unsigned and forged commands and accepts signed ones", () => {
  const p = policy(true);
  const fields = { target: "edge", request_id: "r1", timestamp: new Date(NOW).toISOString() };
  const unsigned = admit(envelope(fields), p, NOW);
  assert.equal(unsigned.action, "reject");
  if (unsigned.action === "reject") {
    assert.equal(unsigned.counter, "rejected_signature");
    assert.equal(unsigned.error.code, "unauthenticated");
    assert.match(unsigned.error.message, /has no signature/);
  }
  const signature = signEnvelope({ command: "task_list", ...fields }, secret);
  const forged = admit(envelope({ ...fields, command: "daemon_shutdown", signature }), p, NOW);
  assert.equal(forged.action === "reject" && forged.counter, "rejected_signature");
  assert.equal(admit(envelope({ ...fields, signature }), p, NOW).action, "run");
  const replay = admit(envelope({ ...fields, signature }), p, NOW);
  assert.equal(replay.action === "ignore" && replay.counter, "duplicates");
  const bare = { target: "edge", command: "task_list" };
  const noTimestamp = admit(envelope({ ...bare, signature: signEnvelope(bare, secret) }), p, NOW);
  assert.equal(noTimestamp.action === "reject" && noTimestamp.error.code, "invalid_argument");
});
