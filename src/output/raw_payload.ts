/**
 * The raw L4 payload of a record (the SIP message text, an RTCP packet), for outputs that forward it (HEP, the
 * `otus-v1` envelope). It rides on the record under a symbol key: `JSON.stringify` skips symbol keys, so the native
 * JSON schema is unchanged, while `{...record}` copies keep it.
 *
 * The pipeline attaches a copy (batch bytes are reused after `release`), once per emitted record.
 *
 * @module
 */

/** Symbol key of the raw payload on a record object. */
export const RAW_PAYLOAD: unique symbol = Symbol.for("capture-agent.raw_payload");

/** A record object that may carry its raw payload. */
export type WithRawPayload = { [RAW_PAYLOAD]?: Uint8Array };

/** Attaches `payload` to `record` (not copied: pass bytes that stay valid) and returns the record. */
export function attachRawPayload<T extends object>(record: T, payload: Uint8Array): T & WithRawPayload {
  (record as WithRawPayload)[RAW_PAYLOAD] = payload;
  return record as T & WithRawPayload;
}

/** The raw payload attached to `record`, if any. */
export function rawPayloadOf(record: unknown): Uint8Array | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const payload = (record as WithRawPayload)[RAW_PAYLOAD];
  return payload instanceof Uint8Array ? payload : undefined;
}
