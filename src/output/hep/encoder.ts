/**
 * HEPv3 frames: `"HEP3"`, u16 total length, then chunks of (u16 vendor 0, u16 type, u16 length incl. this 6-byte
 * header, value), all big-endian. Chunks written, in this order:
 *
 * | id | content                        | id | content                              |
 * | -- | ------------------------------ | -- | ------------------------------------ |
 * | 1  | IP family u8 (2 IPv4, 10 IPv6)  | 11 | protocol type u8 (`HepProtocolType`) |
 * | 2  | IP protocol u8 (17, 6, 132)     | 12 | capture / node id u32                |
 * | 3/4| IPv4 source / destination       | 14 | auth key (when set)                  |
 * | 5/6| IPv6 source / destination       | 15 | payload                              |
 * | 7/8| source / destination port u16   | 17 | correlation id (when set)            |
 * | 9  | seconds u32                     | 19 | node name (when set)                 |
 * | 10 | microseconds u32                |    |                                      |
 *
 * Chunk 12 is what heplify-server calls the node id; there is no other node id chunk in HEPv3. The non-standard
 * chunks 48/49 of the reference agent are not written.
 *
 * @module
 */
import { writeIpv4, writeIpv6 } from "./ip_bytes.ts";

/** Chunk 11 values (the HEPv3 table as heplify and heplify-server use it). */
export const HepProtocolType = {
  SIP: 1,
  /** RTCP as JSON (heplify sends decoded RTCP reports here). */
  RTCP: 5,
  /** RTP stream statistics as JSON ("RTP agent stats"). */
  RTP_STATS: 34,
  RTCP_XR: 35,
  DNS: 53,
  /** JSON or log lines. */
  LOG: 100,
} as const;

/** Chunk type ids written by `encodeHep`. */
export const HepChunk = {
  IP_FAMILY: 1,
  IP_PROTOCOL: 2,
  IPV4_SRC: 3,
  IPV4_DST: 4,
  IPV6_SRC: 5,
  IPV6_DST: 6,
  SRC_PORT: 7,
  DST_PORT: 8,
  TIME_SEC: 9,
  TIME_USEC: 10,
  PROTOCOL_TYPE: 11,
  CAPTURE_ID: 12,
  AUTH_KEY: 14,
  PAYLOAD: 15,
  CORRELATION_ID: 17,
  NODE_NAME: 19,
} as const;

/** The largest frame: the length field is a u16 (and a UDP datagram holds no more). */
export const HEP_FRAME_BYTES_MAX = 65535;

/** One message to frame. */
export interface HepMessage {
  /** 4 or 6, matching the address texts. */
  ipVersion: number;
  /** IP protocol number (17 UDP, 6 TCP, 132 SCTP). */
  ipProtocol: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  timeSec: number;
  timeUsec: number;
  protocolType: number;
  payload: Uint8Array;
  /** Call-ID, or another id tying this message to others. */
  correlationId?: Uint8Array;
}

/** Per-output constants of every frame. */
export interface HepIdentity {
  captureId: number;
  authKey?: Uint8Array;
  nodeName?: Uint8Array;
}

/** Why `encodeHep` produced no frame. */
export type HepEncodeError = "address" | "oversize";

const CHUNK_HEADER_BYTES = 6;

/** Frames messages into one reusable buffer; `encode` returns a view valid until the next call. */
export class HepEncoder {
  readonly #identity: HepIdentity;
  readonly #bytes = new Uint8Array(HEP_FRAME_BYTES_MAX);
  readonly #view = new DataView(this.#bytes.buffer);
  #at = 0;

  constructor(identity: HepIdentity) {
    if (!Number.isInteger(identity.captureId) || identity.captureId < 0 || identity.captureId > 0xffffffff) {
      throw new RangeError(`Cannot use HEP capture id ${identity.captureId}: expected an integer 0..4294967295`);
    }
    this.#identity = identity;
  }

  /** The frame of `message` (a view into the encoder's buffer), or why there is none. */
  encode(message: HepMessage): Uint8Array | HepEncodeError {
    const v6 = message.ipVersion === 6;
    const addressBytes = v6 ? 16 : 4;
    const { authKey, nodeName } = this.#identity;
    // Header, family + protocol + type, addresses, ports, seconds + microseconds, capture id.
    const fixed = 6 + 3 * 7 + 2 * (6 + addressBytes) + 2 * 8 + 2 * 10 + 10;
    const optional = chunkBytes(authKey) + chunkBytes(message.correlationId) + chunkBytes(nodeName);
    if (fixed + optional + CHUNK_HEADER_BYTES + message.payload.length > HEP_FRAME_BYTES_MAX) return "oversize";
    const bytes = this.#bytes;
    bytes.set([0x48, 0x45, 0x50, 0x33], 0); // "HEP3"
    this.#at = 6;
    this.#u8(HepChunk.IP_FAMILY, v6 ? 10 : 2);
    this.#u8(HepChunk.IP_PROTOCOL, message.ipProtocol);
    if (!this.#address(v6 ? HepChunk.IPV6_SRC : HepChunk.IPV4_SRC, message.srcIp, v6)) return "address";
    if (!this.#address(v6 ? HepChunk.IPV6_DST : HepChunk.IPV4_DST, message.dstIp, v6)) return "address";
    this.#u16(HepChunk.SRC_PORT, message.srcPort);
    this.#u16(HepChunk.DST_PORT, message.dstPort);
    this.#u32(HepChunk.TIME_SEC, message.timeSec);
    this.#u32(HepChunk.TIME_USEC, message.timeUsec);
    this.#u8(HepChunk.PROTOCOL_TYPE, message.protocolType);
    this.#u32(HepChunk.CAPTURE_ID, this.#identity.captureId);
    if (authKey !== undefined) this.#raw(HepChunk.AUTH_KEY, authKey);
    this.#raw(HepChunk.PAYLOAD, message.payload);
    if (message.correlationId !== undefined) this.#raw(HepChunk.CORRELATION_ID, message.correlationId);
    if (nodeName !== undefined) this.#raw(HepChunk.NODE_NAME, nodeName);
    this.#view.setUint16(4, this.#at);
    return bytes.subarray(0, this.#at);
  }

  #header(type: number, valueBytes: number): number {
    const at = this.#at;
    this.#view.setUint16(at, 0);
    this.#view.setUint16(at + 2, type);
    this.#view.setUint16(at + 4, CHUNK_HEADER_BYTES + valueBytes);
    this.#at = at + CHUNK_HEADER_BYTES + valueBytes;
    return at + CHUNK_HEADER_BYTES;
  }

  #u8(type: number, value: number): void {
    this.#view.setUint8(this.#header(type, 1), value);
  }

  #u16(type: number, value: number): void {
    this.#view.setUint16(this.#header(type, 2), value);
  }

  #u32(type: number, value: number): void {
    this.#view.setUint32(this.#header(type, 4), value >>> 0);
  }

  #raw(type: number, value: Uint8Array): void {
    this.#bytes.set(value, this.#header(type, value.length));
  }

  #address(type: number, text: string, v6: boolean): boolean {
    const at = this.#header(type, v6 ? 16 : 4);
    return v6 ? writeIpv6(text, this.#bytes, at) : writeIpv4(text, this.#bytes, at);
  }
}

function chunkBytes(value: Uint8Array | undefined): number {
  return value === undefined ? 0 : CHUNK_HEADER_BYTES + value.length;
}

/** One chunk of a decoded frame. */
export interface HepChunkValue {
  vendor: number;
  type: number;
  value: Uint8Array;
}

/** Splits a frame into chunks (tests and diagnostics); null when it is not one whole HEPv3 frame. */
export function decodeHep(frame: Uint8Array): HepChunkValue[] | null {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame.length < 6 || view.getUint32(0) !== 0x48455033 || view.getUint16(4) !== frame.length) return null;
  const chunks: HepChunkValue[] = [];
  for (let at = 6; at < frame.length;) {
    if (at + CHUNK_HEADER_BYTES > frame.length) return null;
    const length = view.getUint16(at + 4);
    if (length < CHUNK_HEADER_BYTES || at + length > frame.length) return null;
    chunks.push({
      vendor: view.getUint16(at),
      type: view.getUint16(at + 2),
      value: frame.subarray(at + CHUNK_HEADER_BYTES, at + length),
    });
    at += length;
  }
  return chunks;
}
