/**
 * KafkaOutput with several batches in flight (idempotent producer, `maxInFlight` 5) against a real broker, read back
 * by kcat: order per partition with nothing failing, and across a broker crash mid-pipeline nothing lost and no
 * record delivered for the first time before an earlier record of its partition (duplicates from replay allowed).
 */
import assert from "node:assert/strict";
import { Admin } from "@platformatic/kafka";
import { createKafkaClient, type KafkaClient } from "../src/output/kafka/client.ts";
import { KafkaOutput } from "../src/output/kafka/kafka_output.ts";
import type { OutputRecord } from "../src/output/output.ts";
import { runCommand } from "./helpers/command.ts";
import { KafkaTestBroker } from "./helpers/kafka_broker.ts";

const partitions = 3;

/** The real client, noting the most sends it had in flight at once. */
class CountingClient implements KafkaClient {
  inFlight = 0;
  inFlightMax = 0;
  constructor(readonly client: KafkaClient) {}
  async send(messages: Parameters<KafkaClient["send"]>[0]): Promise<void> {
    this.inFlight++;
    this.inFlightMax = Math.max(this.inFlightMax, this.inFlight);
    try {
      await this.client.send(messages);
    } finally {
      this.inFlight--;
    }
  }
  close(): Promise<void> {
    return this.client.close();
  }
}

function pipelinedOutput(broker: KafkaTestBroker, topic: string, spoolDir: string) {
  let counting: CountingClient | null = null;
  const out = new KafkaOutput({
    brokers: [broker.bootstrap],
    topic,
    taskId: "t",
    agentId: "a",
    idempotent: true,
    maxInFlight: 5,
    batchRecordsMax: 200,
    requestTimeoutMs: 3000,
    sendTimeoutMs: 8000,
    connectTimeoutMs: 1000,
    retryBackoffMinMs: 100,
    retryBackoffMaxMs: 1000,
    spool: { dir: spoolDir },
    createClient: (options) => counting = new CountingClient(createKafkaClient(options)),
  });
  return { out, client: counting! };
}

function seqRecords(from: number, count: number): OutputRecord[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    type: "sip",
    key: `call-${(from + i) % 7}`,
    timestampMs: now,
    value: { seq: from + i },
  }));
}

async function consume(broker: KafkaTestBroker, topic: string): Promise<{ partition: string; seq: number }[]> {
  const args = ["-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p|%s\\n"];
  const result = await runCommand("kcat", args);
  assert.equal(result.code, 0, `kcat -C failed: ${result.stderr}`);
  return result.stdout.split("\n").filter((line) => line !== "").map((line) => {
    const [partition, value] = line.split("|");
    return { partition, seq: JSON.parse(value).seq as number };
  });
}

/**
 * Asserts every seq 0..count-1 arrived, and that within each partition each record's first delivery comes after the
 * first deliveries of the partition's earlier records. Returns the duplicates.
 */
function assertOrderedFirstDeliveries(rows: { partition: string; seq: number }[], count: number): number {
  const seen = new Set<number>();
  const lastFirst = new Map<string, number>();
  for (const { partition, seq } of rows) {
    if (seen.has(seq)) continue;
    seen.add(seq);
    const last = lastFirst.get(partition) ?? -1;
    assert.ok(seq > last, `partition ${partition}: ${seq} first delivered after ${last}`);
    lastFirst.set(partition, seq);
  }
  assert.equal(seen.size, count, `${count - seen.size} records lost`);
  assert.ok([...seen].every((seq) => seq >= 0 && seq < count), "no records beyond those produced");
  assert.equal(lastFirst.size, partitions, "every partition used");
  return rows.length - count;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

Deno.test("KafkaOutput with 5 batches in flight keeps partition order, also across a broker crash", async (t) => {
  const runDir = await Deno.makeTempDir({ prefix: "kafka-pipeline-test-" });
  const broker = new KafkaTestBroker(runDir);
  try {
    await broker.up();
    const admin = new Admin({ clientId: "pipeline-test-admin", bootstrapBrokers: [broker.bootstrap] });
    await admin.createTopics({ topics: ["pipelined", "crash"], partitions, replicas: 1 });
    await admin.close();

    await t.step(
      "20,000 records in batches of 200: several in flight, order per partition, no duplicates",
      async () => {
        const { out, client } = pipelinedOutput(broker, "pipelined", `${runDir}/spool-pipelined`);
        for (let i = 0; i < 20_000; i += 1000) {
          out.write(seqRecords(i, 1000));
          await sleep(0);
        }
        await out.flush();
        await out.close();
        assert.ok(client.inFlightMax > 1, `at most ${client.inFlightMax} sends in flight`);
        const stats = out.stats();
        assert.deepEqual([stats.sentRecords, stats.failedBatches, stats.droppedRecords], [20_000, 0, 0]);
        assert.equal(assertOrderedFirstDeliveries(await consume(broker, "pipelined"), 20_000), 0);
      },
    );

    await t.step("a broker crash mid-pipeline loses nothing and reorders nothing", async () => {
      const { out, client } = pipelinedOutput(broker, "crash", `${runDir}/spool-crash`);
      let produced = 0;
      const producer = setInterval(() => {
        out.write(seqRecords(produced, 100));
        produced += 100;
      }, 5);
      try {
        await sleep(2000);
        const before = client.inFlightMax;
        await broker.down(0); // KILL: requests in flight get no answer.
        await sleep(4000);
        assert.equal(out.stats().spooling, 1);
        await broker.up();
        await sleep(2000);
        assert.ok(before > 1, `at most ${before} sends in flight before the crash`);
      } finally {
        clearInterval(producer);
      }
      await waitFor(() => out.stats().spooling === 0, 60_000, "the spool to drain");
      await out.flush();
      await out.close();
      const stats = out.stats();
      assert.deepEqual([stats.droppedRecords, stats.writtenRecords, stats.spoolPendingRecords], [0, produced, 0]);
      assert.ok(stats.failedBatches > 0, "the crash failed batches in flight");
      const duplicates = assertOrderedFirstDeliveries(await consume(broker, "crash"), produced);
      console.log(
        `crash: produced ${produced}, duplicates ${duplicates}, failed batches ${stats.failedBatches}, ` +
          `spooled ${stats.spooledRecords}, replayed ${stats.replayedRecords}, in flight max ${client.inFlightMax}`,
      );
    });
  } finally {
    await broker.down();
    await Deno.remove(runDir, { recursive: true });
  }
});
