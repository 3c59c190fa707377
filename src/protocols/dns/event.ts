/**
 * Turns a DNS transaction into the `dns` record (plain JSON-ready object). Field names are snake_case like every
 * record; the pipeline adds interface and tunnel fields.
 * @module
 */
import { dnsTypeName } from "./rdata.ts";
import type { DnsTransaction } from "./transaction.ts";
import type { DnsMessage, DnsRecord } from "./types.ts";

const OPCODE_NAMES = ["QUERY", "IQUERY", "STATUS", "", "NOTIFY", "UPDATE", "DSO"];

const RCODE_NAMES: Record<number, string> = {
  0: "NOERROR",
  1: "FORMERR",
  2: "SERVFAIL",
  3: "NXDOMAIN",
  4: "NOTIMP",
  5: "REFUSED",
  6: "YXDOMAIN",
  7: "YXRRSET",
  8: "NXRRSET",
  9: "NOTAUTH",
  10: "NOTZONE",
  11: "DSOTYPENI",
  16: "BADVERS",
  17: "BADKEY",
  18: "BADTIME",
  19: "BADMODE",
  20: "BADNAME",
  21: "BADALG",
  22: "BADTRUNC",
  23: "BADCOOKIE",
};

/** Mnemonic of an opcode ("QUERY"), or its number as text. */
export function dnsOpcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] || String(opcode);
}

/** Mnemonic of a (possibly extended) response code ("NXDOMAIN"), or `RCODE<n>`. */
export function dnsRcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

/** The JSON shape of one resource record in a `dns` record. */
export interface DnsRecordJson {
  name: string;
  type: string;
  class: number;
  ttl: number;
  data: string;
}

function recordJson(record: DnsRecord): DnsRecordJson {
  return { name: record.name, type: dnsTypeName(record.type), class: record.class, ttl: record.ttl, data: record.data };
}

/**
 * Builds the `dns` record of a transaction. Header fields come from the response when there is one (it carries the
 * outcome), else from the request.
 */
export function dnsEvent(transaction: DnsTransaction): Record<string, unknown> {
  const message: DnsMessage = (transaction.response ?? transaction.request)!;
  const question = message.questions[0];
  const rcode = message.edns?.extendedRcode ?? message.rcode;
  const dns: Record<string, unknown> = {
    id: message.id,
    op_code: dnsOpcodeName(message.flags.opcode),
    flags: { ...message.flags },
    question: question === undefined
      ? undefined
      : { name: question.name, type: dnsTypeName(question.type), class: question.class },
  };
  if (transaction.response !== undefined) {
    const response = transaction.response;
    dns.response_code = dnsRcodeName(rcode);
    dns.answers_count = response.answers.length;
    dns.authorities_count = response.authorities.length;
    dns.additionals_count = response.additionals.length;
    dns.answers = response.answers.map(recordJson);
  }
  const event: Record<string, unknown> = {
    type: "dns",
    time_ms: transaction.requestTimeMs ?? transaction.responseTimeMs,
    transport: transaction.transport,
    client: transaction.client,
    server: transaction.server,
    dns,
  };
  if (transaction.request !== undefined) event.request_bytes = transaction.request.sizeBytes;
  if (transaction.response !== undefined) event.response_bytes = transaction.response.sizeBytes;
  if (transaction.latencyMs !== undefined) event.latency_ms = transaction.latencyMs;
  if (transaction.notes.length > 0) event.notes = [...transaction.notes];
  return event;
}
