/**
 * Remote log appenders end to end with the built `capture-agent daemon`: Loki pushes received by a tiny HTTP server
 * in the test (batched, the push API's shape, flushed on exit), Kafka lines read back from a real broker
 * (tests/kafka/broker.sh), and sinks that are unreachable (a closed port, a server that never answers) never
 * stalling the daemon: it starts, runs a task and stops within its bounds.
 * @module
 */
import assert from "node:assert/strict";
import { AGENT, runAgent } from "../helpers/agent.ts";
import { runCommand } from "../helpers/command.ts";
import { KafkaTestBroker } from "../helpers/kafka_broker.ts";
import { daemonSection } from "./_daemon_bed.ts";

const HOST = "la-node-1";

interface LokiPush {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
}

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

function writeConfig(dir: string, appenders: string[]): string {
  const path = `${dir}/config.yml`;
  Deno.writeTextFileSync(
    path,
    [
      "global:",
      "  log_level: debug",
      `  hostname: ${HOST}`,
      ...daemonSection(dir),
      "  metrics: { enabled: false }",
      "log:",
      "  appenders:",
      "    - type: stderr",
      ...appenders.map((appender) => `    - ${appender}`),
      "capture:",
      "  snaplen: 4096",
      "  afpacket: { block_size: 256KiB, num_blocks: 4 }",
      "",
    ].join("\n"),
  );
  return path;
}

/** Runs the daemon through `body` (with its socket), then SIGTERM; returns the exit code, stderr and run time. */
async function withDaemon(config: string, body: (socket: string) => Promise<void>) {
  const started = Date.now();
  const child = new Deno.Command(AGENT, { args: ["daemon", "-c", config], stdout: "null", stderr: "piped" }).spawn();
  let text = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) text += decoder.decode(chunk, { stream: true });
  })();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    while (!text.includes("daemon ready")) {
      if (Date.now() - started > 15_000) throw new Error(`daemon did not start: ${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const readyMs = Date.now() - started;
    await body(config.replace(/config\.yml$/, "agent.sock"));
    const stopping = Date.now();
    child.kill("SIGTERM");
    const status = await child.status;
    await reading;
    return { code: status.code, stderr: text, readyMs, stopMs: Date.now() - stopping };
  } finally {
    clearTimeout(killer);
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
  }
}

async function createTask(dir: string, socket: string, name: string): Promise<number> {
  const started = Date.now();
  const args = ["task", "create", "--name", name, "--interface", "lo", "--filter", "udp port 9"];
  const result = await runAgent([...args, "--output", `jsonl:${dir}/${name}.jsonl`, "--socket", socket]);
  assert.equal(result.code, 0, result.stderr);
  const list = await runAgent(["task", "list", "--format", "json", "--socket", socket]);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout).map((entry: { task: { spec: { name: string } } }) => entry.task.spec.name), [
    name,
  ]);
  return Date.now() - started;
}

Deno.test("Loki and Kafka appenders receive the daemon's log lines in batches, the last ones flushed on exit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "log-appenders-test-" });
  const pushes: { tenant: string | null; body: LokiPush }[] = [];
  const loki = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    if (new URL(request.url).pathname !== "/loki/api/v1/push") return new Response("not found", { status: 404 });
    pushes.push({ tenant: request.headers.get("x-scope-orgid"), body: await request.json() });
    return new Response(null, { status: 204 });
  });
  const broker = new KafkaTestBroker(`${dir}/kafka`, { KAFKA_STOP_TIMEOUT_S: "10" });
  try {
    await broker.up();
    const config = writeConfig(dir, [
      `{ type: loki, url: "http://127.0.0.1:${loki.addr.port}", tenant_id: ops, labels: { job: la-test }, ` +
      "batch_size: 4, flush_interval: 200ms }",
      `{ type: kafka, brokers: ["${broker.bootstrap}"], topic: la-logs, batch_size: 4, flush_interval: 200ms }`,
    ]);
    const daemon = await withDaemon(config, async (socket) => void await createTask(dir, socket, "la-task"));
    assert.equal(daemon.code, 0, daemon.stderr);

    assert.ok(pushes.length >= 2, `expected several batches, got ${pushes.length}`);
    const values = pushes.flatMap((push) => push.body.streams.flatMap((stream) => stream.values));
    assert.ok(pushes.every((push) => push.body.streams.every((stream) => stream.values.length <= 4)));
    assert.ok(pushes.every((push) => push.tenant === "ops"));
    for (const push of pushes) {
      for (const stream of push.body.streams) {
        assert.equal(stream.stream.job, "la-test");
        assert.equal(stream.stream.host, HOST);
        for (const [ns, line] of stream.values) {
          assert.match(ns, /^\d{19}$/);
          assert.equal(JSON.parse(line).level, stream.stream.level);
        }
      }
    }
    const lokiMessages = values.map(([, line]) => JSON.parse(line).msg as string);
    for (const message of ["daemon ready", "shutting down", "stopped"]) assert.ok(lokiMessages.includes(message));

    const consumed = await runCommand("kcat", [
      "-b",
      broker.bootstrap,
      "-C",
      "-t",
      "la-logs",
      "-o",
      "beginning",
      "-e",
      "-q",
      "-f",
      "%k\t%s\n",
    ]);
    assert.equal(consumed.code, 0, consumed.stderr);
    const kafkaLines = consumed.stdout.split("\n").filter((line) => line !== "").map((line) => line.split("\t", 2));
    assert.ok(kafkaLines.every(([key]) => key === HOST));
    // The same lines reach both sinks (Loki groups each batch by level, so compare them sorted).
    assert.deepEqual(kafkaLines.map(([, value]) => JSON.parse(value!).msg).sort(), [...lokiMessages].sort());
  } finally {
    await broker.down().catch(() => {}); // A failed stop must not hide the test's own failure.
    await loki.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unreachable Loki and Kafka sinks never stall the daemon: it starts, runs a task and stops in time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "log-appenders-test-" });
  // Accepts connections and never answers: a push waits until its own timeout.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of silent) held.push(conn);
  })();
  try {
    const config = writeConfig(dir, [
      `{ type: loki, url: "http://127.0.0.1:${closedPort()}", batch_size: 2, flush_interval: 50ms }`,
      `{ type: loki, url: "http://127.0.0.1:${silent.addr.port}", batch_size: 2, flush_interval: 50ms }`,
      `{ type: kafka, brokers: ["127.0.0.1:${closedPort()}"], topic: la-lost, batch_size: 2, flush_interval: 50ms }`,
    ]);
    let taskMs = 0;
    const daemon = await withDaemon(config, async (socket) => {
      taskMs = await createTask(dir, socket, "la-busy");
      assert.ok(held.length >= 1, "the silent Loki must have been tried");
    });
    assert.equal(daemon.code, 0, daemon.stderr);
    assert.ok(daemon.readyMs < 10_000, `ready after ${daemon.readyMs} ms`);
    assert.ok(taskMs < 10_000, `task create and list took ${taskMs} ms`);
    // shutdown_timeout 3s + 1 s for sockets, 2 s for appenders to flush, plus process exit.
    assert.ok(daemon.stopMs < 8_000, `stop took ${daemon.stopMs} ms`);
    assert.match(daemon.stderr, /loki appender http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/push: push failed/);
    assert.match(daemon.stderr, /kafka appender 127\.0\.0\.1:\d+\/la-lost: produce failed/);
    assert.match(daemon.stderr, /INFO {2}stopped/);
  } finally {
    silent.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
