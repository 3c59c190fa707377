import assert from "node:assert/strict";
import { APPENDER_DEFAULTS } from "../../config/defaults.ts";
import type { LokiAppender } from "../../config/types.ts";
import { lokiPushBody, lokiPushUrl, LokiSink } from "./loki.ts";

interface Push {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
}

Deno.test("lokiPushUrl() appends the push path once", () => {
  assert.equal(lokiPushUrl("http://loki:3100"), "http://loki:3100/loki/api/v1/push");
  assert.equal(lokiPushUrl("http://loki:3100/"), "http://loki:3100/loki/api/v1/push");
  assert.equal(lokiPushUrl("https://x/loki/api/v1/push"), "https://x/loki/api/v1/push");
});

Deno.test("lokiPushBody() groups lines by level with ordered nanosecond timestamps", () => {
  const body = JSON.parse(lokiPushBody([
    { line: "one", level: "info", timeMs: 1_700_000_000_123 },
    { line: "two", level: "warn", timeMs: 1_700_000_000_123 },
    { line: "three", level: "info", timeMs: 1_700_000_000_123 },
    { line: "four", level: "info", timeMs: 1_700_000_000_124 },
  ], { job: "capture-agent" })) as Push;
  assert.deepEqual(body.streams, [
    {
      stream: { job: "capture-agent", level: "info" },
      values: [["1700000000123000000", "one"], ["1700000000123000002", "three"], ["1700000000124000000", "four"]],
    },
    { stream: { job: "capture-agent", level: "warn" }, values: [["1700000000123000001", "two"]] },
  ]);
});

Deno.test("LokiSink pushes batches with labels and the tenant header to a Loki-like server", async () => {
  const pushes: { tenant: string | null; body: Push }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    assert.equal(new URL(request.url).pathname, "/loki/api/v1/push");
    pushes.push({ tenant: request.headers.get("x-scope-orgid"), body: await request.json() });
    return new Response(null, { status: 204 });
  });
  const appender: LokiAppender = {
    ...APPENDER_DEFAULTS.loki,
    url: `http://127.0.0.1:${server.addr.port}`,
    tenant_id: "team-a",
    batch_size: 2,
    flush_interval: 50,
  };
  const sink = new LokiSink(appender, "node-1");
  try {
    sink.write('{"msg":"a"}', "info");
    sink.write('{"msg":"b"}', "error");
    sink.write('{"msg":"c"}', "info");
    await sink.flush(2000);
  } finally {
    await server.shutdown();
  }
  assert.deepEqual(pushes.map((push) => push.tenant), ["team-a", "team-a"]);
  const streams = pushes.flatMap((push) => push.body.streams);
  assert.deepEqual(streams.map((stream) => stream.stream), [
    { host: "node-1", job: "capture-agent", level: "info" },
    { host: "node-1", job: "capture-agent", level: "error" },
    { host: "node-1", job: "capture-agent", level: "info" },
  ]);
  assert.deepEqual(streams.flatMap((stream) => stream.values.map((value) => value[1])), [
    '{"msg":"a"}',
    '{"msg":"b"}',
    '{"msg":"c"}',
  ]);
  assert.deepEqual(sink.stats, { queued: 0, sent: 3, dropped: 0, failedRequests: 0 });
});

Deno.test("LokiSink drops a batch Loki refuses with 400 and retries one it answers 500", async () => {
  let calls = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    await request.text();
    calls++;
    return calls <= 2 ? new Response("nope", { status: calls === 1 ? 400 : 500 }) : new Response(null, { status: 204 });
  });
  const sink = new LokiSink({
    ...APPENDER_DEFAULTS.loki,
    url: `http://127.0.0.1:${server.addr.port}`,
    batch_size: 1,
    flush_interval: 10,
  }, "node-1");
  try {
    sink.write("refused", "info");
    sink.write("retried", "info");
    const deadline = Date.now() + 5000;
    while (sink.stats.sent < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await sink.flush(1000);
  } finally {
    await server.shutdown();
  }
  assert.equal(calls, 3);
  assert.deepEqual(sink.stats, { queued: 0, sent: 1, dropped: 1, failedRequests: 2 });
  assert.equal(sink.dropped, 1);
});
