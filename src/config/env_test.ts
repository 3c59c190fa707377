import assert from "node:assert/strict";
import { applyEnv, envLeaves, envName } from "./env.ts";
import type { ConfigIssue, ConfigSource } from "./errors.ts";

Deno.test("envName() joins the upper-cased path under CAPTURE_AGENT_", () => {
  assert.equal(envName(["capture", "afpacket", "block_size"]), "CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCK_SIZE");
});

Deno.test("every overridable key has its own variable and appenders have none", () => {
  const names = envLeaves();
  assert.ok(names.size >= 30);
  assert.equal(names.has("CAPTURE_AGENT_LOG_APPENDERS"), false);
  assert.deepEqual(names.get("CAPTURE_AGENT_DAEMON_METRICS_LISTEN")?.path, ["daemon", "metrics", "listen"]);
});

Deno.test("applyEnv() converts text, splits lists and ignores other variables", () => {
  const config = { daemon: { metrics: { enabled: true } }, command: { brokers: [] as string[] } };
  const issues: ConfigIssue[] = [];
  const positions = new Map<string, ConfigSource>();
  const env = {
    CAPTURE_AGENT_DAEMON_METRICS_ENABLED: "false",
    CAPTURE_AGENT_COMMAND_BROKERS: "a:1,b:2",
    CAPTURE_AGENT_CONFIG: "/x.yml",
    CAPTURE_AGENT_LIB: "/lib/libcapture.so",
    CAPTURE_AGENT_NATIVE_SIP: "0",
    HOME: "/root",
  };
  applyEnv(config, env, issues, positions);
  assert.deepEqual(issues, []);
  assert.deepEqual(config, { daemon: { metrics: { enabled: false } }, command: { brokers: ["a:1", "b:2"] } });
  assert.equal(positions.size, 2);
});
