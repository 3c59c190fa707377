/**
 * Which protocols a pipeline decodes and which record types it emits. A task names protocols (`--protocol
 * sip,rtp,dns`); each enables record types, and some need others' parsers underneath: RTP and RTCP streams are
 * found through SIP/SDP bindings, so asking for `rtp` parses SIP without emitting `sip` records.
 * @module
 */

/** Protocol names accepted by `--protocol` and task definitions. */
export const PROTOCOL_NAMES = ["sip", "call", "rtp", "rtcp", "dns", "http"] as const;

/** One member of `PROTOCOL_NAMES`. */
export type ProtocolName = typeof PROTOCOL_NAMES[number];

/** Record types the pipeline emits; also the `type` field of every record. */
export const RECORD_TYPES = ["sip", "call", "rtp_stream", "rtcp", "dns", "http"] as const;

/** One member of `RECORD_TYPES`. */
export type RecordType = typeof RECORD_TYPES[number];

/** What a pipeline does, derived once from the protocol list. */
export interface ProtocolPlan {
  /** Record types emitted. */
  records: ReadonlySet<RecordType>;
  /** SIP is parsed (for its records, calls or media bindings). */
  sip: boolean;
  /** The VoIP tracker runs (calls, RTP/RTCP bound to calls). */
  voip: boolean;
  dns: boolean;
  http: boolean;
  /** Some protocol needs TCP stream reassembly. */
  tcp: boolean;
}

const RECORDS_OF: Record<ProtocolName, readonly RecordType[]> = {
  // A SIP task wants its calls too: the call record is the summary of the messages.
  sip: ["sip", "call"],
  call: ["call"],
  rtp: ["rtp_stream"],
  rtcp: ["rtcp"],
  dns: ["dns"],
  http: ["http"],
};

/**
 * Parses a comma-separated protocol list ("sip,rtp"); "all" or an empty list enables everything.
 * @throws {TypeError} `Unknown protocol "x" (expected one of: ...)` for a name not in `PROTOCOL_NAMES`.
 */
export function parseProtocolList(text: string): ProtocolName[] {
  const names = text.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "");
  if (names.length === 0 || names.includes("all")) return [...PROTOCOL_NAMES];
  for (const name of names) {
    if (!(PROTOCOL_NAMES as readonly string[]).includes(name)) {
      throw new TypeError(`Unknown protocol "${name}" (expected one of: ${PROTOCOL_NAMES.join(", ")}, all)`);
    }
  }
  return [...new Set(names)] as ProtocolName[];
}

/** Builds the plan of a protocol list. */
export function planProtocols(protocols: Iterable<ProtocolName>): ProtocolPlan {
  const records = new Set<RecordType>();
  for (const name of protocols) for (const type of RECORDS_OF[name]) records.add(type);
  const voip = records.has("call") || records.has("rtp_stream") || records.has("rtcp");
  const sip = voip || records.has("sip");
  const dns = records.has("dns");
  const http = records.has("http");
  return { records, sip, voip, dns, http, tcp: sip || dns || http };
}
