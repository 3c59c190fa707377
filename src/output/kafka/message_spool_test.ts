import assert from "node:assert/strict";
import { MessageEncoder } from "./message.ts";
import { decodeMessage, encodeMessage } from "./message_spool.ts";

const encoder = new MessageEncoder({
  topicPrefix: "cap",
  keyStrategy: "record",
  keyField: "call_id",
  taskId: "task-1",
  agentId: "agent-7",
  messageBytesMax: 1000,
});

Deno.test("encodeMessage() and decodeMessage() round-trip; damaged bytes decode to null", () => {
  const message = encoder.next({ type: "call", key: "k", timestampMs: 1700000000999.5, value: { a: 1 } });
  assert.ok(message);
  const bytes = encodeMessage(message);
  assert.deepEqual(decodeMessage(bytes), message);
  const keyless = { ...message, key: null, headers: [] };
  assert.deepEqual(decodeMessage(encodeMessage(keyless)), keyless);
  assert.equal(decodeMessage(bytes.subarray(0, bytes.length - 1)), null);
  assert.equal(decodeMessage(new Uint8Array([2, 0, 0])), null);
});
