/**
 * Integration tests for tests/kafka/broker.sh: a real KRaft broker from .tools/kafka/libs (scripts/kafka_deps.sh),
 * driven with kcat on loopback ports that are free at the time, in a fresh run dir under /tmp.
 */
import assert from "node:assert/strict";
import { runCommand } from "../helpers/command.ts";
import { KafkaTestBroker } from "../helpers/kafka_broker.ts";
import type { CommandResult } from "../helpers/netns.ts";

const saslUser = "capture";
const saslPassword = "capture-secret";

async function withBroker(prefix: string, body: (broker: KafkaTestBroker) => Promise<void>): Promise<void> {
  const runDir = await Deno.makeTempDir({ prefix });
  const broker = new KafkaTestBroker(runDir);
  try {
    await body(broker);
  } finally {
    try {
      await broker.down();
    } finally {
      await Deno.remove(runDir, { recursive: true });
    }
  }
}

async function produce(
  bootstrap: string,
  topic: string,
  lines: string[],
  options: string[] = [],
): Promise<CommandResult> {
  return await runCommand("kcat", ["-b", bootstrap, ...options, "-P", "-t", topic], { stdin: lines.join("\n") + "\n" });
}

/** Every message in `topic` from the beginning, one per line; `-e` makes kcat exit at the end of the partition. */
async function consume(bootstrap: string, topic: string, options: string[] = []): Promise<string[]> {
  const result = await runCommand("kcat", [
    "-b",
    bootstrap,
    ...options,
    "-C",
    "-t",
    topic,
    "-o",
    "beginning",
    "-e",
    "-q",
  ]);
  assert.equal(result.code, 0, `kcat -C failed: ${result.stderr}`);
  return result.stdout.split("\n").filter((line) => line !== "");
}

function saslOptions(mechanism: string, password = saslPassword): string[] {
  return [
    ...["-X", "security.protocol=sasl_plaintext", "-X", `sasl.mechanisms=${mechanism}`],
    ...["-X", `sasl.username=${saslUser}`, "-X", `sasl.password=${password}`],
  ];
}

Deno.test("broker.sh keeps 1000 messages produced with kcat across a clean and a killed restart", async () => {
  await withBroker("kafka-broker-test-", async (broker) => {
    const bootstrap = `127.0.0.1:${broker.port}`;
    const messages = Array.from(
      { length: 1000 },
      (_, i) => `message-${String(i).padStart(4, "0")}-${"x".repeat(i % 97)}`,
    );
    await broker.up();
    assert.equal(await broker.status(), 0);

    const produced = await produce(bootstrap, "restart-test", messages);
    assert.equal(produced.code, 0, `kcat -P failed: ${produced.stderr}`);
    assert.deepEqual(await consume(bootstrap, "restart-test"), messages);

    await broker.down();
    assert.equal(await broker.status(), 3);
    await broker.down(); // Idempotent: a second down finds nothing to stop and still succeeds.

    await broker.up();
    assert.deepEqual(await consume(bootstrap, "restart-test"), messages);

    await broker.down(0);
    assert.equal(await broker.status(), 3);
    await broker.up();
    assert.deepEqual(await consume(bootstrap, "restart-test"), messages);
  });
});

Deno.test("broker.sh --sasl and --tls listeners accept kcat with the documented credentials", async () => {
  await withBroker("kafka-broker-test-", async (broker) => {
    await broker.up("--tls", "--sasl");
    const sasl = `127.0.0.1:${broker.port + 3}`;
    const tls = `127.0.0.1:${broker.port + 2}`;
    const tlsOptions = ["-X", "security.protocol=ssl", "-X", `ssl.ca.location=${broker.runDir}/tls/ca.pem`];
    const mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];
    for (const mechanism of mechanisms) {
      const produced = await produce(sasl, "auth-test", [`via ${mechanism}`], saslOptions(mechanism));
      assert.equal(produced.code, 0, `kcat -P over ${mechanism} failed: ${produced.stderr}`);
    }
    const producedTls = await produce(tls, "auth-test", ["via SSL"], tlsOptions);
    assert.equal(producedTls.code, 0, `kcat -P over SSL failed: ${producedTls.stderr}`);

    const expected = [...mechanisms.map((mechanism) => `via ${mechanism}`), "via SSL"];
    assert.deepEqual(await consume(tls, "auth-test", tlsOptions), expected);
    assert.deepEqual(await consume(sasl, "auth-test", saslOptions("SCRAM-SHA-512")), expected);

    const rejected = await produce(sasl, "auth-test", ["wrong password"], saslOptions("SCRAM-SHA-256", "wrong"));
    assert.notEqual(rejected.code, 0);
    assert.match(rejected.stderr, /Authentication failed/);
    const untrusted = await runCommand("kcat", ["-b", tls, "-X", "security.protocol=ssl", "-L", "-m", "2"]);
    assert.notEqual(untrusted.code, 0, "a client without the test CA must not complete the TLS handshake");
    assert.deepEqual(await consume(`127.0.0.1:${broker.port}`, "auth-test"), expected);
  });
});
