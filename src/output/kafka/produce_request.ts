/**
 * The Produce request around pre-built record batches (record_batch.ts), on the library's request machinery: its
 * `Writer` for the body and `createAPI()` for the framing, response parsing and error mapping of each version. The
 * sender (batch_sender.ts) decides what goes in a request and where it goes; this module only says how it is encoded.
 *
 * @module
 */
import {
  crc32c,
  createAPI,
  findErrorBy,
  produceV10,
  produceV11,
  produceV3,
  produceV4,
  produceV5,
  produceV6,
  produceV7,
  produceV8,
  produceV9,
  Writer,
} from "@platformatic/kafka";
import { Buffer } from "node:buffer";

/** One partition's share of a send: once encoded, its sealed record batch. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  batch: Uint8Array;
}

/**
 * A Produce API of one version, as `createAPI()` makes it: `(connection, acks, timeoutMs, batches, callback)`; the
 * callback gets the parsed response, or the broker's error mapped by the library.
 */
export type ProduceApi = (connection: unknown, ...args: unknown[]) => void;

const parsers: Record<number, typeof produceV9.parseResponse> = {
  3: produceV3.parseResponse,
  4: produceV4.parseResponse,
  5: produceV5.parseResponse,
  6: produceV6.parseResponse,
  7: produceV7.parseResponse,
  8: produceV8.parseResponse,
  9: produceV9.parseResponse,
  10: produceV10.parseResponse,
  11: produceV11.parseResponse,
};
const produceApis = new Map<number, ProduceApi>();

/**
 * The Produce request body (v3–v11) around pre-built batches; flexible (compact) encoding from v9. Batches are
 * grouped by topic in first-seen order; `acks` 0 marks the request as one the broker does not answer.
 */
export function produceRequest(version: number, acks: number, timeoutMs: number, batches: PartitionBatch[]): Writer {
  const flexible = version >= 9;
  const byTopic = new Map<string, PartitionBatch[]>();
  for (const batch of batches) {
    const list = byTopic.get(batch.topic);
    if (list === undefined) byTopic.set(batch.topic, [batch]);
    else list.push(batch);
  }
  const writer = Writer.create()
    .appendString(null, flexible) // transactional_id
    .appendInt16(acks)
    .appendInt32(timeoutMs)
    .appendArray(
      [...byTopic],
      (w, [topic, partitions]) => {
        w.appendString(topic, flexible).appendArray(
          partitions,
          (w, { partition, batch }) => {
            w.appendInt32(partition);
            if (flexible) w.appendUnsignedVarInt(batch.length + 1);
            else w.appendInt32(batch.length);
            w.append(Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength));
          },
          flexible,
          flexible,
        );
      },
      flexible,
      flexible,
    );
  if (flexible) writer.appendTaggedFields();
  if (acks === 0) writer.context.noResponse = true;
  return writer;
}

/** The Produce API of `version` (made once per version); throws for a version outside 3–11. */
export function produceApi(version: number): ProduceApi {
  let api = produceApis.get(version);
  if (api === undefined) {
    const parse = parsers[version];
    if (parse === undefined) throw new Error(`Unsupported Produce version ${version}`);
    const create = (acks: number, timeoutMs: number, batches: PartitionBatch[]) =>
      produceRequest(version, acks, timeoutMs, batches);
    api = createAPI(0, version, create, parse, version >= 9, version >= 9) as unknown as ProduceApi;
    produceApis.set(version, api);
  }
  return api;
}

/** CRC-32C through the library (native @node-rs/crc32 when it loads, else WebAssembly); a DynamicBuffer avoids a copy. */
export function checksum(bytes: Uint8Array): number {
  return crc32c(Writer.create().append(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).dynamicBuffer);
}

/** What a Produce response says of one partition (the fields read here, in every version 3–11). */
interface PartitionResponse {
  index: number;
  errorCode: number;
}

/**
 * Removes from `batches` the partitions that a failed Produce request's response says were appended (error code 0),
 * so that the retry resends only the others: without idempotence a partition sent again is stored twice. Nothing is
 * removed when the error carries no response (a network error: nothing is known), or when every partition would go.
 * @returns the number removed
 */
export function dropAppended(batches: PartitionBatch[], error: unknown): number {
  const failed = findErrorBy(error as Error, "code", "PLT_KFK_RESPONSE") as { response?: unknown } | null;
  const responses = (failed?.response as { responses?: unknown } | undefined)?.responses;
  if (!Array.isArray(responses)) return 0;
  const appended = new Set<string>();
  for (const topic of responses as { name: string; partitionResponses: PartitionResponse[] }[]) {
    for (const partition of topic.partitionResponses ?? []) {
      if (partition.errorCode === 0) appended.add(`${topic.name}\n${partition.index}`);
    }
  }
  const kept = batches.filter((batch) => !appended.has(`${batch.topic}\n${batch.partition}`));
  if (kept.length === 0 || kept.length === batches.length) return 0;
  const removed = batches.length - kept.length;
  batches.splice(0, batches.length, ...kept);
  return removed;
}
