/**
 * Bench helper: a Kafka client factory for `KafkaOutput` that records, for every acknowledged message, the time from
 * its capture timestamp to the acknowledgement (exact latencies, beside the output's own histogram).
 * @module
 */
import { createKafkaClient, type KafkaClient, type KafkaClientOptions } from "../src/output/kafka/client.ts";

/** `createClient` for `KafkaOutput` that pushes each acknowledged message's capture-to-ack ms onto `latenciesMs`. */
export function latencyRecordingClient(latenciesMs: number[]): (options: KafkaClientOptions) => KafkaClient {
  return (options) => {
    const client = createKafkaClient(options);
    return {
      async send(batch) {
        await client.send(batch);
        const now = Date.now();
        for (let i = 0; i < batch.count; i++) latenciesMs.push(now - batch.timestampMs(i));
      },
      close: () => client.close(),
    };
  };
}
