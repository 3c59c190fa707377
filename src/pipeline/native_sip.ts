/**
 * The pipeline's side of the native SIP parser (src/native/sip_parse.ts): one FFI call parses a message and writes the
 * JSON of its whole `sip` record (with `head` filled; else of its `sip` object); the `sip` record is made from that
 * text, and call tracking gets the few fields it reads,
 * decoded from the summary's byte ranges. Messages the native parser does not take (header sections that are not valid
 * UTF-8 or hold non-ASCII whitespace, folded headers, ...) come back as "fallback" and go through `parseSipMessage` as
 * before.
 * @module
 */

import { ENV_NATIVE_SIP } from "../config/defaults.ts";
import {
  NativeSipParser,
  SIP_NATIVE_FALLBACK,
  SIP_SUMMARY_REASONS_MAX,
  sipReasonWord,
  SipSummaryFlag,
  SipSummaryKind,
  SipSummaryWord,
} from "../native/sip_parse.ts";
import { asciiString } from "../protocols/sip/_flat.ts";
import {
  SIP_INVALID_REASONS,
  type SipDialogMessage,
  type SipDialogParty,
  type SipInvalidReason,
  type SipReason,
} from "../protocols/sip/mod.ts";
import { SipRecordHead } from "./sip_record_head.ts";

/** What `NativeSip.parse()` found: a message (JSON in the parser), an invalid one, or one to parse in TypeScript. */
export type NativeSipOutcome = "message" | SipInvalidReason | "fallback";

/** Wraps one `NativeSipParser` for a pipeline (one per pipeline: its buffers hold the last message). */
export class NativeSip {
  readonly #parser: NativeSipParser;
  readonly #decoder = new TextDecoder();
  /** The common fields `parse(payload, true)` writes before the `sip` object. */
  readonly head: SipRecordHead;
  #payload: Uint8Array = new Uint8Array(0);
  #jsonBytes = 0;
  #recordJson = false;

  private constructor(parser: NativeSipParser) {
    this.#parser = parser;
    this.head = new SipRecordHead(parser);
  }

  /**
   * The native parser, or undefined when the capture library cannot be loaded (e.g. a bundle run without it) or
   * `CAPTURE_AGENT_NATIVE_SIP=0` turns it off: the pipeline then parses every message in TypeScript.
   */
  static open(): NativeSip | undefined {
    if (Deno.env.get(ENV_NATIVE_SIP) === "0") return undefined;
    try {
      return new NativeSip(new NativeSipParser());
    } catch {
      return undefined;
    }
  }

  /**
   * Parses `payload`; the accessors below describe it until the next call. With `headed` (`head` filled for this
   * message) the JSON is the whole `sip` record's, else the `sip` object's (`recordJson` tells which).
   */
  parse(payload: Uint8Array, headed = false): NativeSipOutcome {
    const result = headed ? this.#parser.parseRecord(payload) : this.#parser.parse(payload);
    this.#payload = payload;
    this.#recordJson = headed;
    if (result >= 0) {
      this.#jsonBytes = result;
      return "message";
    }
    if (result === SIP_NATIVE_FALLBACK) return "fallback";
    return SIP_INVALID_REASONS[-result - 1] ?? "fallback";
  }

  /** True when `jsonText()` is the whole record's JSON, false when it is the `sip` object's. */
  get recordJson(): boolean {
    return this.#recordJson;
  }

  /** The JSON text of the last message: the whole `sip` record's or its `sip` object's (`recordJson`). */
  jsonText(): string {
    if (this.#recordJson) return this.#parser.recordText(this.#jsonBytes);
    return this.#decoder.decode(this.#parser.json.subarray(0, this.#jsonBytes));
  }

  /**
   * The Call-ID of the last message, a string of its own. Not a slice of the JSON text, though cheaper: every record
   * that later holds a sliced string (rtp_packet, rtp_stream, call) makes `JSON.stringify` leave its fast path,
   * 0.7 → 2.6–3.1 µs for an `rtp_packet` record (src/protocols/sip/_flat.ts).
   */
  callId(): string {
    return this.#span(SipSummaryWord.callIdStart);
  }

  /** The last message as call tracking reads it (`callId` already read by the caller). */
  dialogMessage(callId: string): SipDialogMessage {
    const words = this.#parser.summary;
    const base = {
      callId,
      cseq: { seq: words[SipSummaryWord.cseqSeq], method: this.#span(SipSummaryWord.cseqMethodStart) },
      from: (words[SipSummaryWord.flags] & SipSummaryFlag.FROM) !== 0
        ? this.#party(SipSummaryWord.fromUriStart, SipSummaryWord.fromTagStart)
        : undefined,
      to: (words[SipSummaryWord.flags] & SipSummaryFlag.TO) !== 0
        ? this.#party(SipSummaryWord.toUriStart, SipSummaryWord.toTagStart)
        : undefined,
      userAgent: this.#span(SipSummaryWord.userAgentStart),
      contentType: this.#span(SipSummaryWord.contentTypeStart),
      reasons: this.#reasons(),
      bodyOffset: words[SipSummaryWord.bodyOffset],
      bodyLength: words[SipSummaryWord.bodyLength],
    };
    if (words[SipSummaryWord.kind] === SipSummaryKind.request) {
      return { kind: "request", method: this.#span(SipSummaryWord.methodStart), ...base };
    }
    return { kind: "response", statusCode: words[SipSummaryWord.statusCode], ...base };
  }

  #party(uriWord: number, tagWord: number): SipDialogParty {
    return { uri: this.#span(uriWord), tag: this.#span(tagWord) };
  }

  #reasons(): SipReason[] {
    const count = Math.min(this.#parser.summary[SipSummaryWord.reasonsCount], SIP_SUMMARY_REASONS_MAX);
    const reasons: SipReason[] = [];
    for (let i = 0; i < count; i++) {
      const cause = this.#parser.summaryI32[sipReasonWord(i, "cause")];
      reasons.push({
        protocol: this.#span(sipReasonWord(i, "protocolStart")),
        cause: cause < 0 ? undefined : cause,
        text: this.#span(sipReasonWord(i, "textStart")),
      });
    }
    return reasons;
  }

  /**
   * The text of the span whose start is word `startWord` (its end is the next word): valid UTF-8 without a BOM by
   * contract (docs/abi.md, plain UTF-8), so decoding gives the string `parseSipMessage` gives.
   */
  #span(startWord: number): string {
    const words = this.#parser.summary;
    const start = words[startWord];
    const end = words[startWord + 1];
    return asciiString(this.#payload, start, end) ?? this.#decoder.decode(this.#payload.subarray(start, end));
  }
}
