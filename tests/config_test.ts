/**
 * Config loading end to end: the deployment guide's file, each kind of error with its exact
 * `file:line:column key.path: message`, environment overrides, `capture-agent validate`, and docs/config.md.
 */
import assert from "node:assert/strict";
import { appenderRows, configRows } from "../src/config/describe.ts";
import { DEFAULT_CONFIG } from "../src/config/defaults.ts";
import { ConfigError } from "../src/config/errors.ts";
import { loadConfig, parseConfig } from "../src/config/load.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const FILE = "/etc/capture-agent/config.yml";

/** The guide's config, byte for byte as the issue quotes it. */
const GUIDE_YAML = `global:
  log_level: info
daemon:
  unix_socket: /tmp/capture-agent.sock
  pid_file: /tmp/capture-agent.pid
  metrics:
    enabled: true
    listen: :9091
log:
  appenders:
    - type: kafka
      brokers: [kafka.kafka.svc.cluster.local:9092]
      topic: capture-agent-logs
command:
  channel: kafka
  brokers: [kafka.kafka.svc.cluster.local:9092]
  consumer_topic: capture-agent-commands
  consumer_group_id: capture-agent-consumer
capture:
  promiscuous: true
  afpacket:
    block_size: 8388608
    num_blocks: 256
    fanout_type: hash
`;

/** The error lines `parseConfig` reports for `text`. */
function errorLines(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, FILE, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split("\n");
    throw error;
  }
  throw new Error("the config loaded but should have failed");
}

Deno.test("the deployment guide's config loads as written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capture-agent-config-" });
  try {
    await Deno.writeTextFile(`${dir}/config.yml`, GUIDE_YAML);
    const { config, path } = await loadConfig({ path: `${dir}/config.yml` });
    assert.equal(path, `${dir}/config.yml`);
    assert.equal(config.daemon.unix_socket, "/tmp/capture-agent.sock");
    assert.deepEqual(config.daemon.metrics, { enabled: true, listen: ":9091" });
    assert.equal(config.log.appenders.length, 1);
    const appender = config.log.appenders[0]!;
    assert.equal(appender.type, "kafka");
    assert.ok(appender.type === "kafka");
    assert.deepEqual(appender.brokers, ["kafka.kafka.svc.cluster.local:9092"]);
    assert.equal(appender.topic, "capture-agent-logs");
    assert.equal(appender.flush_interval, 1000, "appender defaults fill what the file leaves out");
    assert.equal(config.command.channel, "kafka");
    assert.equal(config.command.consumer_group_id, "capture-agent-consumer");
    assert.deepEqual(config.capture.afpacket, {
      ...DEFAULT_CONFIG.capture.afpacket,
      block_size: 8388608,
      num_blocks: 256,
    });
    assert.equal(config.daemon.data_dir, "/var/lib/capture-agent");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sizes and durations accept units", () => {
  const text =
    "capture:\n  afpacket:\n    block_size: 8MiB\n    block_timeout: 100ms\ndaemon:\n  shutdown_timeout: 1m30s\n";
  const { config } = parseConfig(text, FILE);
  assert.equal(config.capture.afpacket.block_size, 8 * 1024 * 1024);
  assert.equal(config.capture.afpacket.block_timeout, 100);
  assert.equal(config.daemon.shutdown_timeout, 90_000);
});

Deno.test("YAML syntax errors name the file, line, column and the key being parsed", () => {
  assert.deepEqual(errorLines("global:\n\tlog_level: info\n"), [
    `${FILE}:2:1 global: Tabs are not allowed as indentation`,
  ]);
  assert.deepEqual(errorLines("daemon:\n  pid_file: /a\n  pid_file: /b\n"), [
    `${FILE}:3:3 daemon.pid_file: Map keys must be unique`,
  ]);
});

Deno.test("unknown keys are rejected with a suggestion, every problem at once", () => {
  assert.deepEqual(errorLines("global:\n  log_levl: info\ndaemon:\n  metrics:\n    enabled: yes\n"), [
    `${FILE}:2:3 global.log_levl: unknown key; did you mean "log_level"? (known: log_level, hostname, labels)`,
    `${FILE}:5:14 daemon.metrics.enabled: expected true or false, got string "yes"`,
  ]);
  assert.deepEqual(errorLines("log:\n  appenders:\n    - type: kafak\n"), [
    `${FILE}:3:13 log.appenders[0].type: expected one of "stderr", "file", "kafka", "loki", got string "kafak"; ` +
    `did you mean "kafka"?`,
  ]);
});

Deno.test("wrong types, bad sizes and bad durations point at the value", () => {
  assert.deepEqual(errorLines("capture:\n  afpacket:\n    num_blocks: many\n"), [
    `${FILE}:3:17 capture.afpacket.num_blocks: expected an integer, got string "many"`,
  ]);
  assert.deepEqual(errorLines("daemon:\n  metrics: true\n"), [
    `${FILE}:2:12 daemon.metrics: expected a mapping, got boolean true`,
  ]);
  assert.deepEqual(errorLines("capture:\n  afpacket:\n    block_size: 8XB\n"), [
    `${FILE}:3:17 capture.afpacket.block_size: bad size "8XB": use a number with B, KB, MB, GB, KiB, MiB or GiB, ` +
    `e.g. "8MiB"`,
  ]);
  assert.deepEqual(errorLines("daemon:\n  shutdown_timeout: 5\n"), [
    `${FILE}:2:21 daemon.shutdown_timeout: duration 5 has no unit: use a number with ms, s, m, h or d, ` +
    `e.g. "5s" or "100ms"`,
  ]);
  assert.deepEqual(errorLines("capture:\n  afpacket:\n    block_size: 256MiB\n"), [
    `${FILE}:3:17 capture.afpacket.block_size: size 256MiB is outside 4KiB..128MiB`,
  ]);
});

Deno.test("cross-key problems point at the nearest key written in the file", () => {
  assert.deepEqual(errorLines("log:\n  appenders:\n    - type: stderr\n    - type: kafka\n      brokers: [k:9092]\n"), [
    `${FILE}:4:7 log.appenders[1].topic: a kafka appender needs a topic`,
  ]);
  assert.deepEqual(errorLines("control:\n  tcp:\n    listen: 0.0.0.0:9443\n    token_file: /t\n"), [
    `${FILE}:3:5 control.tcp.listen: TCP without TLS (tls.cert, tls.key) is refused; ` +
    "set allow_insecure_loopback: true and a loopback address to allow it",
  ]);
});

Deno.test("CAPTURE_AGENT_* variables override the file and report their own errors", () => {
  const env = {
    CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCK_SIZE: "16MiB",
    CAPTURE_AGENT_DAEMON_METRICS_ENABLED: "false",
    CAPTURE_AGENT_COMMAND_BROKERS: "a:9092, b:9092",
  };
  const { config, sources } = parseConfig(GUIDE_YAML, FILE, env);
  assert.equal(config.capture.afpacket.block_size, 16 * 1024 * 1024);
  assert.equal(config.daemon.metrics.enabled, false);
  assert.deepEqual(config.command.brokers, ["a:9092", "b:9092"]);
  assert.deepEqual(sources.get("capture.afpacket.block_size"), {
    kind: "env",
    name: "CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCK_SIZE",
  });
  assert.deepEqual(errorLines("", { CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCK_SIZE: "8XB" }), [
    'env CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCK_SIZE capture.afpacket.block_size: bad size "8XB": use a number with ' +
    'B, KB, MB, GB, KiB, MiB or GiB, e.g. "8MiB"',
  ]);
  assert.deepEqual(errorLines("", { CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCKSIZE: "8MiB" }), [
    "env CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCKSIZE capture_afpacket_blocksize: unknown variable; " +
    'did you mean "CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCK_SIZE"?',
  ]);
});

Deno.test("loadConfig() refuses a missing explicit file and finds one through CAPTURE_AGENT_CONFIG", async () => {
  await assert.rejects(
    loadConfig({ path: "/nonexistent/config.yml" }),
    /^ConfigError: \/nonexistent\/config.yml .*cannot read/,
  );
  const dir = await Deno.makeTempDir({ prefix: "capture-agent-config-" });
  try {
    await Deno.writeTextFile(`${dir}/c.yml`, "global:\n  log_level: debug\n");
    const loaded = await loadConfig({ env: { CAPTURE_AGENT_CONFIG: `${dir}/c.yml` } });
    assert.equal(loaded.config.global.log_level, "debug");
    assert.equal(loaded.path, `${dir}/c.yml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("capture-agent validate exits 0 for the guide's file and 2 with file:line:col errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capture-agent-config-" });
  const validate = async (file: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "src/main.ts", "validate", "-c", file],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { CAPTURE_AGENT_GLOBAL_LOG_LEVEL: "warn" },
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };
  try {
    await Deno.writeTextFile(`${dir}/good.yml`, GUIDE_YAML);
    await Deno.writeTextFile(`${dir}/bad.yml`, "daemon:\n  metrics:\n    enabld: true\n");
    const good = await validate(`${dir}/good.yml`);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout.trim(), `${dir}/good.yml: valid`);
    const bad = await validate(`${dir}/bad.yml`);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr.trim(),
      `capture-agent: ${dir}/bad.yml:3:5 daemon.metrics.enabld: unknown key; did you mean "enabled"? ` +
        "(known: enabled, listen)",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docs/config.md lists every key with its type, default and variable", async () => {
  const normal = (line: string) => line.split("|").map((cell) => cell.trim()).join("|");
  const doc = new Set((await Deno.readTextFile(`${ROOT}docs/config.md`)).split("\n").map(normal));
  for (const row of [...configRows(), ...appenderRows()]) assert.ok(doc.has(normal(row)), `missing row: ${row}`);
  assert.ok(doc.has(normal(
    "| `capture.afpacket.block_size` | size 4KiB..128MiB | `1MiB` | " +
      "`CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCK_SIZE` | ring block size (multiple of 4KiB and of frame_size) |",
  )));
});

Deno.test("ring geometry outside the library's limits fails validation, not ring open", () => {
  const lines = errorLines("capture:\n  afpacket:\n    block_size: 128MiB\n    num_blocks: 4096\n");
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /capture\.afpacket\.num_blocks: block_size × num_blocks = \d+ bytes exceeds/);
  const tooMany = errorLines("capture:\n  afpacket:\n    num_blocks: 5000\n");
  assert.match(tooMany.join("\n"), /capture\.afpacket\.num_blocks/);
});
