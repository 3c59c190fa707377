import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { FixedHistogram } from "../output/kafka/histogram.ts";
import { pulledHistogram } from "./pulled_histogram.ts";

Deno.test("pulledHistogram() prints cumulative buckets, sum and count read at scrape time", async () => {
  const histogram = new FixedHistogram([0.01, 0.1]);
  const registry = new Registry();
  pulledHistogram<"output">(registry, {
    name: "test_latency_seconds",
    help: "Test latency",
    labelNames: ["output"],
    read: (set) => set({ output: "k" }, histogram.snapshot()),
  });
  histogram.observe(0.005, 2);
  histogram.observe(0.05);
  histogram.observe(3);
  const text = await registry.metrics();
  assert.match(text, /^# TYPE test_latency_seconds histogram$/m);
  assert.match(text, /^test_latency_seconds_bucket\{output="k",le="0.01"\} 2$/m);
  assert.match(text, /^test_latency_seconds_bucket\{output="k",le="0.1"\} 3$/m);
  assert.match(text, /^test_latency_seconds_bucket\{output="k",le="\+Inf"\} 4$/m);
  assert.match(text, /^test_latency_seconds_sum\{output="k"\} 3.06$/m);
  assert.match(text, /^test_latency_seconds_count\{output="k"\} 4$/m);
  histogram.observe(0.001);
  assert.match(await registry.metrics(), /^test_latency_seconds_count\{output="k"\} 5$/m, "read again at each scrape");
  const json = await registry.getMetricsAsJSON();
  assert.equal(json[0].type, "histogram");
});
