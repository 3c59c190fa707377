import assert from "node:assert/strict";
import type { ConsumedMessage, KafkaConsumer } from "../../output/kafka/consumer.ts";
import { consumed, memoryAgent, MemoryProducer, MemoryTasks } from "./_test_targets.ts";
import { CommandChannel } from "./channel.ts";
import { signEnvelope } from "./signature.ts";

const silent = { debug() {}, info() {}, warn() {} };

function channel(options: { secret?: string; openConsumer?: () => KafkaConsumer; retryDelayMs?: number } = {}) {
  const tasks = new MemoryTasks();
  const agent = memoryAgent();
  const replies = new MemoryProducer();
  const commands = new CommandChannel({
    hostname: "node-1",
    labels: ["edge"],
    ttlMs: 60_000,
    secret: options.secret === undefined ? null : new TextEncoder().encode(options.secret),
    responseTopic: "replies",
    targets: { tasks, agent },
    openConsumer: options.openConsumer ??
      (() => ({ messages: () => (async function* () {})(), close: async () => {} })),
    replies,
    log: silent,
    retryDelayMs: options.retryDelayMs ?? 10,
  });
  return { tasks, agent, replies, commands };
}

const now = () => new Date().toISOString();

Deno.test("CommandChannel.handle() runs a command, replies keyed by host name and commits", async () => {
  const { tasks, replies, commands } = channel();
  const commits = { count: 0 };
  const config = { name: "sip", interfaces: ["lo"] };
  await commands.handle(
    consumed(
      { target: "node-1", command: "task_create", request_id: "r1", timestamp: now(), payload: { config } },
      commits,
    ),
  );
  assert.equal(tasks.tasks.has("sip"), true);
  assert.equal(commits.count, 1);
  assert.equal(replies.sent.length, 1);
  const reply = replies.sent[0]!;
  assert.equal(reply.topic, "replies");
  assert.equal(reply.key, "node-1");
  assert.equal(reply.value.request_id, "r1");
  assert.equal(reply.value.source, "node-1");
  assert.equal(reply.value.command, "task_create");
  assert.equal((reply.value.result as { status: string }).status, "created");
  assert.equal(commands.stats.executed, 1);
  assert.equal(commands.stats.replies_sent, 1);
});

Deno.test("CommandChannel.handle() counts and commits malformed, foreign, stale and repeated commands", async () => {
  const { tasks, replies, commands } = channel();
  const commits = { count: 0 };
  const create = (fields: Record<string, unknown>) =>
    consumed({ command: "task_create", payload: { config: { name: "a", interfaces: ["lo"] } }, ...fields }, commits);
  await commands.handle(consumed("{{{", commits));
  await commands.handle(create({ target: "node-2", request_id: "x1" }));
  await commands.handle(create({ request_id: "x2", timestamp: new Date(Date.now() - 120_000).toISOString() }));
  await commands.handle(create({ target: "edge", request_id: "x3" }));
  await commands.handle(create({ target: "*", request_id: "x3" }));
  await commands.handle(consumed({ command: "task_delete", request_id: "x4", payload: { task_id: "zz" } }, commits));
  assert.equal(commits.count, 6);
  assert.deepEqual(tasks.calls, ["create a", "delete zz"]);
  const { received, executed, failed, malformed, ignored_target, expired, duplicates } = commands.stats;
  assert.deepEqual({ received, executed, failed, malformed, ignored_target, expired, duplicates }, {
    received: 6,
    executed: 1,
    failed: 1,
    malformed: 1,
    ignored_target: 1,
    expired: 1,
    duplicates: 1,
  });
  assert.deepEqual(replies.sent.map((reply) => reply.value.request_id), ["x3", "x4"]);
  assert.deepEqual(replies.sent[1]!.value.error, { code: "not_found", message: 'task "zz" does not exist' });
});

Deno.test("CommandChannel with a secret rejects unsigned commands with a reply and runs signed ones", async () => {
  const { tasks, agent, replies, commands } = channel({ secret: "k" });
  const commits = { count: 0 };
  const envelope = { target: "node-1", command: "daemon_shutdown", request_id: "s1", timestamp: now(), payload: {} };
  await commands.handle(consumed(envelope, commits));
  assert.deepEqual(agent.shutdowns, []);
  assert.equal(commands.stats.rejected_signature, 1);
  assert.equal((replies.sent[0]!.value.error as { code: string }).code, "unauthenticated");
  const signature = signEnvelope(envelope, new TextEncoder().encode("k"));
  await commands.handle(consumed({ ...envelope, signature }, commits));
  assert.deepEqual(agent.shutdowns, [0]);
  assert.deepEqual(replies.sent[1]!.value.result, { status: "shutting_down" });
  assert.equal(commits.count, 2);
  assert.equal(tasks.calls.length, 0);
});

Deno.test("CommandChannel counts a reply it could not send and still commits", async () => {
  const { replies, commands } = channel();
  replies.failing = true;
  const commits = { count: 0 };
  await commands.handle(consumed({ command: "task_list", request_id: "r1" }, commits));
  assert.equal(commands.stats.executed, 1);
  assert.equal(commands.stats.replies_failed, 1);
  assert.equal(commits.count, 1);
});

Deno.test("CommandChannel reopens a failed consumer and stops on close()", async () => {
  let opened = 0;
  const commits = { count: 0 };
  const openConsumer = (): KafkaConsumer => {
    opened++;
    const attempt = opened;
    return {
      async *messages(): AsyncGenerator<ConsumedMessage> {
        if (attempt === 1) throw new Error("broker gone");
        yield consumed({ command: "task_list", request_id: `r${attempt}` }, commits);
        await new Promise(() => {}); // Waits for more messages forever, as a live consumer does.
      },
      close: () => Promise.resolve(),
    };
  };
  const { replies, commands } = channel({ openConsumer, retryDelayMs: 5 });
  commands.start();
  const deadline = Date.now() + 2000;
  while (replies.sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(commands.stats.consumer_errors, 1);
  assert.equal(replies.sent[0]?.value.request_id, "r2");
  await commands.close(200);
  assert.equal(replies.closed, true);
  assert.equal(opened, 2);
});
