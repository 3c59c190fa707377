/**
 * DNS message parser (RFC 1035 §4.1): header, question and the three record sections, with a bound on every read.
 * A UDP payload is one message; TCP streams are framed by {@linkcode parseDnsTcp} in `framing.ts`.
 * @module
 */
import type { Detection, Parser, ParseResult } from "../parser.ts";
import { type NameRead, readName } from "./name.ts";
import { DnsType, renderRdata } from "./rdata.ts";
import {
  DNS_INVALID_REASONS,
  type DnsEdns,
  type DnsInvalidReason,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
} from "./types.ts";

/** Bytes of the fixed header. */
export const HEADER_BYTES = 12;

/** Opcodes in use (IANA): QUERY, IQUERY, STATUS, NOTIFY, UPDATE, DSO. 3 and 7–15 are unassigned. */
const OPCODES_KNOWN_MASK = 0b111_0111;

/**
 * Cheap check that `payload` may be a DNS message: header present, known opcode, Z bit clear, and header counts that
 * the payload could hold. Does not allocate.
 *
 * @returns "response" when the QR bit is set, "request" when clear, undefined when it is not DNS.
 */
export function detectDns(payload: Uint8Array): Detection | undefined {
  if (payload.length < HEADER_BYTES) return undefined;
  const flags = (payload[2]! << 8) | payload[3]!;
  const opcode = (flags >> 11) & 0xf;
  if (((OPCODES_KNOWN_MASK >> opcode) & 1) === 0 || (flags & 0x40) !== 0) return undefined;
  const questions = (payload[4]! << 8) | payload[5]!;
  const records = ((payload[6]! << 8) | payload[7]!) + ((payload[8]! << 8) | payload[9]!) +
    ((payload[10]! << 8) | payload[11]!);
  // A question takes at least 5 bytes (root name, type, class) and a record at least 11.
  if (questions * 5 + records * 11 > payload.length - HEADER_BYTES) return undefined;
  return (flags & 0x8000) !== 0 ? "response" : "request";
}

/** Reading position and scratch space shared by the section readers of one parse. */
interface Reader {
  message: Uint8Array;
  at: number;
  name: NameRead;
}

/**
 * Parses one DNS message occupying all of `payload`.
 *
 * @returns The message, or `invalid` with the first problem found; never throws.
 */
export function parseDnsMessage(payload: Uint8Array): ParseResult<DnsMessage, DnsInvalidReason> {
  if (payload.length < HEADER_BYTES) return { kind: "invalid", reason: "truncated_header" };
  const reader: Reader = { message: payload, at: HEADER_BYTES, name: { name: "", next: 0 } };
  const flags = u16(payload, 2);
  const questions: DnsQuestion[] = [];
  for (let i = u16(payload, 4); i > 0; i--) {
    const reason = readQuestion(reader, questions);
    if (reason !== undefined) return { kind: "invalid", reason };
  }
  const sections: DnsRecord[][] = [[], [], []];
  for (let section = 0; section < 3; section++) {
    for (let i = u16(payload, 6 + 2 * section); i > 0; i--) {
      const reason = readRecord(reader, sections[section]!);
      if (reason !== undefined) return { kind: "invalid", reason };
    }
  }
  const message: DnsMessage = {
    id: u16(payload, 0),
    flags: {
      qr: (flags & 0x8000) !== 0,
      opcode: (flags >> 11) & 0xf,
      aa: (flags & 0x0400) !== 0,
      tc: (flags & 0x0200) !== 0,
      rd: (flags & 0x0100) !== 0,
      ra: (flags & 0x0080) !== 0,
      ad: (flags & 0x0020) !== 0,
      cd: (flags & 0x0010) !== 0,
    },
    rcode: flags & 0xf,
    questions,
    answers: sections[0]!,
    authorities: sections[1]!,
    additionals: sections[2]!,
    sizeBytes: reader.at,
  };
  const edns = findEdns(payload, message);
  if (edns !== undefined) message.edns = edns;
  return { kind: "message", message, consumedBytes: reader.at };
}

function readQuestion(reader: Reader, out: DnsQuestion[]): DnsInvalidReason | undefined {
  const reason = readName(reader.message, reader.at, reader.name);
  if (reason !== undefined) return reason;
  const at = reader.name.next;
  if (at + 4 > reader.message.length) return "truncated_question";
  out.push({ name: reader.name.name, type: u16(reader.message, at), class: u16(reader.message, at + 2) });
  reader.at = at + 4;
  return undefined;
}

function readRecord(reader: Reader, out: DnsRecord[]): DnsInvalidReason | undefined {
  const { message } = reader;
  const reason = readName(message, reader.at, reader.name);
  if (reason !== undefined) return reason;
  const at = reader.name.next;
  if (at + 10 > message.length) return "truncated_record";
  const type = u16(message, at);
  const dataEnd = at + 10 + u16(message, at + 8);
  if (dataEnd > message.length) return "truncated_record";
  const name = reader.name.name;
  const ttl = u16(message, at + 4) * 0x10000 + u16(message, at + 6);
  out.push({ name, type, class: u16(message, at + 2), ttl, data: renderRdata(message, type, at + 10, dataEnd) });
  reader.at = dataEnd;
  return undefined;
}

/** EDNS(0) from the first OPT record of the additional section (RFC 6891 §6.1.3: TTL holds rcode, version, DO). */
function findEdns(payload: Uint8Array, message: DnsMessage): DnsEdns | undefined {
  const opt = message.additionals.find((record) => record.type === DnsType.OPT && record.name === ".");
  if (opt === undefined) return undefined;
  return {
    udpPayloadBytes: opt.class,
    extendedRcode: ((opt.ttl >>> 24) << 4) | (u16(payload, 2) & 0xf),
    version: (opt.ttl >>> 16) & 0xff,
    dnssecOk: (opt.ttl & 0x8000) !== 0,
  };
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

/** The DNS parser for the registry: UDP payloads are whole messages; TCP goes through `parseDnsTcp`. */
export const dnsParser: Parser<DnsMessage, DnsInvalidReason> = {
  name: "dns",
  transports: ["udp", "tcp"],
  ports: [53, 5353, 5355],
  invalidReasons: DNS_INVALID_REASONS,
  detect: detectDns,
  parse: parseDnsMessage,
};
