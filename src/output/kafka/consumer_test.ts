import assert from "node:assert/strict";
import { createKafkaConsumer } from "./consumer.ts";

Deno.test("createKafkaConsumer() against an unreachable broker yields nothing and ends promptly on close()", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const consumer = createKafkaConsumer({
    clientId: "consumer-test",
    brokers: [`127.0.0.1:${port}`],
    groupId: "consumer-test",
    topic: "commands",
    maxWaitMs: 100,
    maxBytes: 1024 * 1024,
    connectTimeoutMs: 200,
  });
  let received = 0;
  const reading = (async () => {
    for await (const _message of consumer.messages()) received++;
  })().then(() => "ended", (error: Error) => `failed: ${error.message}`);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const started = Date.now();
  await consumer.close();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("still reading"), 2000)));
  const outcome = await Promise.race([reading, hung]);
  clearTimeout(timer);
  assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
  assert.match(outcome, /^(ended|failed: .+)$/);
  assert.equal(received, 0);
});

Deno.test("createKafkaConsumer() reports each failed broker connection", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const failed: string[] = [];
  const consumer = createKafkaConsumer({
    clientId: "consumer-test",
    brokers: [`127.0.0.1:${port}`],
    groupId: "consumer-test",
    topic: "commands",
    maxWaitMs: 100,
    maxBytes: 1024 * 1024,
    connectTimeoutMs: 200,
    onBrokerFailed: (broker) => failed.push(broker),
  });
  const reading = (async () => {
    for await (const _message of consumer.messages()) { /* none expected */ }
  })().catch(() => {});
  const deadline = Date.now() + 3000;
  while (failed.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await consumer.close();
  await reading;
  assert.ok(failed.length >= 1, "no failure reported");
  assert.equal(failed[0], `127.0.0.1:${port}`);
});
