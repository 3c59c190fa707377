import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { startMetricsServer } from "./server.ts";

Deno.test("metrics server answers /metrics, /healthz and /readyz", async () => {
  let ready = false;
  const server = startMetricsServer(`127.0.0.1:${40000 + (Deno.pid % 20000)}`, new Registry(), () => ready);
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
    const notReady = await fetch(`${base}/readyz`);
    assert.equal(notReady.status, 503);
    await notReady.body?.cancel();
    ready = true;
    const isReady = await fetch(`${base}/readyz`);
    assert.equal(isReady.status, 200);
    await isReady.body?.cancel();
    const metrics = await fetch(`${base}/metrics`);
    assert.match(metrics.headers.get("content-type") ?? "", /text\/plain/);
    await metrics.text();
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("startMetricsServer() refuses a bad listen address", () => {
  assert.throws(() => startMetricsServer("nope", new Registry(), () => true), /daemon\.metrics\.listen/);
});
