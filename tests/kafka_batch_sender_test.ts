/**
 * The client's own record batches (src/output/kafka/batch_sender.ts, record_batch.ts) against a real broker, read
 * back by kcat: partitions chosen as @platformatic/kafka's `Producer` chooses them (same key, same partition), the
 * idempotent producer's sequences across batches and partitions, acks 0, and every codec with several partitions.
 */
import { MessageBatch } from "../src/output/kafka/message_batch.ts";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { tracingChannel } from "node:diagnostics_channel";
import { Admin, Producer } from "@platformatic/kafka";
import { createKafkaClient, type KafkaClient, type KafkaClientOptions } from "../src/output/kafka/client.ts";
import type { KafkaMessage } from "../src/output/kafka/client.ts";
import { runCommand } from "./helpers/command.ts";
import { KafkaTestBroker } from "./helpers/kafka_broker.ts";

const encoder = new TextEncoder();
const partitions = 3;

function client(broker: KafkaTestBroker, extra: Partial<KafkaClientOptions> = {}): KafkaClient {
  return createKafkaClient({
    clientId: "batch-sender-test",
    brokers: [broker.bootstrap],
    acks: 1,
    idempotent: false,
    compression: "none",
    requestTimeoutMs: 5000,
    connectTimeoutMs: 2000,
    retries: 3,
    ...extra,
  });
}

function messages(topic: string, from: number, count: number): KafkaMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    key: (from + i) % 5 === 4 ? null : encoder.encode(`call-${(from + i) % 11}`),
    value: encoder.encode(JSON.stringify({ seq: from + i })),
    headers: [["task", encoder.encode("t1")], ["seq", encoder.encode(String(from + i))]],
    timestampMs: 1_700_000_000_000 + from + i,
  }));
}

/**
 * Counts Produce requests written and not yet answered, from the library's diagnostics channel (`start` when a request
 * is written to its connection, `asyncStart` when its response arrives): `most` is the peak.
 */
function produceRequestsOnTheWire(): { readonly most: number; stop(): void } {
  const channel = tracingChannel<string, { apiKey?: number }>("plt:kafka:connections:api");
  let now = 0;
  let most = 0;
  const produce = (context: { apiKey?: number }) => context.apiKey === 0;
  const handlers = {
    start(context: { apiKey?: number }) {
      if (produce(context)) most = Math.max(most, ++now);
    },
    asyncStart(context: { apiKey?: number }) {
      if (produce(context)) now--;
    },
    end() {},
    asyncEnd() {},
    error() {},
  };
  channel.subscribe(handlers);
  return {
    get most() {
      return most;
    },
    stop: () => channel.unsubscribe(handlers),
  };
}

/** kcat's view of `topic`: one line per message, `partition|key|timestamp|headers|value`. */
async function consume(broker: KafkaTestBroker, topic: string): Promise<string[][]> {
  const args = ["-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p|%k|%T|%h|%s\\n"];
  const result = await runCommand("kcat", args);
  assert.equal(result.code, 0, `kcat -C failed: ${result.stderr}`);
  return result.stdout.split("\n").filter((line) => line !== "").map((line) => line.split("|"));
}

/** Asserts every seq 0..count-1 arrived exactly once, in order within each partition; returns key -> partition. */
function assertDelivered(rows: string[][], count: number): Map<string, string> {
  const seqs = rows.map((row) => JSON.parse(row[4]).seq as number);
  assert.deepEqual([...seqs].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i));
  const lastByPartition = new Map<string, number>();
  const keyPartition = new Map<string, string>();
  rows.forEach(([partition, key, timestamp, headers], i) => {
    assert.ok(seqs[i] > (lastByPartition.get(partition) ?? -1), `order in partition ${partition}`);
    lastByPartition.set(partition, seqs[i]);
    assert.equal(Number(timestamp), 1_700_000_000_000 + seqs[i]);
    assert.equal(headers, `task=t1,seq=${seqs[i]}`);
    if (key === "") return;
    assert.equal(keyPartition.get(key) ?? partition, partition, `key ${key} on one partition`);
    keyPartition.set(key, partition);
  });
  return keyPartition;
}

Deno.test("the client's record batches reach a real broker: partitions, idempotence, acks 0, codecs", async (t) => {
  const runDir = await Deno.makeTempDir({ prefix: "kafka-batch-sender-test-" });
  const broker = new KafkaTestBroker(runDir);
  try {
    await broker.up();
    const admin = new Admin({ clientId: "batch-sender-test-admin", bootstrapBrokers: [broker.bootstrap] });
    const topics = ["keyed", "reference", "idem", "pipelined", "acks0", "gzip", "snappy", "lz4", "zstd"];
    await admin.createTopics({ topics, partitions, replicas: 1 });
    await admin.close();

    await t.step("keys land on the partitions the library's Producer picks; unkeyed spread over all", async () => {
      // Idempotent: right after the topics are made the broker may still answer NOT_LEADER_OR_FOLLOWER for some of
      // their partitions, and the retry resends the whole request; without idempotence the partitions that had been
      // taken would hold duplicates.
      const sender = client(broker, { idempotent: true, acks: "all" });
      await sender.send(MessageBatch.fromMessages(messages("keyed", 0, 300)));
      await sender.send(MessageBatch.fromMessages([]));
      await sender.close();
      const reference = new Producer({ clientId: "reference", bootstrapBrokers: [broker.bootstrap] });
      await reference.send({
        messages: messages("reference", 0, 300).map((m) => ({
          topic: m.topic,
          key: m.key === null ? undefined : Buffer.from(m.key),
          value: Buffer.from(m.value),
          headers: new Map(m.headers.map(([name, value]) => [Buffer.from(name), Buffer.from(value)])),
          timestamp: BigInt(m.timestampMs),
        })),
      });
      await reference.close();
      const ours = await consume(broker, "keyed");
      const keyed = assertDelivered(ours, 300);
      assert.deepEqual(keyed, assertDelivered(await consume(broker, "reference"), 300));
      const unkeyed = new Set(ours.filter((row) => row[1] === "").map((row) => row[0]));
      assert.equal(unkeyed.size, partitions);
    });

    await t.step("the idempotent producer keeps per-partition sequences across batches", async () => {
      const sender = client(broker, { idempotent: true, acks: "all" });
      for (let batch = 0; batch < 5; batch++) {
        await sender.send(MessageBatch.fromMessages(messages("idem", batch * 400, 400)));
      }
      await sender.close();
      assertDelivered(await consume(broker, "idem"), 2000);
    });

    await t.step("idempotent sends in flight together are on the wire together, and keep their order", async () => {
      const wire = produceRequestsOnTheWire();
      try {
        const sender = client(broker, { idempotent: true, acks: "all", maxInFlight: 5 });
        const sends = [];
        for (let batch = 0; batch < 5; batch++) {
          sends.push(sender.send(MessageBatch.fromMessages(messages("pipelined", batch * 400, 400))));
        }
        await Promise.all(sends);
        await sender.close();
      } finally {
        wire.stop();
      }
      // @platformatic/kafka's own idempotent Producer allows one request per connection: this was 1.
      assert.ok(wire.most >= 2, `most Produce requests on the wire at once: ${wire.most}`);
      assertDelivered(await consume(broker, "pipelined"), 2000);
    });

    await t.step("acks 0 sends without waiting for the broker", async () => {
      const sender = client(broker, { acks: 0 });
      await sender.send(MessageBatch.fromMessages(messages("acks0", 0, 100)));
      await new Promise((resolve) => setTimeout(resolve, 500)); // Nothing to wait on: no response comes.
      await sender.close();
      assertDelivered(await consume(broker, "acks0"), 100);
    });

    for (const codec of ["gzip", "snappy", "lz4", "zstd"] as const) {
      await t.step(`${codec} batches over several partitions`, async () => {
        const sender = client(broker, { compression: codec });
        await sender.send(MessageBatch.fromMessages(messages(codec, 0, 250)));
        await sender.send(MessageBatch.fromMessages(messages(codec, 250, 250)));
        await sender.close();
        assertDelivered(await consume(broker, codec), 500);
      });
    }
  } finally {
    await broker.down();
    await Deno.remove(runDir, { recursive: true });
  }
});
