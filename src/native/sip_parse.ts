/**
 * The native SIP parser (`cap_sip_parse`, ffi/sip.zig): one FFI call parses a payload and writes the JSON of its `sip`
 * record object, byte for byte `JSON.stringify(sipFields(message))` of `parseSipMessage`, plus a `SipSummary` of byte
 * ranges for call tracking. Messages it cannot prove it handles alike (header sections that are not valid UTF-8 or hold
 * non-ASCII whitespace, folded headers, escaped tags, ...) come back as `SIP_NATIVE_FALLBACK`, for `parseSipMessage` to
 * parse. The only caller of `cap_sip_parse`.
 * @module
 */
import { RecordHead, SipParse, SipReason, SipSpan, SipSummary } from "./abi.ts";
import { captureLibrary } from "./lib.ts";

/** Return value meaning "parse this message with parseSipMessage instead". */
export const SIP_NATIVE_FALLBACK = SipParse.fallback;

const decoder = new TextDecoder();

/** Default capacity of the JSON buffer: any SIP message's `sip` object a UDP datagram can carry fits. */
const JSON_CAPACITY_DEFAULT = 65536;

const WORD = 4;
const START = SipSpan.start.offset / WORD;
const END = SipSpan.end.offset / WORD;

function word(field: { offset: number }): number {
  return field.offset / WORD;
}

/** Indexes of the `SipSummary` fields in `NativeSipParser.summary` (a span's end word is its start word + 1). */
export const SipSummaryWord = {
  kind: word(SipSummary.kind),
  statusCode: word(SipSummary.status_code),
  cseqSeq: word(SipSummary.cseq_seq),
  bodyOffset: word(SipSummary.body_offset),
  bodyLength: word(SipSummary.body_length),
  consumedBytes: word(SipSummary.consumed_bytes),
  malformedHeaderLines: word(SipSummary.malformed_header_lines),
  flags: word(SipSummary.flags),
  reasonsCount: word(SipSummary.reasons_count),
  jsonBytes: word(SipSummary.json_bytes),
  methodStart: word(SipSummary.method) + START,
  methodEnd: word(SipSummary.method) + END,
  callIdStart: word(SipSummary.call_id) + START,
  callIdEnd: word(SipSummary.call_id) + END,
  cseqMethodStart: word(SipSummary.cseq_method) + START,
  cseqMethodEnd: word(SipSummary.cseq_method) + END,
  fromUriStart: word(SipSummary.from_uri) + START,
  fromUriEnd: word(SipSummary.from_uri) + END,
  fromTagStart: word(SipSummary.from_tag) + START,
  fromTagEnd: word(SipSummary.from_tag) + END,
  toUriStart: word(SipSummary.to_uri) + START,
  toUriEnd: word(SipSummary.to_uri) + END,
  toTagStart: word(SipSummary.to_tag) + START,
  toTagEnd: word(SipSummary.to_tag) + END,
  contentTypeStart: word(SipSummary.content_type) + START,
  contentTypeEnd: word(SipSummary.content_type) + END,
  userAgentStart: word(SipSummary.user_agent) + START,
  userAgentEnd: word(SipSummary.user_agent) + END,
} as const;

/** `SipSummary.kind` values and `flags` bits. */
export const SipSummaryKind = { request: SipParse.kindRequest, response: SipParse.kindResponse } as const;
export { SipSummaryFlag } from "./abi.ts";

/** Reason values a summary holds (`reasons_count` is at most this; a message with more falls back). */
export const SIP_SUMMARY_REASONS_MAX = SipParse.reasonsMax;

/** A word of one summary Reason; `cause` is read from `summaryI32` (-1 when absent). */
export type SipReasonField = "protocolStart" | "protocolEnd" | "textStart" | "textEnd" | "cause";

const REASON_FIELD_WORDS: Record<SipReasonField, number> = {
  protocolStart: word(SipReason.protocol) + START,
  protocolEnd: word(SipReason.protocol) + END,
  textStart: word(SipReason.text) + START,
  textEnd: word(SipReason.text) + END,
  cause: word(SipReason.cause),
};

/** Index in `NativeSipParser.summary` (or `summaryI32`) of `field` of Reason `index` (< `SIP_SUMMARY_REASONS_MAX`). */
export function sipReasonWord(index: number, field: SipReasonField): number {
  return word(SipSummary.reasons) + index * (SipReason.size / WORD) + REASON_FIELD_WORDS[field];
}

type SipParseSymbol = (
  payload: Uint8Array,
  payloadBytes: number,
  summary: Uint32Array,
  json: Uint8Array,
  jsonCapacity: number,
) => number;

type SipParseRecordSymbol = (
  payload: Uint8Array,
  payloadBytes: number,
  head: Uint8Array,
  text: Uint8Array,
  textBytes: number,
  summary: Uint32Array,
  json: Uint8Array,
  jsonCapacity: number,
) => number;

/** Capacity of `NativeSipParser.headText`: the lead, the task and interface members, the transport, two addresses. */
export const RECORD_HEAD_TEXT_BYTES = 2048;

/** One parser: its JSON buffer and summary are reused by every call (valid until the next one). */
export class NativeSipParser {
  /** The JSON output buffer (valid until the next parse). */
  readonly json: Uint8Array<ArrayBuffer>;
  /** The SipSummary struct of the last parse, as u32 words (`SipSummaryWord`, `sipReasonWord`). */
  readonly summary: Uint32Array<ArrayBuffer>;
  /** The same words as i32, for `cause`. */
  readonly summaryI32: Int32Array<ArrayBuffer>;
  /**
   * The `RecordHead` struct `parseRecord` reads (src/pipeline/sip_record_head.ts fills it): three views of one buffer,
   * indexed by `RecordHead` offsets divided by the view's element size.
   */
  readonly head: { bytes: Uint8Array<ArrayBuffer>; u16: Uint16Array<ArrayBuffer>; u32: Uint32Array<ArrayBuffer> };
  /** The text segments of the head, one after another from byte 0 (`RecordHead.*_bytes` give their lengths). */
  readonly headText: Uint8Array<ArrayBuffer> = new Uint8Array(RECORD_HEAD_TEXT_BYTES);
  readonly #parse: SipParseSymbol;
  readonly #parseRecord: SipParseRecordSymbol;
  /** `json`'s address (its backing store never moves), for reading a record's JSON as a C string. */
  readonly #jsonPointer: Deno.PointerObject | null;

  /** @throws {CaptureError} when the capture library cannot be loaded. */
  constructor(jsonCapacityBytes: number = JSON_CAPACITY_DEFAULT) {
    if (!Number.isInteger(jsonCapacityBytes) || jsonCapacityBytes < 0 || jsonCapacityBytes > 0xffffffff) {
      throw new RangeError(`jsonCapacityBytes must be an integer from 0 to 2^32 - 1, got ${jsonCapacityBytes}`);
    }
    const symbols = captureLibrary();
    this.#parse = symbols.cap_sip_parse as SipParseSymbol;
    this.#parseRecord = symbols.cap_sip_parse_record as SipParseRecordSymbol;
    this.json = new Uint8Array(jsonCapacityBytes);
    this.#jsonPointer = Deno.UnsafePointer.of(this.json);
    const buffer = new ArrayBuffer(SipSummary.size);
    this.summary = new Uint32Array(buffer);
    this.summaryI32 = new Int32Array(buffer);
    const head = new ArrayBuffer(RecordHead.size);
    this.head = { bytes: new Uint8Array(head), u16: new Uint16Array(head), u32: new Uint32Array(head) };
  }

  /** ≥ 0: JSON bytes in `json` [0, n); -(1+k): invalid reason index k (`SIP_INVALID_REASONS`); SIP_NATIVE_FALLBACK. */
  parse(payload: Uint8Array): number {
    return this.#parse(payload, payload.length, this.summary, this.json, this.json.length);
  }

  /**
   * `parse`, with the JSON of the whole `sip` record: the common fields `head` and `headText` describe, then `"sip":`
   * and the `sip` object (`cap_sip_parse_record`); ≥ 0 counts the whole record's bytes.
   */
  parseRecord(payload: Uint8Array): number {
    const json = this.json;
    const text = this.headText;
    return this.#parseRecord(
      payload,
      payload.length,
      this.head.bytes,
      text,
      text.length,
      this.summary,
      json,
      json.length,
    );
  }

  /**
   * The JSON of the last `parseRecord`, which returned `jsonBytes` (≥ 0): the library ends it with a NUL, and reading
   * it as a C string (valid UTF-8, no NUL inside) makes the same string as a TextDecoder, in about half the time. The
   * NUL is checked first, so a library that did not write it cannot make the string run on into an older record.
   */
  recordText(jsonBytes: number): string {
    const json = this.json;
    if (this.#jsonPointer === null || jsonBytes >= json.length || json[jsonBytes] !== 0) {
      return decoder.decode(json.subarray(0, jsonBytes));
    }
    return Deno.UnsafePointerView.getCString(this.#jsonPointer);
  }
}
