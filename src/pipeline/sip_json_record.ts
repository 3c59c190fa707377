/**
 * A `sip` record made from JSON text the native parser wrote (src/pipeline/native_sip.ts): usually the whole record's
 * (`cap_sip_parse_record`), which outputs take as it is (`valueJson()`); or, when the parser could not write the common
 * fields (tunnels, ...), the `sip` object's, byte for byte what `sipFields()` serialises to, which outputs splice after
 * the common fields' JSON. The `sip` object itself is parsed only if something reads it.
 *
 * It reads as any other `sip` record: the common fields are own properties, `sip` is a getter, and `toJSON()` makes
 * `JSON.stringify(record)` give the same text as `valueJson(record)`. A getter on the prototype, not on each record:
 * an accessor property per object costs V8 about 2 µs to create, more than the parse it would stand for.
 * @module
 */

import { PREBUILT_JSON, type PrebuiltJson, spliceJsonMember } from "../output/prebuilt_json.ts";
import { copyRecordBase, type RecordBase } from "./record_base.ts";
import type { SipFields, SipRecord } from "./records.ts";

/** The common fields of the record, as own properties (declaration merging with the class below). */
export interface SipJsonRecord extends RecordBase {}

/** See the module documentation. */
export class SipJsonRecord implements SipRecord, PrebuiltJson {
  declare type: "sip";
  /** The `sip` object's JSON, or the whole record's when `#whole`. */
  readonly #json: string;
  readonly #whole: boolean;
  readonly #callId: string;
  #sip: SipFields | undefined;

  /**
   * `base` must be a `sip` record base and `callId` the message's `call_id`; `json` is the `sip` object's JSON, or
   * with `whole` the whole record's, `JSON.stringify` of `base` with the `sip` member after its fields.
   */
  constructor(base: RecordBase, json: string, callId: string, whole = false) {
    copyRecordBase(this, base);
    this.#json = json;
    this.#whole = whole;
    this.#callId = callId;
  }

  /** The `sip` object (parsed from its JSON on first read). */
  get sip(): SipFields {
    return this.#sip ??= this.#whole ? (JSON.parse(this.#json) as SipRecord).sip : JSON.parse(this.#json) as SipFields;
  }

  /** The message's Call-ID, without parsing `sip`. */
  get callId(): string {
    return this.#callId;
  }

  /** The record as a plain object, for `JSON.stringify`. */
  toJSON(): SipRecord {
    return { ...this, sip: this.sip };
  }

  /** The record's JSON: made whole by the parser, or the common fields' JSON with the `sip` text spliced in. */
  [PREBUILT_JSON](): string {
    return this.#whole ? this.#json : spliceJsonMember({ ...this }, "sip", this.#json);
  }
}
