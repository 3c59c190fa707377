/**
 * DNS over UDP and TCP: message parser (`parser.ts`), TCP framing (`framing.ts`), query/response pairing
 * (`transaction.ts`) and the `dns` record (`event.ts`).
 * @module
 */
export * from "./types.ts";
export { detectDns, dnsParser, HEADER_BYTES, parseDnsMessage } from "./parser.ts";
export { dnsFrameLength, LENGTH_PREFIX_BYTES, parseDnsTcp } from "./framing.ts";
export { labelText, NAME_POINTERS_MAX, NAME_WIRE_BYTES_MAX, readName } from "./name.ts";
export { DnsType, dnsTypeName, formatIpv4, formatIpv6, renderRdata } from "./rdata.ts";
export * from "./transaction.ts";
export { dnsEvent, dnsOpcodeName, dnsRcodeName, type DnsRecordJson } from "./event.ts";
