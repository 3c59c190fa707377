/**
 * Codec name and RTP clock rate of a payload type: from the SDP `a=rtpmap` when the call gave one, else from the static
 * payload type table of RFC 3551 §6.
 * @module
 */

/** A codec as the stream statistics need it. */
export interface RtpCodec {
  /** Encoding name as in RFC 3551 / the rtpmap, e.g. "PCMU", "opus"; "" when unknown. */
  name: string;
  /** RTP timestamp units per second; 0 when unknown (jitter is then not computed). */
  clockRate: number;
}

/** The unknown codec: no name, no clock. */
export const UNKNOWN_CODEC: RtpCodec = Object.freeze({ name: "", clockRate: 0 });

// RFC 3551 Table 4 and 5 (static payload types); index = payload type.
const STATIC_CODECS: readonly (RtpCodec | undefined)[] = (() => {
  const table: (RtpCodec | undefined)[] = new Array(35).fill(undefined);
  const add = (pt: number, name: string, clockRate: number) => table[pt] = Object.freeze({ name, clockRate });
  add(0, "PCMU", 8000);
  add(3, "GSM", 8000);
  add(4, "G723", 8000);
  add(5, "DVI4", 8000);
  add(6, "DVI4", 16000);
  add(7, "LPC", 8000);
  add(8, "PCMA", 8000);
  // G.722's RTP clock is 8000 although it samples at 16 kHz (RFC 3551 §4.5.2).
  add(9, "G722", 8000);
  add(10, "L16", 44100);
  add(11, "L16", 44100);
  add(12, "QCELP", 8000);
  add(13, "CN", 8000);
  add(14, "MPA", 90000);
  add(15, "G728", 8000);
  add(16, "DVI4", 11025);
  add(17, "DVI4", 22050);
  add(18, "G729", 8000);
  add(19, "CN", 8000);
  add(25, "CelB", 90000);
  add(26, "JPEG", 90000);
  add(28, "nv", 90000);
  add(31, "H261", 90000);
  add(32, "MPV", 90000);
  add(33, "MP2T", 90000);
  add(34, "H263", 90000);
  return table;
})();

/** The static (RFC 3551) codec of a payload type, or `UNKNOWN_CODEC`. */
export function staticCodec(payloadType: number): RtpCodec {
  return STATIC_CODECS[payloadType] ?? UNKNOWN_CODEC;
}

/** An `a=rtpmap` entry (structurally the SDP parser's `SdpRtpMap`). */
export interface RtpMapEntry {
  payloadType: number;
  encoding: string;
  clockRate: number;
}

/**
 * Payload type → codec for one media section: rtpmap entries override the static table (RFC 3264 lets an offer
 * remap even static numbers). Built once per SDP, looked up per packet without allocation.
 */
export class CodecMap {
  readonly #codecs: (RtpCodec | undefined)[] = new Array(128).fill(undefined);

  /** Builds a map from a media section's rtpmaps (invalid payload types are skipped). */
  constructor(rtpmaps: readonly RtpMapEntry[] = []) {
    for (const map of rtpmaps) {
      if (!Number.isInteger(map.payloadType) || map.payloadType < 0 || map.payloadType > 127) continue;
      this.#codecs[map.payloadType] = Object.freeze({ name: map.encoding, clockRate: map.clockRate });
    }
  }

  /** The codec of `payloadType`: the rtpmap's, else the static one, else `UNKNOWN_CODEC`. */
  lookup(payloadType: number): RtpCodec {
    return this.#codecs[payloadType] ?? staticCodec(payloadType);
  }
}

/** True for comfort noise (RFC 3389, PT 13, and the old PT 19) and DTMF events, which do not carry the voice clock. */
export function isAuxiliaryCodec(codec: RtpCodec): boolean {
  const name = codec.name.toLowerCase();
  return name === "cn" || name === "telephone-event";
}
