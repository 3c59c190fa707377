/**
 * SIP header names: the headers the parser extracts, their compact forms (RFC 3261 §7.3.3 and the IANA SIP
 * parameters registry), and an allocation-free lookup from the bytes of a header name.
 * @module
 */
import { equalsIgnoreCase } from "./_bytes.ts";

/** Headers the parser knows by name. `OTHER` is every header it does not extract. */
export const SipHeader = {
  OTHER: 0,
  CALL_ID: 1,
  FROM: 2,
  TO: 3,
  VIA: 4,
  CONTACT: 5,
  CONTENT_LENGTH: 6,
  CONTENT_TYPE: 7,
  CSEQ: 8,
  USER_AGENT: 9,
  SERVER: 10,
  REASON: 11,
  MAX_FORWARDS: 12,
  EXPIRES: 13,
  // Headers below are recognised (compact forms expand to them) but not extracted into `SipMessage` fields.
  SUPPORTED: 14,
  SUBJECT: 15,
  CONTENT_ENCODING: 16,
  EVENT: 17,
  ALLOW_EVENTS: 18,
  REFER_TO: 19,
  SESSION_EXPIRES: 20,
  IDENTITY: 21,
  REFERRED_BY: 22,
  ACCEPT_CONTACT: 23,
  REJECT_CONTACT: 24,
  REQUEST_DISPOSITION: 25,
  IDENTITY_INFO: 26,
} as const;

/** A `SipHeader` value. */
export type SipHeaderId = typeof SipHeader[keyof typeof SipHeader];

/** Canonical spelling and compact form (if any) of each known header, indexed by `SipHeaderId`. */
const NAMES: readonly { canonical: string; compact: string }[] = [
  { canonical: "", compact: "" },
  { canonical: "Call-ID", compact: "i" },
  { canonical: "From", compact: "f" },
  { canonical: "To", compact: "t" },
  { canonical: "Via", compact: "v" },
  { canonical: "Contact", compact: "m" },
  { canonical: "Content-Length", compact: "l" },
  { canonical: "Content-Type", compact: "c" },
  { canonical: "CSeq", compact: "" },
  { canonical: "User-Agent", compact: "" },
  { canonical: "Server", compact: "" },
  { canonical: "Reason", compact: "" },
  { canonical: "Max-Forwards", compact: "" },
  { canonical: "Expires", compact: "" },
  { canonical: "Supported", compact: "k" },
  { canonical: "Subject", compact: "s" },
  { canonical: "Content-Encoding", compact: "e" },
  { canonical: "Event", compact: "o" },
  { canonical: "Allow-Events", compact: "u" },
  { canonical: "Refer-To", compact: "r" },
  { canonical: "Session-Expires", compact: "x" },
  { canonical: "Identity", compact: "y" },
  { canonical: "Referred-By", compact: "b" },
  { canonical: "Accept-Contact", compact: "a" },
  { canonical: "Reject-Contact", compact: "j" },
  { canonical: "Request-Disposition", compact: "d" },
  { canonical: "Identity-Info", compact: "n" },
];

/** Header ids by compact letter (index = char code of the lower-case letter). */
const BY_COMPACT = new Uint8Array(128);
/** Longest long name (in bytes) the bucket table covers; longer names are never known headers. */
const NAME_BYTES_MAX = 31;
/**
 * Lower-case long names grouped by length and first letter (index = length × 32 + (first byte & 31)), so a lookup
 * compares at most a name or two, without a Map lookup.
 */
const BY_LENGTH_FIRST: ({ lower: string; id: SipHeaderId }[] | undefined)[] = new Array(
  (NAME_BYTES_MAX + 1) * 32,
).fill(undefined);

for (let id = 1; id < NAMES.length; id++) {
  const { canonical, compact } = NAMES[id]!;
  if (compact !== "") BY_COMPACT[compact.charCodeAt(0)] = id;
  const lower = canonical.toLowerCase();
  if (lower.length > NAME_BYTES_MAX) throw new Error(`header name longer than ${NAME_BYTES_MAX}: ${canonical}`);
  const key = lower.length * 32 + (lower.charCodeAt(0) & 31);
  const bucket = BY_LENGTH_FIRST[key] ?? [];
  bucket.push({ lower, id: id as SipHeaderId });
  BY_LENGTH_FIRST[key] = bucket;
}

/** Identifies the header whose (trimmed) name is `bytes[start, end)`, ignoring case; does not allocate. */
export function lookupSipHeader(bytes: Uint8Array, start: number, end: number): SipHeaderId {
  const length = end - start;
  if (length === 1) {
    let byte = bytes[start]!;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    return (byte < 128 ? BY_COMPACT[byte]! : 0) as SipHeaderId;
  }
  if (length < 2 || length > NAME_BYTES_MAX) return SipHeader.OTHER;
  // `& 31` maps upper and lower case of a letter to the same bucket; equalsIgnoreCase() does the exact check.
  const bucket = BY_LENGTH_FIRST[length * 32 + (bytes[start]! & 31)];
  if (bucket === undefined) return SipHeader.OTHER;
  for (let k = 0; k < bucket.length; k++) {
    const entry = bucket[k]!;
    if (equalsIgnoreCase(bytes, start, end, entry.lower)) return entry.id;
  }
  return SipHeader.OTHER;
}

/** Canonical spelling of a known header ("Call-ID" for `SipHeader.CALL_ID`); "" for `OTHER`. */
export function sipHeaderName(id: SipHeaderId): string {
  return NAMES[id]?.canonical ?? "";
}
