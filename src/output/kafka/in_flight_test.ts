import assert from "node:assert/strict";
import { InFlightWindow } from "./in_flight.ts";
import { MessageBatch } from "./message_batch.ts";

/** A batch whose only message carries `seq` as its timestamp, so tests can tell batches apart. */
function batch(seq: number): MessageBatch {
  return MessageBatch.fromMessages([{
    topic: "t",
    key: null,
    value: new Uint8Array(0),
    headers: [],
    timestampMs: seq,
  }]);
}

/** A send the test settles by hand. */
function pending(): { sent: Promise<boolean>; settle: (ok: boolean) => void; fail: (error: Error) => void } {
  let settle!: (ok: boolean) => void;
  let fail!: (error: Error) => void;
  const sent = new Promise<boolean>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  return { sent, settle, fail };
}

const seqs = (batches: MessageBatch[]) => batches.map((messages) => messages.timestampMs(0));
const sentSeq = (outcome: { kind: string; batch?: MessageBatch | null }) =>
  outcome.kind === "sent" ? outcome.batch?.timestampMs(0) : outcome.kind;

Deno.test("InFlightWindow handles batches in send order even when later ones settle first", async () => {
  const window = new InFlightWindow(3);
  const sends = [pending(), pending(), pending()];
  sends.forEach((send, i) => window.add(batch(i), send.sent));
  assert.equal(window.full, true);
  assert.throws(() => window.add(batch(3), pending().sent), RangeError);
  sends[2].settle(true);
  sends[1].settle(true);
  let handled = false;
  const first = window.handleOldest().then((outcome) => (handled = true, outcome));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(handled, false, "the oldest has not settled: nothing is handled");
  sends[0].settle(true);
  assert.equal(sentSeq(await first), 0); // The acknowledged batch comes back, for reuse.
  assert.equal(sentSeq(await window.handleOldest()), 1);
  assert.equal(sentSeq(await window.handleOldest()), 2);
  assert.deepEqual(await window.handleOldest(), { kind: "sent", batch: null });
  assert.equal(window.size, 0);
});

Deno.test("InFlightWindow: the first of several failing spools it and every later failure, in order", async () => {
  const window = new InFlightWindow(5);
  const sends = [pending(), pending(), pending(), pending()];
  sends.forEach((send, i) => window.add(batch(i), send.sent));
  // Completion order 3, 1, 0, 2: batch 0 fails, 1 and 3 succeed, 2 fails (a rejected send counts as failed).
  sends[3].settle(true);
  sends[1].settle(true);
  sends[0].settle(false);
  const outcome = window.handleOldest();
  let settled = false;
  outcome.then(() => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(settled, false, "a failure waits for every batch in flight before deciding what to spool");
  sends[2].fail(new Error("broker down"));
  const result = await outcome;
  assert.equal(result.kind, "failed");
  assert.deepEqual(seqs(result.kind === "failed" ? result.batches : []), [0, 2]);
  assert.equal(window.size, 0);
});

Deno.test("InFlightWindow: a failed first batch alone spools only itself", async () => {
  const window = new InFlightWindow(2);
  window.add(batch(7), Promise.resolve(false));
  const result = await window.handleOldest();
  assert.deepEqual(result.kind === "failed" ? seqs(result.batches) : result, [7]);
});

Deno.test("InFlightWindow.abandon() returns what is not acknowledged, in order, and ignores late results", async () => {
  const window = new InFlightWindow(3);
  const sends = [pending(), pending(), pending()];
  sends.forEach((send, i) => window.add(batch(i), send.sent));
  sends[1].settle(true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  const waiting = window.handleOldest();
  assert.deepEqual(seqs(window.abandon()), [0, 2]);
  assert.equal(window.size, 0);
  sends[0].settle(false);
  sends[2].settle(true);
  assert.deepEqual(await waiting, { kind: "abandoned" });
});

Deno.test("InFlightWindow refuses a limit below 1", () => {
  assert.throws(() => new InFlightWindow(0), RangeError);
  assert.throws(() => new InFlightWindow(1.5), RangeError);
});
