/**
 * Fills the `RecordHead` of the native parser (`cap_sip_parse_record`, ffi/sip_record.zig) with a `sip` record's
 * common fields, so that the whole record's JSON comes out of the parse call: JSON.stringify of the common fields and
 * the splice of the `sip` text after them cost more than the parse itself (docs/benchmarks.md).
 *
 * The library prints the numbers and copies the text; what it is given must make exactly the JSON that
 * `JSON.stringify(recordBase(...))` makes of the same inputs. So the lead and the task and interface members are made
 * here by JSON.stringify (once per task and interface), and anything the library does not write alike is refused
 * (`fill()` returns false and the record is made in TypeScript): tunnels, more than `RecordHeadLimit.vlansMax` VLAN
 * ids, numbers that are not integers in the struct's ranges, and transports or addresses holding anything but
 * printable ASCII without `"` and `\`. src/pipeline/sip_record_head_test.ts compares the two.
 * @module
 */
import { RecordHead, RecordHeadFlag, RecordHeadLimit } from "../native/abi.ts";
import type { NativeSipParser } from "../native/sip_parse.ts";
import { type LinkContext, RECORD_SCHEMA_VERSION, type RecordTime, type RecordTuple } from "./record_base.ts";

const U16 = 2;
const U32 = 4;
/** Text bytes the lead and the task and interface members may take; longer names make records in TypeScript. */
const FIXED_TEXT_BYTES_MAX = 1024;
/** Longest transport or address text written (an IPv6 address with an embedded IPv4 one is 45 characters). */
const FIELD_TEXT_BYTES_MAX = 64;

const encoder = new TextEncoder();

/** See the module documentation. One per `NativeSipParser`. */
export class SipRecordHead {
  readonly #u32: Uint32Array;
  readonly #u16: Uint16Array;
  readonly #bytes: Uint8Array;
  readonly #text: Uint8Array;
  readonly #leadBytes: number;
  /** Task and interface of the middle members now in the text buffer; `#fixedBytes` < 0 when they do not fit. */
  #task: string | undefined = undefined;
  #interface: string | undefined = undefined;
  #fixedBytes: number;

  constructor(parser: NativeSipParser) {
    this.#u32 = parser.head.u32;
    this.#u16 = parser.head.u16;
    this.#bytes = parser.head.bytes;
    this.#text = parser.headText;
    if (this.#text.length < FIXED_TEXT_BYTES_MAX + 3 * FIELD_TEXT_BYTES_MAX) {
      throw new RangeError("head text too small");
    }
    const lead = JSON.stringify({ type: "sip", v: RECORD_SCHEMA_VERSION }).slice(0, -1);
    this.#leadBytes = encoder.encodeInto(lead, this.#text).written;
    this.#fixedBytes = this.#leadBytes;
    this.#u16[RecordHead.lead_bytes.offset / U16] = this.#leadBytes;
    this.#u16[RecordHead.middle_bytes.offset / U16] = 0;
  }

  /**
   * Fills the head with the common fields of a `sip` record (the arguments of `recordBase("sip", ...)`); false when
   * the library would not write them as JSON.stringify does (see the module documentation).
   */
  fill(time: RecordTime, tuple: RecordTuple, link: LinkContext | undefined, task: string | undefined): boolean {
    if (link?.tunnels !== undefined) return false;
    if (!this.#fillNumbers(time, tuple) || !this.#fillVlans(link?.vlan)) return false;
    let at = this.#fixedText(task, link?.interface);
    if (at < 0) return false;
    const transport = writeAscii(this.#text, at, tuple.transport);
    if (transport < 0) return false;
    const src = writeAscii(this.#text, at += transport, tuple.srcIp);
    if (src < 0) return false;
    const dst = writeAscii(this.#text, at += src, tuple.dstIp);
    if (dst < 0) return false;
    const u16 = this.#u16;
    u16[RecordHead.transport_bytes.offset / U16] = transport;
    u16[RecordHead.src_ip_bytes.offset / U16] = src;
    u16[RecordHead.dst_ip_bytes.offset / U16] = dst;
    return true;
  }

  #fillNumbers(time: RecordTime, tuple: RecordTuple): boolean {
    const { sec, nsec } = time;
    if (!isInteger(sec, 0xffff_ffff) || !isInteger(nsec, 999_999_999)) return false;
    if (!isInteger(tuple.srcPort, 0xffff) || !isInteger(tuple.dstPort, 0xffff)) return false;
    if (!isInteger(tuple.ipVersion, 0xff)) return false;
    const u32 = this.#u32;
    u32[RecordHead.sec.offset / U32] = sec;
    u32[RecordHead.nsec.offset / U32] = nsec;
    u32[RecordHead.flow_hash.offset / U32] = tuple.flowHash >>> 0;
    this.#u16[RecordHead.src_port.offset / U16] = tuple.srcPort;
    this.#u16[RecordHead.dst_port.offset / U16] = tuple.dstPort;
    this.#bytes[RecordHead.ip_version.offset] = tuple.ipVersion;
    this.#bytes[RecordHead.flags.offset] = tuple.flowHash >= 0 ? RecordHeadFlag.FLOW_ID : 0;
    return true;
  }

  #fillVlans(vlans: number[] | undefined): boolean {
    const bytes = this.#bytes;
    if (vlans === undefined) {
      bytes[RecordHead.vlan_count.offset] = 0;
      return true;
    }
    if (vlans.length === 0 || vlans.length > RecordHeadLimit.vlansMax) return false;
    const first = RecordHead.vlan_ids.offset / U16;
    for (let k = 0; k < vlans.length; k++) {
      if (!isInteger(vlans[k], 0xffff)) return false;
      this.#u16[first + k] = vlans[k];
    }
    bytes[RecordHead.vlan_count.offset] = vlans.length;
    bytes[RecordHead.flags.offset] |= RecordHeadFlag.VLAN;
    return true;
  }

  /** Makes the middle members when task or interface changed; the text offset past them, or -1 if too long. */
  #fixedText(task: string | undefined, iface: string | undefined): number {
    if (task !== this.#task || iface !== this.#interface) {
      this.#task = task;
      this.#interface = iface;
      const json = JSON.stringify({ task, interface: iface });
      const middle = json.length > 2 ? `,${json.slice(1, -1)}` : "";
      const room = this.#text.subarray(this.#leadBytes, FIXED_TEXT_BYTES_MAX);
      const { read, written } = encoder.encodeInto(middle, room);
      this.#fixedBytes = read === middle.length ? this.#leadBytes + written : -1;
      this.#u16[RecordHead.middle_bytes.offset / U16] = read === middle.length ? written : 0;
    }
    return this.#fixedBytes;
  }
}

function isInteger(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

/** Writes `text` at `at` when it is printable ASCII without `"` and `\` and not too long: its length, else -1. */
function writeAscii(bytes: Uint8Array, at: number, text: string): number {
  if (text.length > FIELD_TEXT_BYTES_MAX) return -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return -1;
    bytes[at + i] = code;
  }
  return text.length;
}
