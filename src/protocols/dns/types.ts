/**
 * Types of the DNS parser: messages, records and the reasons a payload is rejected.
 * @module
 */

/** Why a payload is not a DNS message. Each reason is counted by the caller; the list is fixed (metric labels). */
export const DNS_INVALID_REASONS = [
  "truncated_header",
  "bad_name",
  "name_too_long",
  "pointer_loop",
  "truncated_question",
  "truncated_record",
  "bad_length_prefix",
] as const;

/** One member of {@linkcode DNS_INVALID_REASONS}. */
export type DnsInvalidReason = typeof DNS_INVALID_REASONS[number];

/** Header flags, one field per bit (RFC 1035 §4.1.1, RFC 4035 §3.2 for `ad` and `cd`). */
export interface DnsFlags {
  /** True for a response. */
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
}

/** One entry of the question section. */
export interface DnsQuestion {
  /** Presentation form without the trailing dot; "." for the root. */
  name: string;
  type: number;
  class: number;
}

/** One resource record of the answer, authority or additional section. */
export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** Presentation form of the RDATA for well-known types, lower-case hex otherwise. */
  data: string;
}

/** The EDNS(0) OPT pseudo-record, when present (RFC 6891). */
export interface DnsEdns {
  udpPayloadBytes: number;
  /** The 12-bit response code: OPT's upper 8 bits joined with the header's 4 bits. */
  extendedRcode: number;
  version: number;
  dnssecOk: boolean;
}

/** A parsed DNS message. Counts are the header's; the sections hold what was parsed (the same numbers). */
export interface DnsMessage {
  id: number;
  flags: DnsFlags;
  /** The header's 4-bit response code (see `edns.extendedRcode` for the full value). */
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
  edns?: DnsEdns;
  /** Size of the message in bytes (without the TCP length prefix). */
  sizeBytes: number;
}
