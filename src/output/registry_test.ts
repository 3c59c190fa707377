import assert from "node:assert/strict";
import type { KafkaClient } from "./kafka/client.ts";
import { ConsoleOutput } from "./console.ts";
import { HepOutput } from "./hep/hep_output.ts";
import { JsonlOutput } from "./jsonl.ts";
import { isPacketOutput, PcapOutput } from "./pcap_output.ts";
import { createOutput } from "./registry.ts";
import { CallPcapOutput } from "./call_pcap.ts";

const context = { taskId: "t1", agentId: "a1", interfaces: ["eth0"] };

Deno.test("createOutput() builds each output type from plain options, snake_case included", async () => {
  const dir = await Deno.makeTempDir({ prefix: "registry-test-" });
  try {
    const outputs = [
      createOutput({ type: "console", format: "text" }, context),
      createOutput({ type: "hep", collectors: ["127.0.0.1:9060"], capture_id: 5 }, context),
      createOutput({ type: "pcap", dir, rotate_bytes: 1_000_000, format: "pcapng" }, context),
      createOutput({ type: "call_pcap", dir, lingerMs: 0 }, context),
      createOutput({ type: "jsonl", dir, files_max: 2 }, context),
    ];
    assert.ok(outputs[0] instanceof ConsoleOutput);
    assert.ok(outputs[1] instanceof HepOutput);
    assert.ok(outputs[2] instanceof PcapOutput && isPacketOutput(outputs[2]));
    assert.ok(outputs[3] instanceof CallPcapOutput);
    assert.ok(outputs[4] instanceof JsonlOutput);
    for (const output of outputs) await output.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createOutput() wraps Kafka in the otus-v1 envelope when asked", async () => {
  const sent: Uint8Array[] = [];
  const client: KafkaClient = {
    send: (batch) => (sent.push(...batch.messages().map((m) => m.value)), Promise.resolve()),
    close: () => Promise.resolve(),
  };
  const output = createOutput(
    { type: "kafka", brokers: ["127.0.0.1:9092"], topic_prefix: "otus", format: "otus-v1" },
    { ...context, createKafkaClient: () => client },
  );
  output.write([{ type: "sip", timestampMs: 1, value: { type: "sip", src_ip: "1.2.3.4", sip: { call_id: "x" } } }]);
  await output.flush();
  await output.close();
  assert.equal(sent.length, 1);
  const value = JSON.parse(new TextDecoder().decode(sent[0]));
  assert.equal(value.task_id, "t1");
  assert.equal(value.labels["sip.call_id"], "x");
});

Deno.test("createOutput() refuses unknown types and options with messages that name them", () => {
  assert.throws(() => createOutput({ type: "s3" }, context), /type "s3": use one of kafka, hep/);
  assert.throws(() => createOutput({ type: "pcap", dir: "/tmp", rotate_byte: 5 }, context), /option "rotate_byte"/);
  assert.throws(() => createOutput({ type: "hep", collectors: [] }, context), /Cannot create hep output: .*collectors/);
  assert.throws(() => createOutput({ type: "kafka", brokers: [] }, context), /without brokers/);
  assert.throws(() => createOutput({ type: "kafka", brokers: ["h:1"], format: "avro" }, context), /format "avro"/);
  assert.throws(() => createOutput({ type: "jsonl" }, context), /without dir/);
  assert.throws(() => createOutput({ type: "pcap", dir: "/tmp", files_max: -1 }, context), RangeError);
});
