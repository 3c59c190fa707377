import assert from "node:assert/strict";
import { summarize, TAIL_QUEUE_MAX, TailHub } from "./tail.ts";

const record = (type: string, method: string) => ({ type, timestampMs: 1, value: { type, sip: {}, method } });

Deno.test("TailHub passes filtered records and ends on abort", async () => {
  const hub = new TailHub();
  const abort = new AbortController();
  const items = hub.subscribe({ types: ["sip"], contains: "INVITE" }, abort.signal);
  const first = items.next();
  assert.ok(hub.active);
  hub.publish([record("dns", "INVITE"), record("sip", "BYE"), record("sip", "INVITE")]);
  assert.equal((await first).value?.summary, "method=INVITE");
  abort.abort();
  assert.equal((await items.next()).done, true);
  assert.ok(!hub.active);
});

Deno.test("TailHub drops records beyond the queue bound for a slow client", async () => {
  const hub = new TailHub();
  const abort = new AbortController();
  const items = hub.subscribe({ types: [], contains: "" }, abort.signal);
  const first = items.next();
  hub.publish(Array.from({ length: TAIL_QUEUE_MAX + 10 }, () => record("sip", "OPTIONS")));
  await first;
  let received = 1;
  hub.closeAll();
  while (!(await items.next()).done) received++;
  assert.equal(received, TAIL_QUEUE_MAX);
});

Deno.test("summarize() falls back to JSON for records without known fields", () => {
  assert.equal(summarize({ type: "x", timestampMs: 0, value: { a: 1 } }), '{"a":1}');
});
