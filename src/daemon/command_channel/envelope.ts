/**
 * The command envelope read from Kafka, compatible with the reference agent's:
 * `{"version":"v1","target":"host-1","command":"task_list","timestamp":"2026-03-01T10:00:00Z","request_id":"r1",
 * "payload":{...}}`, plus an optional `signature` (see signature.ts), and the reply written back. Parsing never
 * throws: a message that is not an envelope comes back as a reason, counted by the channel.
 * @module
 */

/** The only envelope version; a missing version is read as this one (the reference never checks it). */
export const ENVELOPE_VERSION = "v1";
/** Longest accepted request id (they are kept in the dedup set and echoed in replies). */
export const REQUEST_ID_LENGTH_MAX = 256;
/** Longest accepted command name. */
export const COMMAND_LENGTH_MAX = 64;

/** A parsed command. */
export interface Envelope {
  version: string;
  /** "" and "*" address every agent; otherwise a host name or one of an agent's labels. */
  target: string;
  command: string;
  /** Milliseconds since the epoch, or null when the sender left the timestamp out. */
  timestampMs: number | null;
  /** "" when absent: the command runs but cannot be deduplicated or answered. */
  requestId: string;
  payload: Record<string, unknown>;
  /** Hex HMAC-SHA256, "" when absent. */
  signature: string;
  /** The decoded JSON object, which the signature covers (unknown fields included). */
  raw: Record<string, unknown>;
}

/** The outcome of parsing one message. */
export type ParseResult = { ok: true; envelope: Envelope } | { ok: false; reason: string };

// RFC 3339 date-time (Go's time.RFC3339 and RFC3339Nano forms); Date.parse alone also takes "March 1".
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an RFC 3339 timestamp, or NaN. */
export function parseRfc3339Ms(text: string): number {
  if (!RFC3339.test(text)) return NaN;
  return Date.parse(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(raw: Record<string, unknown>, key: string): string | null {
  const value = raw[key];
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : null;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Parses one Kafka message value into an envelope. */
export function parseEnvelope(bytes: Uint8Array): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch {
    return { ok: false, reason: "not UTF-8 JSON" };
  }
  if (!isObject(raw)) return { ok: false, reason: "not a JSON object" };
  const fields: Record<string, string> = {};
  for (const key of ["version", "target", "command", "timestamp", "request_id", "signature"]) {
    const value = optionalString(raw, key);
    if (value === null) return { ok: false, reason: `"${key}" is not a string` };
    fields[key] = value;
  }
  const version = fields.version || ENVELOPE_VERSION;
  if (version !== ENVELOPE_VERSION) return { ok: false, reason: `version "${version}" is not supported` };
  const command = fields.command!;
  if (command === "" || command.length > COMMAND_LENGTH_MAX) return { ok: false, reason: "no valid command" };
  const requestId = fields.request_id!;
  if (requestId.length > REQUEST_ID_LENGTH_MAX) return { ok: false, reason: "request_id is too long" };
  let timestampMs: number | null = null;
  if (fields.timestamp !== "") {
    timestampMs = parseRfc3339Ms(fields.timestamp!);
    if (Number.isNaN(timestampMs)) return { ok: false, reason: `timestamp "${fields.timestamp}" is not RFC 3339` };
  }
  const payload = raw.payload ?? {};
  if (!isObject(payload)) return { ok: false, reason: "payload is not a JSON object" };
  return {
    ok: true,
    envelope: {
      version,
      target: fields.target!,
      command,
      timestampMs,
      requestId,
      payload,
      signature: fields.signature!,
      raw,
    },
  };
}

/** An error in a reply; `code` is one of the Connect code names (docs/commands.md lists them). */
export interface ReplyError {
  code: string;
  message: string;
}

/** What the agent writes to the response topic, keyed by its host name. */
export interface Reply {
  version: string;
  source: string;
  command: string;
  request_id: string;
  /** RFC 3339 with milliseconds, UTC. */
  timestamp: string;
  result?: unknown;
  error?: ReplyError;
}

/** A reply to `envelope` from `source` carrying either a result or an error. */
export function makeReply(
  source: string,
  envelope: Pick<Envelope, "command" | "requestId">,
  outcome: { result: unknown } | { error: ReplyError },
  nowMs: number,
): Reply {
  return {
    version: ENVELOPE_VERSION,
    source,
    command: envelope.command,
    request_id: envelope.requestId,
    timestamp: new Date(nowMs).toISOString(),
    ...outcome,
  };
}
