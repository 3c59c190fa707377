/**
 * KafkaOutput against a real broker (tests/kafka/broker.sh on free loopback ports, fresh run dir under /tmp), with
 * kcat as the independent consumer: key, headers, timestamp, topic per type, cut values, compression codecs, SASL
 * and TLS, and no loss across a broker outage and across an output close/reopen during one.
 */
import assert from "node:assert/strict";
import { KafkaOutput } from "../src/output/kafka/kafka_output.ts";
import type { KafkaOutputOptions } from "../src/output/kafka/options.ts";
import type { OutputRecord } from "../src/output/output.ts";
import { runCommand } from "./helpers/command.ts";
import { KafkaTestBroker } from "./helpers/kafka_broker.ts";

/** The broker with its TLS and SASL listeners, and kcat reading it back. */
class Broker extends KafkaTestBroker {
  override up(): Promise<void> {
    return super.up("--tls", "--sasl");
  }
  /** Every message of `topic` from the beginning, formatted by kcat `-f`. */
  async consume(topic: string, format = "%s\\n", options: string[] = []): Promise<string[]> {
    const args = ["-b", this.bootstrap, ...options, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", format];
    const result = await runCommand("kcat", args);
    assert.equal(result.code, 0, `kcat -C failed: ${result.stderr}`);
    return result.stdout.split("\n").filter((line) => line !== "");
  }
}

function output(broker: Broker, extra: Partial<KafkaOutputOptions>): KafkaOutput {
  return new KafkaOutput({
    brokers: [broker.bootstrap],
    taskId: "task-9",
    agentId: "agent-3",
    requestTimeoutMs: 3000,
    sendTimeoutMs: 8000,
    connectTimeoutMs: 1000,
    retryBackoffMinMs: 100,
    retryBackoffMaxMs: 1000,
    ...extra,
  });
}

function seqRecords(from: number, count: number, type = "sip"): OutputRecord[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    type,
    key: `call-${(from + i) % 7}`,
    timestampMs: now,
    value: { seq: from + i, call_id: `call-${(from + i) % 7}` },
  }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asserts every sequence number 0..count-1 arrived; returns the duplicate count. */
function assertComplete(values: string[], count: number): number {
  const seen = new Map<number, number>();
  for (const value of values) {
    const seq = JSON.parse(value).seq as number;
    seen.set(seq, (seen.get(seq) ?? 0) + 1);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((seq) => !seen.has(seq));
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} records lost`);
  assert.equal(seen.size, count, "no records beyond those produced");
  return values.length - count;
}

Deno.test("KafkaOutput delivers to a real broker: metadata, codecs, auth, outage and reopen", async (t) => {
  const runDir = await Deno.makeTempDir({ prefix: "kafka-output-test-" });
  const broker = new Broker(runDir);
  try {
    await broker.up();

    await t.step("records reach the topic with key, headers and the capture timestamp", async () => {
      const out = output(broker, { topic: "fixed" });
      const records: OutputRecord[] = [
        { type: "sip", key: "abc@host", timestampMs: 1700000000123, value: { seq: 0 }, headers: { extra: "e" } },
        { type: "call", timestampMs: 1700000000456, value: new TextEncoder().encode("raw") },
      ];
      assert.deepEqual(out.write(records), { queued: 2, spooled: 0, dropped: 0 });
      await out.close();
      assert.equal(out.stats().sentRecords, 2);
      assert.deepEqual(await broker.consume("fixed", "%k|%T|%h|%s\\n"), [
        'abc@host|1700000000123|task=task-9,agent=agent-3,type=sip,key=abc@host,extra=e|{"seq":0}',
        "|1700000000456|task=task-9,agent=agent-3,type=call|raw",
      ]);
    });

    await t.step("topic per type, key from a field, and oversized values cut with a flag", async () => {
      const out = output(broker, { topicPrefix: "cap", keyStrategy: "field", messageBytesMax: 2000 });
      out.write([...seqRecords(0, 2, "sip"), ...seqRecords(2, 1, "call")]);
      out.write([{ type: "rtp", timestampMs: Date.now(), value: new Uint8Array(10_000).fill(0x41) }]);
      await out.close();
      assert.equal(out.stats().cutRecords, 1);
      assert.deepEqual(await broker.consume("cap-sip", "%k %s\\n"), [
        'call-0 {"seq":0,"call_id":"call-0"}',
        'call-1 {"seq":1,"call_id":"call-1"}',
      ]);
      assert.deepEqual(await broker.consume("cap-call", "%k\\n"), ["call-2"]);
      const [cut] = await broker.consume("cap-rtp", "%h|%S\\n");
      const [headers, size] = cut.split("|");
      assert.match(headers, /truncated=10000$/);
      assert.ok(Number(size) < 2000 && Number(size) > 1500, `cut value of ${size} bytes`);
    });

    await t.step("every compression codec produces messages kcat can read", async () => {
      for (const compression of ["none", "gzip", "snappy", "lz4", "zstd"] as const) {
        const out = output(broker, { topic: `codec-${compression}`, compression });
        out.write(seqRecords(0, 50));
        await out.close();
        assert.equal(out.stats().sentRecords, 50, `${compression}: ${JSON.stringify(out.stats())}`);
        assertComplete(await broker.consume(`codec-${compression}`), 50);
      }
    });

    await t.step("SASL PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and TLS listeners accept the output", async () => {
      const sasl = `127.0.0.1:${broker.port + 3}`;
      for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
        const out = output(broker, {
          brokers: [sasl],
          topic: "auth",
          sasl: { mechanism, username: "capture", password: "capture-secret" },
        });
        out.write(seqRecords(mechanism.length, 1));
        await out.close();
        assert.equal(out.stats().sentRecords, 1, mechanism);
      }
      const tls = output(broker, {
        brokers: [`127.0.0.1:${broker.port + 2}`],
        topic: "auth",
        tls: { caFile: `${runDir}/tls/ca.pem` },
      });
      tls.write(seqRecords(3, 1));
      await tls.close();
      assert.equal(tls.stats().sentRecords, 1, "TLS");
      const wrong = output(broker, {
        brokers: [sasl],
        topic: "auth",
        sasl: { mechanism: "SCRAM-SHA-256", username: "capture", password: "wrong" },
        closeTimeoutMs: 1000,
      });
      wrong.write(seqRecords(99, 1));
      await wrong.close();
      assert.deepEqual([wrong.stats().sentRecords, wrong.stats().droppedSendFailed], [0, 1]);
      assert.deepEqual((await broker.consume("auth")).map((v) => JSON.parse(v).seq).sort(), [13, 13, 3, 5]);
    });

    await t.step("no record is lost across a 10 s broker outage at 2000 records/s", async () => {
      const out = output(broker, { topic: "outage", idempotent: true, spool: { dir: `${runDir}/spool-outage` } });
      let produced = 0;
      const producer = setInterval(() => {
        out.write(seqRecords(produced, 20));
        produced += 20;
      }, 10);
      try {
        await sleep(3000);
        await broker.down();
        await sleep(10_000);
        const during = out.stats();
        assert.equal(during.spooling, 1);
        assert.ok(during.spoolPendingRecords > 5000, `spooled ${during.spoolPendingRecords} records while down`);
        assert.ok(during.oldestAgeMs > 5000, `oldest record ${during.oldestAgeMs} ms old`);
        await broker.up();
        await sleep(2000);
      } finally {
        clearInterval(producer);
      }
      await waitFor(() => out.stats().spooling === 0, 30_000, "the spool to drain");
      await out.close();
      const stats = out.stats();
      assert.deepEqual([stats.droppedRecords, stats.writtenRecords, stats.spoolPendingRecords], [0, produced, 0]);
      const duplicates = assertComplete(await broker.consume("outage"), produced);
      assert.ok(duplicates <= 2 * 1000, `${duplicates} duplicates`);
      console.log(
        `outage: produced ${produced}, duplicates ${duplicates}, spooled ${stats.spooledRecords}, ` +
          `replayed ${stats.replayedRecords}, failed batches ${stats.failedBatches}`,
      );
    });

    await t.step("records spooled by a closed output are replayed in order by the next instance", async () => {
      const spool = { dir: `${runDir}/spool-reopen` };
      await broker.down();
      const first = output(broker, { topic: "reopen", spool, closeTimeoutMs: 1000 });
      for (let i = 0; i < 10; i++) first.write(seqRecords(i * 100, 100));
      await first.close();
      assert.deepEqual([first.stats().spoolPendingRecords, first.stats().droppedRecords], [1000, 0]);
      await broker.up();
      const second = output(broker, { topic: "reopen", spool });
      second.write(seqRecords(1000, 500));
      await waitFor(() => second.stats().spooling === 0, 30_000, "the spool to drain");
      await second.close();
      assert.equal(second.stats().replayedRecords, 1500);
      const seqs = (await broker.consume("reopen")).map((value) => JSON.parse(value).seq);
      assert.deepEqual(seqs, Array.from({ length: 1500 }, (_, i) => i));
    });
  } finally {
    await broker.down();
    await Deno.remove(runDir, { recursive: true });
  }
});
