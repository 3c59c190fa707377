/**
 * The Kafka command channel end to end: a real broker (tests/kafka/broker.sh), the built `capture-agent daemon`
 * with a temp config, commands produced with `kcat -P -k <host>` and replies read back with kcat. Covers a task
 * created by a command (checked over the control socket), replies keyed by host name, wrong targets, expired
 * timestamps, a repeated request_id, a broker restart under a running agent, and HMAC signing (unsigned and forged
 * refused, signed accepted).
 * @module
 */
import assert from "node:assert/strict";
import { AGENT, runAgent } from "../helpers/agent.ts";
import { runCommand } from "../helpers/command.ts";
import { KafkaTestBroker } from "../helpers/kafka_broker.ts";
import { daemonSection } from "./_daemon_bed.ts";
import { signEnvelope } from "../../src/daemon/command_channel/signature.ts";

const HOST = "cc-node-1";
const COMMANDS = "cc-commands";
const REPLIES = "cc-replies";
const SECRET = "cc-shared-secret";

interface Reply {
  key: string;
  body: {
    source: string;
    command: string;
    request_id: string;
    result?: Record<string, unknown>;
    error?: { code: string };
  };
}

/** Runs `body` with a broker in `dir` (and a way to restart it); the broker is stopped afterwards, also on failure. */
async function withBroker(
  dir: string,
  body: (bootstrap: string, restart: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const broker = new KafkaTestBroker(`${dir}/kafka`, { KAFKA_STOP_TIMEOUT_S: "10" });
  const restart = async () => {
    await broker.down();
    await new Promise((resolve) => setTimeout(resolve, 2000)); // Long enough for the agent to notice.
    await broker.up();
  };
  try {
    await broker.up();
    await body(broker.bootstrap, restart);
  } finally {
    await broker.down().catch(() => {}); // A failed stop must not hide the test's own failure.
  }
}

function writeConfig(dir: string, bootstrap: string, secretFile: string): string {
  const path = `${dir}/config.yml`;
  Deno.writeTextFileSync(
    path,
    [
      "global:",
      "  log_level: debug",
      `  hostname: ${HOST}`,
      "  labels: [cc-edge]",
      ...daemonSection(dir),
      "  metrics: { enabled: false }",
      "command:",
      "  channel: kafka",
      `  brokers: [${bootstrap}]`,
      `  consumer_topic: ${COMMANDS}`,
      "  consumer_group_id: cc-test",
      `  response_topic: ${REPLIES}`,
      "  command_ttl: 60s",
      `  hmac_secret_file: "${secretFile}"`,
      "capture:",
      "  snaplen: 4096",
      "  afpacket: { block_size: 256KiB, num_blocks: 4 }",
      "",
    ].join("\n"),
  );
  return path;
}

interface Daemon {
  stderr(): string;
  stop(): Promise<number>;
}

async function startDaemon(config: string): Promise<Daemon> {
  const child = new Deno.Command(AGENT, { args: ["daemon", "-c", config], stdout: "null", stderr: "piped" }).spawn();
  let text = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) text += decoder.decode(chunk, { stream: true });
  })();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const status = await child.status;
    clearTimeout(killer);
    await reading;
    return status.code;
  };
  const deadline = Date.now() + 15_000;
  while (!text.includes("command channel started")) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`daemon did not start: ${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { stderr: () => text, stop };
}

function envelope(requestId: string, command: string, payload: Record<string, unknown>, extra = {}) {
  return {
    version: "v1",
    target: HOST,
    command,
    timestamp: new Date().toISOString(),
    request_id: requestId,
    payload,
    ...extra,
  };
}

async function produce(bootstrap: string, key: string, messages: unknown[]): Promise<void> {
  const lines = messages.map((message) => JSON.stringify(message)).join("\n") + "\n";
  const result = await runCommand("kcat", ["-b", bootstrap, "-P", "-t", COMMANDS, "-k", key], { stdin: lines });
  assert.equal(result.code, 0, `kcat -P failed: ${result.stderr}`);
}

/** Every reply so far; waits until one with `requestId` is there. */
async function repliesUntil(bootstrap: string, requestId: string): Promise<Reply[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await runCommand("kcat", [
      "-b",
      bootstrap,
      "-C",
      "-t",
      REPLIES,
      "-o",
      "beginning",
      "-e",
      "-q",
      "-f",
      "%k\t%s\n",
    ]);
    const replies = result.stdout.split("\n").filter((line) => line.includes("\t")).map((line) => {
      const [key, body] = line.split("\t", 2) as [string, string];
      return { key, body: JSON.parse(body) } as Reply;
    });
    if (replies.some((reply) => reply.body.request_id === requestId)) return replies;
    if (Date.now() > deadline) throw new Error(`no reply for ${requestId}; replies: ${result.stdout} ${result.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function taskNames(dir: string): Promise<string[]> {
  const result = await runAgent(["task", "list", "--format", "json", "--socket", `${dir}/agent.sock`]);
  assert.equal(result.code, 0, result.stderr);
  const list = JSON.parse(result.stdout) as { task: { spec: { name: string } } }[];
  return list.map((entry) => entry.task.spec.name).sort();
}

const byId = (replies: Reply[], id: string) => replies.filter((reply) => reply.body.request_id === id);

Deno.test("the Kafka command channel runs commands for this host once, replies, survives a broker restart, and enforces signatures", async () => {
  const dir = await Deno.makeTempDir({ prefix: "command-channel-test-" });
  const taskConfig = (name: string) => ({
    name,
    interfaces: ["lo"],
    filter: "udp port 9",
    outputs: [`jsonl:${dir}/${name}.jsonl`],
  });
  try {
    await withBroker(dir, async (bootstrap, restartBroker) => {
      const daemon = await startDaemon(writeConfig(dir, bootstrap, ""));
      try {
        await produce(bootstrap, HOST, [
          envelope("r-create", "task_create", { config: taskConfig("cc-lo") }),
          envelope("r-foreign", "task_create", { config: taskConfig("cc-foreign") }, { target: "cc-node-2" }),
          envelope("r-stale", "task_create", { config: taskConfig("cc-stale") }, {
            timestamp: new Date(Date.now() - 10 * 60_000).toISOString(),
          }),
          "not json at all",
          envelope("r-create", "task_create", { config: taskConfig("cc-lo") }),
          envelope("r-list", "task_list", {}, { target: "cc-edge" }),
        ]);
        const replies = await repliesUntil(bootstrap, "r-list");
        const created = byId(replies, "r-create");
        assert.equal(created.length, 1, "a repeated request_id must run once");
        assert.equal(created[0]!.key, HOST);
        assert.equal(created[0]!.body.source, HOST);
        assert.equal(created[0]!.body.result?.status, "created");
        assert.deepEqual(byId(replies, "r-foreign"), []);
        assert.deepEqual(byId(replies, "r-stale"), []);
        assert.deepEqual(byId(replies, "r-list")[0]!.body.result?.tasks, ["cc-lo"]);
        assert.deepEqual(await taskNames(dir), ["cc-lo"]);

        await restartBroker();
        await produce(bootstrap, HOST, [envelope("r-after-restart", "task_stop", { task_id: "cc-lo" })]);
        const afterRestart = byId(await repliesUntil(bootstrap, "r-after-restart"), "r-after-restart");
        assert.equal(afterRestart[0]!.body.result?.status, "stopped");
        const started = await runAgent(["task", "start", "cc-lo", "--socket", `${dir}/agent.sock`]);
        assert.equal(started.code, 0, started.stderr);
      } finally {
        assert.equal(await daemon.stop(), 0, daemon.stderr());
      }
      assert.match(daemon.stderr(), /malformed command skipped/);

      await Deno.writeTextFile(`${dir}/secret`, `${SECRET}\n`);
      const signed = await startDaemon(writeConfig(dir, bootstrap, `${dir}/secret`));
      try {
        const key = new TextEncoder().encode(SECRET);
        const unsigned = envelope("r-unsigned", "task_delete", { task_id: "cc-lo" });
        const forged = { ...envelope("r-forged", "task_delete", { task_id: "cc-lo" }), signature: "0".repeat(64) };
        const good = envelope("r-signed", "task_delete", { task_id: "cc-lo" });
        await produce(bootstrap, HOST, [unsigned, forged, { ...good, signature: signEnvelope(good, key) }]);
        const replies = await repliesUntil(bootstrap, "r-signed");
        assert.equal(byId(replies, "r-unsigned")[0]?.body.error?.code, "unauthenticated");
        assert.equal(byId(replies, "r-forged")[0]?.body.error?.code, "unauthenticated");
        assert.equal(byId(replies, "r-signed")[0]?.body.result?.status, "deleted");
        assert.deepEqual(await taskNames(dir), []);
      } finally {
        assert.equal(await signed.stop(), 0, signed.stderr());
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
