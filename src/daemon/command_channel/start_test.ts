import assert from "node:assert/strict";
import { DEFAULT_CONFIG } from "../../config/defaults.ts";
import type { Config } from "../../config/types.ts";
import { memoryAgent, MemoryTasks } from "./_test_targets.ts";
import { consumerGroupId, createCommandChannel } from "./start.ts";

const silent = { debug() {}, info() {}, warn() {} };
const targets = { tasks: new MemoryTasks(), agent: memoryAgent() };

function config(command: Partial<Config["command"]>): Config {
  return { ...DEFAULT_CONFIG, command: { ...DEFAULT_CONFIG.command, ...command } };
}

Deno.test("consumerGroupId() gives every host a group of its own", () => {
  assert.equal(consumerGroupId("capture-agent-consumer", "node-1"), "capture-agent-consumer-node-1");
  assert.equal(consumerGroupId("", "node-2"), "capture-agent-node-2");
});

Deno.test("createCommandChannel() is off unless the channel is kafka and refuses an unreadable secret file", async () => {
  assert.equal(await createCommandChannel(config({}), "node-1", targets, silent), null);
  const kafka = { channel: "kafka" as const, brokers: ["127.0.0.1:1"] };
  await assert.rejects(
    createCommandChannel(config({ ...kafka, hmac_secret_file: "/nonexistent/secret" }), "node-1", targets, silent),
    Deno.errors.NotFound,
  );
  const channel = await createCommandChannel(config(kafka), "node-1", targets, silent);
  assert.notEqual(channel, null);
  await channel!.close(100);
});
