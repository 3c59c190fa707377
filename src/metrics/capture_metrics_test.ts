import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { finishedTaskSource } from "./_test_source.ts";
import { registerCaptureMetrics } from "./capture_metrics.ts";

Deno.test("registerCaptureMetrics() labels kernel drops and freezes with the interface they happened on", async () => {
  const { source, run } = await finishedTaskSource();
  Object.assign(run.source, { kernelStatsByInterface: () => [{ kernelPackets: 9, kernelDrops: 3, kernelFreezes: 1 }] });
  const registry = new Registry();
  registerCaptureMetrics(registry, source);
  const text = await registry.metrics();
  assert.match(text, /^capture_agent_capture_bytes_total\{task="sip",interface="fake0"\} [1-9]\d*$/m);
  assert.match(text, /^capture_agent_capture_kernel_drops_total\{task="sip",interface="fake0"\} 3$/m);
  assert.match(text, /^capture_agent_capture_kernel_freezes_total\{task="sip",interface="fake0"\} 1$/m);
  assert.match(text, /^capture_agent_capture_rate_limited_total\{task="sip"\} 0$/m);
  assert.match(text, /^capture_agent_capture_read_errors_total\{task="sip"\} 0$/m);
});
