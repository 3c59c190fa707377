import assert from "node:assert/strict";
import { APPENDER_DEFAULTS } from "../../config/defaults.ts";
import { MemoryProducer } from "../command_channel/_test_targets.ts";
import { KafkaSink } from "./kafka.ts";

const appender = {
  ...APPENDER_DEFAULTS.kafka,
  brokers: ["127.0.0.1:1"],
  topic: "logs",
  batch_size: 2,
  flush_interval: 20,
};

Deno.test("KafkaSink produces each line to the topic keyed by host name and closes the producer on flush", async () => {
  const producer = new MemoryProducer();
  const sink = new KafkaSink(appender, "node-1", () => producer);
  sink.write('{"msg":"a"}', "info");
  sink.write('{"msg":"b"}', "warn");
  sink.write('{"msg":"c"}', "info");
  await sink.flush(1000);
  assert.deepEqual(producer.sent.map((message) => [message.topic, message.key, message.value.msg]), [
    ["logs", "node-1", "a"],
    ["logs", "node-1", "b"],
    ["logs", "node-1", "c"],
  ]);
  assert.equal(producer.closed, true);
  assert.equal(sink.stats.sent, 3);
});

Deno.test("KafkaSink keeps logging while the broker is down and counts what it could not deliver", async () => {
  const producer = new MemoryProducer();
  producer.failing = true;
  const sink = new KafkaSink({ ...appender, queue_max: 5 }, "node-1", () => producer);
  for (let i = 0; i < 20; i++) sink.write(`line ${i}`, "info");
  assert.equal(sink.stats.queued, 5);
  await sink.flush(200);
  assert.equal(sink.dropped, 20);
  assert.equal(producer.sent.length, 0);
});

Deno.test("KafkaSink against an unreachable broker returns from flush() within its bound", async () => {
  const sink = new KafkaSink({ ...appender, brokers: ["127.0.0.1:9"] }, "node-1");
  sink.write("lost", "info");
  const started = Date.now();
  await sink.flush(500);
  assert.ok(Date.now() - started < 3000, `flush took ${Date.now() - started} ms`);
  assert.equal(sink.dropped, 1);
});
