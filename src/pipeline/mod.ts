/**
 * The record pipeline: capture batches → decoders → protocol parsers and trackers → typed records in a bounded
 * queue, with counters by reason. The only import other folders use.
 * @module
 */
export { Pipeline, type PipelineOptions } from "./pipeline.ts";
export { DEFAULT_PROTOCOL_NAMES, parseProtocolList, planProtocols, PROTOCOL_NAMES, RECORD_TYPES } from "./protocols.ts";
export type { ProtocolName, ProtocolPlan, RecordType } from "./protocols.ts";
export type { LinkContext, RecordBase, TunnelEndpoints } from "./record_base.ts";
export { RECORD_SCHEMA_VERSION } from "./record_base.ts";
export type * from "./records.ts";
export { RecordQueue } from "./record_queue.ts";
export type { PipelineStats } from "./stats.ts";
export { KEY_STRATEGIES, type KeyStrategy, recordKey, toOutputRecord } from "./output_record.ts";
