/**
 * Where a Kafka record's CPU goes (`make bench-output-breakdown`): the same `KafkaOutput` writes the same pre-generated
 * records (bench/output_workload.ts) through five clients, from nothing sent to the real broker, so the differences
 * between rows are the costs of each step:
 *
 * - `none`: `send()` resolves at once (the output's own path: JSON, messages, queue, batching, acks);
 * - `batch`: the record batch is encoded and sealed (CRC-32C), nothing sent;
 * - `batch held 20 ms`: the same, acknowledged 20 ms later (batches stay alive as when in flight);
 * - `request`: the batch plus the whole Produce request built around it, nothing sent;
 * - `broker`: the real client and the real test broker (tests/helpers/kafka_broker.ts).
 *
 * Each run is a process of its own, pinned to CPU 0 like bench/output.ts's producer (this process starts the broker and
 * the runs, rounds alternating the clients); the table gives µs of process CPU per record (min and median over the
 * rounds). No assertions: the numbers are reported.
 *
 * Usage: deno run -A bench/output_breakdown.ts [--records N] [--rounds N] [--workload per-packet|sip+call]
 *   [--poll-ms N]   (the writer's wait step above 10,000 queued records; 1, 5 and 20 measured the same)
 *   [--clients NAME,NAME]   (a subset: none, batch, "batch held 20 ms", request, broker)
 *   [--batch-records N]   (the output's batchRecordsMax)
 * @module
 */
import process from "node:process";
import { setImmediate } from "node:timers";
import { createKafkaClient, type KafkaClient, type KafkaClientOptions } from "../src/output/kafka/client.ts";
import { KafkaOutput } from "../src/output/kafka/kafka_output.ts";
import { checksum, produceRequest } from "../src/output/kafka/produce_request.ts";
import { encodeRecordBatch, sealRecordBatch } from "../src/output/kafka/record_batch.ts";
import type { MessageBatch } from "../src/output/kafka/message_batch.ts";
import type { OutputRecord } from "../src/output/output.ts";
import type { ProtocolName } from "../src/pipeline/mod.ts";
import { BENCH_BROKER_ENV, pinThreads } from "./_bench_broker.ts";
import { KafkaTestBroker } from "../tests/helpers/kafka_broker.ts";
import { loadCorpus, pregenerate } from "./output_workload.ts";

const args = Deno.args;
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const RECORDS = Number(option("--records", "200000"));
const ROUNDS = Number(option("--rounds", "3"));
const WORKLOAD = option("--workload", "per-packet");
/** Comma-separated client names to run (default: all five). */
const ONLY = option("--clients", "");
const CORPUS = "/work/shared/corpus/sip/rtp_rtcp_sip_ipv4_udp.pcap";
const PROTOCOLS: Record<string, ProtocolName[]> = { "per-packet": ["sip", "rtp_packet"], "sip+call": ["sip", "call"] };
const CHUNK_RECORDS = 1000;
/** Written and acknowledged before each timed run (JIT warm-up), as in bench/output.ts. */
const WARM_RECORDS = 20_000;
/** Above this many queued records the writer waits (the output's queue holds 20,000 by default). */
const QUEUE_HIGH = 10_000;
const POLL_MS = Number(option("--poll-ms", "5"));
/** The output's batchRecordsMax (its default without the option). */
const BATCH_RECORDS = Number(option("--batch-records", "0")) || undefined;

type ClientFactory = (options: KafkaClientOptions) => KafkaClient;

function sealed(messages: MessageBatch): Uint8Array {
  const header = { producerId: -1n, producerEpoch: -1, baseSequence: -1 };
  const all = Array.from({ length: messages.count }, (_, i) => i);
  return sealRecordBatch(encodeRecordBatch(messages, all, header), checksum);
}

function clients(): Record<string, ClientFactory> {
  const close = () => Promise.resolve();
  return {
    "none": () => ({ send: () => Promise.resolve(), close }),
    "batch": () => ({ send: (messages) => Promise.resolve(void sealed(messages)), close }),
    "batch held 20 ms": () => ({
      send: (messages) => {
        const batch = sealed(messages);
        return new Promise((resolve) => setTimeout(() => resolve(void batch), 20));
      },
      close,
    }),
    "request": () => ({
      send: (messages) => {
        const batches = [{ topic: "breakdown", partition: 0, batch: sealed(messages) }];
        return Promise.resolve(void produceRequest(9, -1, 5000, batches).buffer);
      },
      close,
    }),
    // The output's own client options (idempotent, acks all, 5 in flight: its defaults).
    "broker": createKafkaClient,
  };
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function writeAll(out: KafkaOutput, records: OutputRecord[], count: number): Promise<void> {
  for (let i = 0; i < count; i += CHUNK_RECORDS) {
    while (out.stats().queueRecords > QUEUE_HIGH) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    out.write(records.slice(i, Math.min(count, i + CHUNK_RECORDS)));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await out.flush();
}

/** µs of process CPU and of wall time per record for one client, after a warm-up. */
async function run(
  bootstrap: string,
  createClient: ClientFactory,
  records: OutputRecord[],
): Promise<{ usPerRecord: number; wallUsPerRecord: number }> {
  const out = new KafkaOutput({
    brokers: [bootstrap],
    topic: "bench-breakdown",
    taskId: "bench",
    agentId: "bench",
    batchRecordsMax: BATCH_RECORDS,
    createClient,
  });
  try {
    await writeAll(out, records, WARM_RECORDS);
    const start = cpuMs();
    const wallStart = performance.now();
    await writeAll(out, records, records.length);
    const wallUsPerRecord = (performance.now() - wallStart) * 1000 / records.length;
    const sent = out.stats().sentRecords;
    if (sent !== WARM_RECORDS + records.length) throw new Error(`sent ${sent} of ${WARM_RECORDS + records.length}`);
    return { usPerRecord: (cpuMs() - start) * 1000 / records.length, wallUsPerRecord };
  } finally {
    await out.close();
  }
}

function report(results: Map<string, number[]>, walls: Map<string, number[]>): void {
  console.log(
    `bench-output-breakdown: ${WORKLOAD}, ${RECORDS} records a run, ${ROUNDS} rounds, ` +
      "each run a process of its own pinned to CPU 0 (taskset -c 0), the broker to CPU 1",
  );
  console.log(
    "| client under KafkaOutput | µs CPU / record, min | median | µs wall / record, median |\n|---|--:|--:|--:|",
  );
  const median = (sorted: number[]) => sorted[sorted.length >> 1].toFixed(2);
  for (const [name, values] of results) {
    const sorted = [...values].sort((a, b) => a - b);
    const wall = [...walls.get(name)!].sort((a, b) => a - b);
    console.log(`| ${name} | ${sorted[0].toFixed(2)} | ${median(sorted)} | ${median(wall)} |`);
  }
}

/** One client's run in this process (`--child NAME --bootstrap HOST:PORT`): prints the µs per record (CPU, wall). */
async function child(name: string, bootstrap: string): Promise<void> {
  const protocols = PROTOCOLS[WORKLOAD];
  const factory = clients()[name];
  if (protocols === undefined || factory === undefined) throw new Error(`unknown workload or client: ${name}`);
  const records = pregenerate(await loadCorpus(CORPUS), protocols, RECORDS);
  console.log(JSON.stringify(await run(bootstrap, factory, records)));
}

/**
 * Runs every client in a process of its own, rounds alternating: in one process the clients' order moved their numbers
 * by up to 1.5 µs a record (a client acknowledging after `setTimeout(0)` measured as slow as one 20 ms later there, and
 * as fast as the synchronous one in a process of its own).
 */
async function parent(): Promise<void> {
  if (PROTOCOLS[WORKLOAD] === undefined) throw new Error(`--workload: one of ${Object.keys(PROTOCOLS).join(", ")}`);
  const names = Object.keys(clients()).filter((name) => ONLY === "" || ONLY.split(",").includes(name));
  const runDir = await Deno.makeTempDir({ prefix: "bench-breakdown-" });
  const broker = new KafkaTestBroker(runDir, BENCH_BROKER_ENV);
  const results = new Map<string, number[]>();
  const walls = new Map<string, number[]>();
  try {
    await broker.up();
    if (!await pinThreads(await broker.pid(), 1)) throw new Error("taskset failed: cannot pin the broker to CPU 1");
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of names) {
        const args = ["-c", "0", Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname, ...Deno.args];
        args.push("--child", name, "--bootstrap", broker.bootstrap);
        const output = await new Deno.Command("taskset", { args, stdout: "piped", stderr: "inherit" }).output();
        if (!output.success) throw new Error(`${name}: child failed`);
        const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
        const { usPerRecord, wallUsPerRecord } = JSON.parse(lines.at(-1)!) as Record<string, number>;
        results.set(name, [...(results.get(name) ?? []), usPerRecord]);
        walls.set(name, [...(walls.get(name) ?? []), wallUsPerRecord]);
      }
    }
  } finally {
    await broker.down().catch((error) => console.error(`broker down: ${error}`));
    await Deno.remove(runDir, { recursive: true }).catch(() => {});
  }
  report(results, walls);
}

if (import.meta.main) {
  const name = option("--child", "");
  if (name === "") await parent();
  else await child(name, option("--bootstrap", ""));
}
