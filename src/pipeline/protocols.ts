/**
 * Which protocols a pipeline decodes and which record types it emits. A task names protocols (`--protocol
 * sip,rtp,dns`); each enables record types, and some need others' parsers underneath: RTP and RTCP streams are
 * found through SIP/SDP bindings, so asking for `rtp` parses SIP without emitting `sip` records. `rtp_packet` (one
 * record per RTP packet) is off unless named: "all" and the default leave it out.
 * @module
 */

/** Protocol names accepted by `--protocol` and task definitions. */
export const PROTOCOL_NAMES = ["sip", "call", "rtp", "rtcp", "dns", "http", "rtp_packet"] as const;

/** One member of `PROTOCOL_NAMES`. */
export type ProtocolName = typeof PROTOCOL_NAMES[number];

/** Protocols of "all" and of a pipeline given none: every protocol but the per-packet `rtp_packet`. */
export const DEFAULT_PROTOCOL_NAMES: readonly ProtocolName[] = PROTOCOL_NAMES.filter((name) => name !== "rtp_packet");

/** Record types the pipeline emits; also the `type` field of every record. */
export const RECORD_TYPES = ["sip", "call", "rtp_stream", "rtcp", "dns", "http", "rtp_packet"] as const;

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
  /** One `rtp_packet` record per RTP packet of a bound stream. */
  rtpPackets: boolean;
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
  rtp_packet: ["rtp_packet"],
};

/**
 * Parses a comma-separated protocol list ("sip,rtp"); "all" or an empty list enables `DEFAULT_PROTOCOL_NAMES`
 * (plus `rtp_packet` when also named: "all,rtp_packet").
 * @throws {TypeError} `Unknown protocol "x" (expected one of: ...)` for a name not in `PROTOCOL_NAMES`.
 */
export function parseProtocolList(text: string): ProtocolName[] {
  const names = text.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "");
  for (const name of names) {
    if (name !== "all" && !(PROTOCOL_NAMES as readonly string[]).includes(name)) {
      throw new TypeError(`Unknown protocol "${name}" (expected one of: ${PROTOCOL_NAMES.join(", ")}, all)`);
    }
  }
  if (names.length === 0 || names.includes("all")) {
    return names.includes("rtp_packet") ? [...PROTOCOL_NAMES] : [...DEFAULT_PROTOCOL_NAMES];
  }
  return [...new Set(names)] as ProtocolName[];
}

/** Builds the plan of a protocol list. */
export function planProtocols(protocols: Iterable<ProtocolName>): ProtocolPlan {
  const records = new Set<RecordType>();
  for (const name of protocols) for (const type of RECORDS_OF[name]) records.add(type);
  const rtpPackets = records.has("rtp_packet");
  const voip = records.has("call") || records.has("rtp_stream") || records.has("rtcp") || rtpPackets;
  const sip = voip || records.has("sip");
  const dns = records.has("dns");
  const http = records.has("http");
  return { records, sip, voip, rtpPackets, dns, http, tcp: sip || dns || http };
}
