import assert from "node:assert/strict";
import { type BatcherOptions, LineBatcher, PermanentSendError, type QueuedLine } from "./batcher.ts";

function batcher(overrides: Partial<BatcherOptions>) {
  const batches: string[][] = [];
  const health: string[] = [];
  const lines = new LineBatcher({
    batchSize: 3,
    flushIntervalMs: 20,
    queueMax: 10,
    requestTimeoutMs: 200,
    backoffMinMs: 10,
    backoffMaxMs: 40,
    send: (batch: readonly QueuedLine[]) => {
      batches.push(batch.map((entry) => entry.line));
      return Promise.resolve();
    },
    onHealthChange: (healthy, reason) => health.push(healthy ? "up" : `down: ${reason}`),
    ...overrides,
  });
  return { lines, batches, health };
}

const line = (text: string): QueuedLine => ({ line: text, level: "info", timeMs: Date.now() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}

Deno.test("LineBatcher sends full batches at once and a partial batch after the flush interval", async () => {
  const { lines, batches } = batcher({});
  for (const text of ["a", "b", "c", "d"]) lines.push(line(text));
  await until(() => batches.length === 1);
  assert.deepEqual(batches, [["a", "b", "c"]]);
  await until(() => batches.length === 2);
  assert.deepEqual(batches[1], ["d"]);
  assert.deepEqual(lines.stats, { queued: 0, sent: 4, dropped: 0, failedRequests: 0 });
  await lines.close(100);
});

Deno.test("LineBatcher.push() never waits for a sink that never answers, and drops the oldest beyond queueMax", async () => {
  let attempts = 0;
  const { lines, health } = batcher({
    send: (_batch, signal) => {
      attempts++;
      return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("timed out"))));
    },
    requestTimeoutMs: 30,
  });
  const started = performance.now();
  for (let i = 0; i < 1000; i++) lines.push(line(`line ${i}`));
  assert.ok(performance.now() - started < 200, "push() must only queue");
  assert.equal(lines.stats.queued, 10);
  assert.equal(lines.stats.dropped, 990);
  await until(() => attempts >= 2);
  assert.equal(health[0], "down: timed out");
  await lines.close(50);
  assert.equal(lines.stats.queued, 0);
  assert.equal(lines.stats.dropped, 1000);
});

Deno.test("LineBatcher retries a failed batch with backoff and keeps line order", async () => {
  let failuresLeft = 2;
  const batches: string[][] = [];
  const { lines, health } = batcher({
    send: (batch) => {
      if (failuresLeft-- > 0) return Promise.reject(new Error("503"));
      batches.push(batch.map((entry) => entry.line));
      return Promise.resolve();
    },
  });
  for (const text of ["a", "b", "c", "d", "e"]) lines.push(line(text));
  await until(() => batches.length === 2);
  assert.deepEqual(batches, [["a", "b", "c"], ["d", "e"]]);
  assert.equal(lines.stats.failedRequests, 2);
  assert.deepEqual(health, ["down: 503", "up"]);
  await lines.close(100);
});

Deno.test("LineBatcher drops a batch the sink refuses for good", async () => {
  const { lines } = batcher({ send: () => Promise.reject(new PermanentSendError("HTTP 400 bad labels")) });
  for (const text of ["a", "b", "c"]) lines.push(line(text));
  await until(() => lines.stats.dropped === 3);
  assert.equal(lines.stats.failedRequests, 1);
  assert.equal(lines.stats.queued, 0);
  await lines.close(100);
});

Deno.test("LineBatcher.close() sends what is queued at once and counts lines pushed afterwards as dropped", async () => {
  const { lines, batches } = batcher({ flushIntervalMs: 60_000, batchSize: 2 });
  for (const text of ["a", "b", "c", "d", "e"]) lines.push(line(text));
  await lines.close(500);
  assert.deepEqual(batches.flat(), ["a", "b", "c", "d", "e"]);
  lines.push(line("late"));
  assert.equal(lines.stats.dropped, 1);
});
