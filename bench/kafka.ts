/**
 * Kafka producer benchmark against the real test broker (tests/kafka/broker.sh, free ports, temp run dir):
 *
 * 1. kcat -P producing the same JSON lines from a file (librdkafka: the practical limit);
 * 2. the @platformatic/kafka client wrapper (src/output/kafka/client.ts), sequential batches of 1000;
 * 3. KafkaOutput end to end (write -> queue -> batches -> ack), as fast as it accepts;
 * 4. KafkaOutput at a fixed 10k records/s for 5 s: p50/p99 capture-to-ack latency;
 * 5. kafkajs 2.2.4, sequential batches of 1000 (only with --kafkajs; it needs
 *    `deno run -A --node-modules-dir=none bench/kafka.ts --kafkajs` so Deno fetches it from npm).
 *
 * Synthetic records, for comparing clients; `make bench-output` (bench/output.ts) is the issue #5 benchmark with
 * pipeline records, one core and the latency histogram.
 *
 * Usage: deno run -A bench/kafka.ts [--records N] [--kafkajs]. Prints one line per run.
 */
import { MessageBatch } from "../src/output/kafka/message_batch.ts";
import { latencyRecordingClient } from "./_latency_client.ts";
import { createKafkaClient, type KafkaMessage } from "../src/output/kafka/client.ts";
import { KafkaOutput } from "../src/output/kafka/kafka_output.ts";
import type { OutputRecord } from "../src/output/output.ts";

const brokerScript = new URL("../tests/kafka/broker.sh", import.meta.url).pathname;
const args = Deno.args;
const recordsTotal = Number(args[args.indexOf("--records") + 1] || 0) || 100_000;
const encoder = new TextEncoder();

function sipValue(i: number) {
  return {
    type: "sip",
    call_id: `${i % 500}-a84b4c76e66710@pc33.example.com`,
    method: i % 3 === 0 ? "INVITE" : "200",
    src_ip: "192.0.2.10",
    src_port: 5060,
    dst_ip: "198.51.100.20",
    dst_port: 5060,
    cseq: `${i} INVITE`,
    from: '"Alice" <sip:alice@atlanta.example.com>;tag=1928301774',
    to: "<sip:bob@biloxi.example.com>",
    user_agent: "capture-agent-bench/1.0",
    seq: i,
  };
}

async function run(command: string, argv: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(command, { args: argv, env, stdout: "piped", stderr: "piped" }).output();
  if (out.code !== 0) throw new Error(`${command} failed: ${new TextDecoder().decode(out.stderr)}`);
}

function report(name: string, records: number, ms: number, extra = ""): void {
  console.log(
    `${name.padEnd(34)} ${String(records).padStart(8)} records ${ms.toFixed(0).padStart(6)} ms ` +
      `${Math.round(records / (ms / 1000)).toString().padStart(8)} records/s ${extra}`,
  );
}

async function benchKcat(bootstrap: string, lines: string[]): Promise<void> {
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
  const start = performance.now();
  await run("kcat", ["-b", bootstrap, "-P", "-t", "bench-kcat", "-X", "linger.ms=5", "-X", "acks=1", "-l", file]);
  report("kcat -P (librdkafka 2.0.2)", lines.length, performance.now() - start);
  await Deno.remove(file);
}

async function benchClient(bootstrap: string, lines: string[]): Promise<void> {
  const client = createKafkaClient({
    clientId: "bench",
    brokers: [bootstrap],
    acks: 1,
    idempotent: false,
    compression: "none",
    requestTimeoutMs: 10_000,
    connectTimeoutMs: 3000,
    retries: 1,
  });
  const messages: KafkaMessage[] = lines.map((line) => ({
    topic: "bench-client",
    key: null,
    value: encoder.encode(line),
    headers: [],
    timestampMs: Date.now(),
  }));
  await client.send(MessageBatch.fromMessages(messages.slice(0, 1))); // Topic creation and metadata outside the timing.
  const start = performance.now();
  for (let i = 0; i < messages.length; i += 1000) {
    await client.send(MessageBatch.fromMessages(messages.slice(i, i + 1000)));
  }
  report("@platformatic/kafka client", messages.length, performance.now() - start);
  await client.close();
}

async function benchOutput(bootstrap: string, records: OutputRecord[]): Promise<void> {
  const out = new KafkaOutput({
    brokers: [bootstrap],
    topic: "bench-output",
    taskId: "bench",
    agentId: "bench",
    queueRecordsMax: records.length,
    queueBytesMax: 1 << 30,
  });
  out.write(records.slice(0, 1));
  await out.flush();
  const start = performance.now();
  for (let i = 1; i < records.length; i += 1000) out.write(records.slice(i, i + 1000));
  await out.flush();
  const ms = performance.now() - start;
  await out.close();
  report("KafkaOutput (write to ack)", out.stats().sentRecords - 1, ms, `dropped ${out.stats().droppedRecords}`);
}

async function benchLatency(bootstrap: string): Promise<void> {
  const latenciesMs: number[] = [];
  const out = new KafkaOutput({
    brokers: [bootstrap],
    topic: "bench-latency",
    taskId: "bench",
    agentId: "bench",
    createClient: latencyRecordingClient(latenciesMs),
  });
  out.write([{ type: "sip", timestampMs: Date.now(), value: sipValue(0) }]); // Topic creation, outside the timing.
  await out.flush();
  latenciesMs.length = 0;
  const ratePerS = 10_000;
  const durationMs = 5000;
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < durationMs) {
    const due = Math.floor(((performance.now() - start) / 1000) * ratePerS);
    const now = Date.now();
    const chunk: OutputRecord[] = [];
    for (; sent < due; sent++) chunk.push({ type: "sip", timestampMs: now, value: sipValue(sent) });
    out.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await out.flush();
  await out.close();
  latenciesMs.sort((a, b) => a - b);
  const p = (q: number) => latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(q * latenciesMs.length))];
  report("KafkaOutput at 10k records/s", sent, durationMs, `p50 ${p(0.5)} ms p99 ${p(0.99)} ms max ${p(1)} ms`);
}

async function benchKafkajs(bootstrap: string, lines: string[]): Promise<void> {
  const specifier = "npm:kafkajs@2.2.4";
  // deno-lint-ignore no-explicit-any
  const { Kafka, logLevel } = (await import(specifier)).default as any;
  const producer = new Kafka({ clientId: "bench", brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: "bench-kafkajs", acks: 1, messages: [{ value: lines[0] }] });
  const start = performance.now();
  for (let i = 0; i < lines.length; i += 1000) {
    await producer.send({
      topic: "bench-kafkajs",
      acks: 1,
      messages: lines.slice(i, i + 1000).map((value) => ({ value })),
    });
  }
  report("kafkajs 2.2.4", lines.length, performance.now() - start);
  await producer.disconnect();
}

async function main(): Promise<void> {
  const runDir = await Deno.makeTempDir({ prefix: "kafka-bench-" });
  const port = 20000 + 4 * Math.floor(Math.random() * 2500);
  const env = { KAFKA_RUN_DIR: runDir, KAFKA_PORT: String(port), KAFKA_JVM_OPTS: "" };
  const bootstrap = `127.0.0.1:${port}`;
  const records: OutputRecord[] = Array.from({ length: recordsTotal }, (_, i) => ({
    type: "sip",
    timestampMs: Date.now(),
    value: sipValue(i),
  }));
  const lines = records.map((record) => JSON.stringify(record.value));
  console.log(`${recordsTotal} SIP records of ~${lines[0].length} bytes, broker ${bootstrap}`);
  try {
    await run(brokerScript, ["up"], env);
    await benchKcat(bootstrap, lines);
    await benchClient(bootstrap, lines);
    await benchOutput(bootstrap, records);
    await benchLatency(bootstrap);
    if (args.includes("--kafkajs")) await benchKafkajs(bootstrap, lines);
  } finally {
    await run(brokerScript, ["down"], env);
    await Deno.remove(runDir, { recursive: true });
  }
}

await main();
