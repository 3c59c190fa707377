/**
 * An `rtp_packet` record that writes its own JSON (`rtpPacketJson()`, through `valueJson()`): one record per RTP
 * packet, where `JSON.stringify` was most of the Kafka output's CPU.
 *
 * It is otherwise the plain record it replaces: its own enumerable properties are the common fields (copied in
 * `recordBase()`'s order) then `rtp_packet`, so `JSON.stringify`, spreads, `Object.keys` and readers of
 * `record.rtp_packet` see exactly what they saw. The JSON method is on the prototype under a symbol key, which
 * `JSON.stringify` and `Object.keys` skip.
 * @module
 */

import type { RtpPacketRecord } from "../protocols/calls/mod.ts";
import { PREBUILT_JSON, type PrebuiltJson } from "../output/prebuilt_json.ts";
import { copyRecordBase, type RecordBase } from "./record_base.ts";
import type { RtpPacketFields, RtpPacketRecordOut } from "./records.ts";
import { rtpPacketJson } from "./rtp_packet_json.ts";

/** The common fields of the record, as own properties (declaration merging with the class below). */
export interface RtpPacketJsonRecord extends RecordBase {}

/** See the module documentation. */
export class RtpPacketJsonRecord implements RtpPacketRecordOut, PrebuiltJson {
  // `declare`: a field initialiser would make the property first, before the common fields, and change the JSON.
  declare type: "rtp_packet";
  declare rtp_packet: RtpPacketFields;
  /** The packet's stream (`RtpPacketRecord.stream`); a private field is no property of the record. */
  readonly #stream: object | undefined;

  /** The record of `packet`, with the common fields of `base`. */
  constructor(base: RecordBase, packet: RtpPacketRecord) {
    copyRecordBase(this, base);
    this.type = "rtp_packet";
    // Field by field: this runs per packet, snake-casing by reflection would not.
    this.rtp_packet = {
      call_id: packet.callId,
      ssrc: packet.ssrc,
      seq: packet.seq,
      timestamp: packet.timestamp,
      payload_type: packet.payloadType,
      marker: packet.marker,
      payload_bytes: packet.payloadBytes,
      codec: packet.codec,
      clock_rate: packet.clockRate,
      media: packet.media,
    };
    this.#stream = packet.stream;
  }

  /** The record's JSON, exactly `JSON.stringify(this)`. */
  [PREBUILT_JSON](): string {
    return rtpPacketJson(this, this.#stream);
  }
}
