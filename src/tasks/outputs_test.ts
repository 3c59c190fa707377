import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { OutputSpecSchema, TaskSpecSchema } from "../control/gen/capture_agent/v1/task_pb.ts";
import { jsonlPlace, openOutput, openOutputs, outputSpecOf } from "./outputs.ts";
import { parseOutputUrl } from "./output_url.ts";

const context = { task: "sip", agentId: "host1", dataDir: "/nonexistent" };

function targetOf(url: string) {
  const parsed = parseOutputUrl(url);
  assert.ok(parsed.ok);
  return parsed.value;
}

Deno.test("jsonlPlace() splits a file path into directory and prefix, or uses the task name", () => {
  assert.deepEqual(jsonlPlace("/var/out/calls.jsonl", "sip"), { dir: "/var/out", prefix: "calls" });
  assert.deepEqual(jsonlPlace("/var/out", "sip"), { dir: "/var/out", prefix: "sip" });
});

Deno.test("outputSpecOf() turns a Kafka URL and snake_case options into the registry's spec", () => {
  const url = "kafka://k1:9092,k2:9092/voip";
  const spec = outputSpecOf(
    url,
    targetOf(url),
    {
      topic_prefix: "cap",
      key_strategy: "none",
      acks: "0",
      compression: "zstd",
      sasl: { mechanism: "SCRAM-SHA-256", username: "u", password: "p" },
      tls: { ca_file: "/ca.pem" },
      spool: { bytes_max: 1024, policy: "drop_oldest" },
    },
    "/data/spool/sip/0",
    "sip",
  );
  assert.deepEqual(spec, {
    name: url,
    type: "kafka",
    brokers: ["k1:9092", "k2:9092"],
    topicPrefix: "cap",
    keyStrategy: "none",
    acks: 0,
    compression: "zstd",
    sasl: { mechanism: "SCRAM-SHA-256", username: "u", password: "p" },
    tls: { caFile: "/ca.pem" },
    spool: { dir: "/data/spool/sip/0", bytesMax: 1024, policy: "drop_oldest" },
  });
  const plain = outputSpecOf(url, targetOf(url), { spool: false }, "/s", "sip");
  assert.equal(plain.topic, "voip");
  assert.equal(plain.spool, undefined);
});

Deno.test("outputSpecOf() refuses bad Kafka values before anything is opened", () => {
  const url = "kafka://k1:9092/voip";
  assert.throws(() => outputSpecOf(url, targetOf(url), { acks: 2 }, "/s", "t"), /option "acks" is 2/);
  assert.throws(() => outputSpecOf(url, targetOf(url), { compression: "brotli" }, "/s", "t"), /compression/);
  assert.throws(() => outputSpecOf(url, targetOf(url), { format: "avro" }, "/s", "t"), /format/);
  assert.throws(() => outputSpecOf(url, targetOf(url), { sasl: { mechanism: "PLAIN" } }, "/s", "t"), /username/);
  assert.throws(() => outputSpecOf(url, targetOf(url), { type: "jsonl" }, "/s", "t"), /from the URL/);
});

Deno.test("outputSpecOf() puts the HEP URL's collector first and picks per-call pcap with per_call", () => {
  const hep = outputSpecOf("hep+tcp://h:9061", targetOf("hep+tcp://h:9061"), { collectors: ["b:9060"] }, "", "t");
  assert.deepEqual(hep.collectors, [{ host: "h", port: 9061, transport: "tcp" }, "b:9060"]);
  assert.equal(outputSpecOf("pcap:/d", targetOf("pcap:/d"), {}, "", "t").type, "pcap");
  const perCall = outputSpecOf("pcap:/d", targetOf("pcap:/d"), { per_call: true, idle_ms: 5 }, "", "t");
  assert.deepEqual(perCall, { name: "pcap:/d", type: "call_pcap", dir: "/d", idleMs: 5 });
});

Deno.test("openOutput() opens a JSONL output that writes records to its directory", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "outputs-test-" });
  try {
    const { output, feed } = await openOutput(`jsonl:${dir}/a.jsonl`, { rotate_bytes: 1 << 20 }, 0, context);
    assert.equal(feed, "records");
    assert.equal(output.write([{ type: "sip", timestampMs: 1, value: { n: 1 } }]).queued, 1);
    await output.close();
    const files = [...Deno.readDirSync(dir)].map((entry) => entry.name);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^a-.*\.jsonl$/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openOutput() opens every kind and says what each one is fed", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "outputs-test-" });
  try {
    const feeds: Record<string, string> = {};
    for (
      const [url, options] of [
        [`pcap:${dir}/p`, { format: "pcapng" }],
        [`pcap:${dir}/c`, { per_call: true }],
        ["hep://127.0.0.1:9060", { capture_id: 7 }],
        ["console", { format: "json" }],
        ["kafka://127.0.0.1:1/t", { spool: false, format: "otus-v1" }],
      ] as const
    ) {
      const opened = await openOutput(url, options, 0, { ...context, dataDir: dir, interfaces: ["eth0"] });
      feeds[url.split(":")[0]! + (url.endsWith("/c") ? "-call" : "")] = opened.feed;
      await opened.output.close();
    }
    assert.deepEqual(feeds, {
      pcap: "packets",
      "pcap-call": "calls",
      hep: "records",
      console: "records",
      kafka: "records",
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openOutput() refuses bad URLs, unknown options and bad values with the output's URL", async () => {
  await assert.rejects(openOutput("ftp://x", undefined, 0, context), { code: "invalid_argument" });
  await assert.rejects(
    openOutput("hep://h:9060", { colectors: [] }, 0, context),
    (error: Error) => /output "hep:\/\/h:9060".*Cannot use option "colectors"/.test(error.message),
  );
  await assert.rejects(openOutput("console", { format: "xml" }, 0, context), { code: "invalid_argument" });
});

Deno.test("openOutputs() refuses two per-call pcap outputs and closes what it opened", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "outputs-test-" });
  try {
    const spec = create(TaskSpecSchema, {
      name: "t",
      outputs: [
        create(OutputSpecSchema, { url: `pcap:${dir}/a`, options: { per_call: true } }),
        create(OutputSpecSchema, { url: `pcap:${dir}/b`, options: { per_call: true } }),
      ],
    });
    await assert.rejects(openOutputs(spec, { agentId: "h", dataDir: dir }), /only one per-call pcap output/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
