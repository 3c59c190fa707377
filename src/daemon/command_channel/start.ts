/**
 * Builds the command channel from the config's `command:` block. The consumer group is
 * `<command.consumer_group_id>-<host name>`: every agent has a group of its own, so a broadcast (`target` "*")
 * reaches every agent instead of one member of a shared group.
 * @module
 */
import type { Config } from "../../config/types.ts";
import { createKafkaClient } from "../../output/kafka/client.ts";
import { createKafkaConsumer } from "../../output/kafka/consumer.ts";
import { type ChannelLog, CommandChannel } from "./channel.ts";
import type { CommandTargets } from "./operations.ts";
import { readSecretFile } from "./signature.ts";

/** Pause before reopening a consumer that failed (the reference waits 5 s too). */
export const CONSUMER_RETRY_DELAY_MS = 5000;
/** Largest fetch: commands are small, this bounds the memory one poll can take. */
const FETCH_BYTES_MAX = 10 * 1024 * 1024;

/** The consumer group an agent named `hostname` joins. */
export function consumerGroupId(configured: string, hostname: string): string {
  return `${configured || "capture-agent"}-${hostname}`;
}

/**
 * Creates (without starting) the channel when `command.channel` is "kafka", null otherwise. Throws only when the
 * HMAC secret file cannot be read; nothing connects until `start()`, and an unreachable broker is retried in the
 * background then.
 */
export async function createCommandChannel(
  config: Config,
  hostname: string,
  targets: Pick<CommandTargets, "tasks" | "agent">,
  log: ChannelLog,
): Promise<CommandChannel | null> {
  const command = config.command;
  if (command.channel !== "kafka") return null;
  const secret = command.hmac_secret_file === "" ? null : await readSecretFile(command.hmac_secret_file);
  const clientId = `capture-agent-${hostname}`;
  const replies = command.response_topic === "" ? null : createKafkaClient({
    clientId,
    brokers: command.brokers,
    acks: 1,
    idempotent: false,
    compression: "none",
    requestTimeoutMs: 5000,
    connectTimeoutMs: 5000,
    retries: 2,
  });
  const groupId = consumerGroupId(command.consumer_group_id, hostname);
  const channel = new CommandChannel({
    hostname,
    labels: config.global.labels,
    ttlMs: command.command_ttl,
    secret,
    responseTopic: command.response_topic,
    targets,
    openConsumer: (onBrokerFailed) =>
      createKafkaConsumer({
        onBrokerFailed,
        clientId,
        brokers: command.brokers,
        groupId,
        topic: command.consumer_topic,
        maxWaitMs: 1000,
        maxBytes: FETCH_BYTES_MAX,
        connectTimeoutMs: 5000,
      }),
    replies,
    log,
    retryDelayMs: CONSUMER_RETRY_DELAY_MS,
    describe: {
      topic: command.consumer_topic,
      group: groupId,
      responses: command.response_topic || "off",
      signed: secret !== null,
    },
  });
  return channel;
}
