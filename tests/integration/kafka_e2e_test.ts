/**
 * Capture to Kafka end to end: a real broker (tests/kafka/broker.sh) and the built daemon in the receiver namespace
 * of a veth pair, a task with a `kafka://` output created through the CLI from a task file (per-output options and
 * the Call-ID key), sipp calls across the veth, and kcat reading the topic back. Then the broker stops, more calls
 * are captured and spooled (seen in metrics and task status), the broker returns, and kcat sees every record.
 * @module
 */
import assert from "node:assert/strict";
import { inNs, run, runOk, type VethPair, withVethPair } from "../helpers/netns.ts";
import { cli, type DaemonBed, sample, scrape, sippCalls, startDaemon, waitFor } from "./_daemon_bed.ts";

const BROKER_SCRIPT = new URL("../kafka/broker.sh", import.meta.url).pathname;
/** A fresh namespace has every port free, so the broker takes the default ones. */
const BROKER = "127.0.0.1:9092";
const TOPIC = "sip-records";
const TASK = "sip-kafka";

/** One message as `kcat -J` prints it. */
interface KcatMessage {
  ts: number;
  key: string | null;
  payload: string;
  headers?: string[];
}

interface Record_ {
  type: string;
  timestamp_ms: number;
  sip?: { call_id: string };
  call?: { call_id: string };
}

function broker(pair: VethPair, runDir: string, command: "up" | "down"): Promise<string> {
  const env = ["env", `KAFKA_RUN_DIR=${runDir}`, "KAFKA_PORT=9092", "KAFKA_STOP_TIMEOUT_S=10"];
  return runOk(inNs(pair.nsB, [...env, BROKER_SCRIPT, command]));
}

async function consume(pair: VethPair): Promise<KcatMessage[]> {
  const args = ["kcat", "-C", "-b", BROKER, "-t", TOPIC, "-o", "beginning", "-e", "-q", "-J", "-m", "10"];
  const result = await run(inNs(pair.nsB, args));
  if (result.code !== 0) return [];
  return result.stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as KcatMessage);
}

function callIdOf(record: Record_): string {
  return record.sip?.call_id ?? record.call?.call_id ?? "";
}

function writeTaskFile(bed: DaemonBed): string {
  const path = `${bed.dir}/task.yaml`;
  Deno.writeTextFileSync(
    path,
    [
      `name: ${TASK}`,
      `interfaces: [${bed.pair.ifB}]`,
      "protocols: [sip]",
      "record_options: { key: call_id }",
      "outputs:",
      `  - url: kafka://${BROKER}/${TOPIC}`,
      "    acks: all",
      "    compression: gzip",
      "    linger_ms: 20",
      "    connect_timeout_ms: 1000",
      "    request_timeout_ms: 2000",
      "    send_timeout_ms: 4000",
      "    retry_backoff_max_ms: 500",
      "",
    ].join("\n"),
  );
  return path;
}

/** Records produced so far, by type, as the daemon's metrics count them. */
async function producedByType(bed: DaemonBed): Promise<Record<string, number>> {
  const metrics = await scrape(bed);
  return {
    sip: sample(metrics, "capture_agent_pipeline_records_total", { task: TASK, type: "sip" }),
    call: sample(metrics, "capture_agent_pipeline_records_total", { task: TASK, type: "call" }),
  };
}

/** Waits until the topic holds `want` distinct records per type; returns the messages read last. */
async function awaitTopic(pair: VethPair, want: Record<string, number>, timeoutMs: number): Promise<KcatMessage[]> {
  let messages: KcatMessage[] = [];
  const distinct = (type: string) =>
    new Set(messages.filter((m) => (JSON.parse(m.payload) as Record_).type === type).map((m) => m.payload)).size;
  await waitFor(async () => {
    messages = await consume(pair);
    return Object.entries(want).every(([type, count]) => distinct(type) >= count);
  }, timeoutMs);
  const seen = Object.fromEntries(Object.keys(want).map((type) => [type, distinct(type)]));
  assert.deepEqual(seen, want, "distinct records in the topic, by type");
  return messages;
}

function checkMessages(messages: KcatMessage[], sentFromMs: number, sentToMs: number): Set<string> {
  const calls = new Set<string>();
  for (const message of messages) {
    const record = JSON.parse(message.payload) as Record_;
    const callId = callIdOf(record);
    assert.notEqual(callId, "", `record without Call-ID: ${message.payload}`);
    assert.equal(message.key, callId, "key = Call-ID (record_options.key: call_id)");
    assert.equal(message.ts, record.timestamp_ms, "Kafka timestamp = capture time");
    assert.ok(message.ts >= sentFromMs - 2000 && message.ts <= sentToMs + 2000, `capture time ${message.ts}`);
    const headers = message.headers ?? [];
    const header = (name: string) => headers[headers.indexOf(name) + 1];
    assert.equal(header("task"), TASK);
    assert.equal(header("agent"), "e2e-agent");
    assert.equal(header("type"), record.type);
    assert.equal(header("key"), callId);
    if (record.type === "call") calls.add(callId);
  }
  for (const message of messages) assert.ok(calls.has(callIdOf(JSON.parse(message.payload))), "SIP of a known call");
  return calls;
}

async function outage(bed: DaemonBed, runDir: string, before: Record<string, number>): Promise<void> {
  await broker(bed.pair, runDir, "down");
  await sippCalls(bed.pair, 1);
  const spooled = await waitFor(async () => {
    const metrics = await scrape(bed);
    return sample(metrics, "capture_agent_output_spooled_total", { task: TASK }) > 0 &&
      sample(metrics, "capture_agent_pipeline_records_total", { task: TASK, type: "call" }) > before.call!;
  }, 20_000);
  assert.ok(spooled, `no record spooled while the broker was down:\n${bed.stderr()}`);
  const metrics = await scrape(bed);
  assert.ok(sample(metrics, "capture_agent_spool_bytes", { task: TASK }) > 0, "spool bytes");
  const status = await cli(bed, ["task", "status", TASK, "--format", "json"]);
  assert.equal(status.code, 0, status.stderr);
  const outputs = (JSON.parse(status.stdout) as { stats: { outputs: { spooled?: string | number }[] } }).stats.outputs;
  assert.ok(Number(outputs[0]?.spooled ?? 0) > 0, `task status shows spooled records: ${status.stdout}`);
}

Deno.test("a kafka:// task delivers SIP and call records to a real broker, and spools then replays an outage", async () => {
  await withVethPair(async (pair) => {
    const dir = Deno.makeTempDirSync({ prefix: "kafka-e2e-" });
    const runDir = `${dir}/kafka`;
    let bed: DaemonBed | undefined;
    try {
      await broker(pair, runDir, "up");
      bed = await startDaemon(pair, dir);
      const taskFile = writeTaskFile(bed);
      Deno.writeTextFileSync(`${dir}/bad.yaml`, Deno.readTextFileSync(taskFile).replace("acks: all", "acks: 2"));
      const refused = await cli(bed, ["task", "create", "-f", `${dir}/bad.yaml`]);
      assert.equal(refused.code, 2, "a bad output option fails task create");
      assert.match(refused.stderr, /option "acks" is 2/);
      const created = await cli(bed, ["task", "create", "-f", taskFile]);
      assert.equal(created.code, 0, created.stderr);
      const startMs = Date.now();
      await sippCalls(pair, 2);
      const sentMs = Date.now();
      assert.ok(await waitFor(async () => (await producedByType(bed!)).call === 2, 10_000), "2 call records");
      const first = await producedByType(bed);
      assert.ok(first.sip! >= 10, `SIP records ${first.sip}`);
      const calls = checkMessages(await awaitTopic(pair, first, 20_000), startMs, sentMs);
      assert.equal(calls.size, 2);

      const outageMs = Date.now();
      await outage(bed, runDir, first);
      await broker(pair, runDir, "up");
      const all = await producedByType(bed);
      assert.equal(all.call, 3);
      const messages = await awaitTopic(pair, all, 30_000);
      assert.equal(checkMessages(messages, startMs, Date.now()).size, 3, "the outage's call arrived");
      assert.ok(messages.some((m) => m.ts >= outageMs), "records captured during the outage");
      const metrics = await scrape(bed);
      assert.ok(sample(metrics, "capture_agent_output_replayed_total", { task: TASK }) > 0, "replayed");
      assert.equal(sample(metrics, "capture_agent_output_failed_total", { task: TASK }), 0, "nothing dropped");
      const stopped = await bed.stop();
      bed = undefined;
      assert.equal(stopped.code, 0, stopped.stderr);
    } finally {
      await bed?.stop();
      await run(inNs(pair.nsB, ["env", `KAFKA_RUN_DIR=${runDir}`, "KAFKA_STOP_TIMEOUT_S=0", BROKER_SCRIPT, "down"]));
      Deno.removeSync(dir, { recursive: true });
    }
  });
});
