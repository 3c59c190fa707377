/**
 * What one fuzz input is fed to: the packet pipeline of its link type (one long-lived `Pipeline` per link type, so
 * stream, fragment and call state builds up across inputs), or one of the standalone parsers. Each call returns
 * normally or throws; the runner treats a throw as a crash.
 */
import { createPacketBatch, type PacketBatch } from "../../src/capture/batch.ts";
import { NativeSip } from "../../src/pipeline/native_sip.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { PROTOCOL_NAMES } from "../../src/pipeline/protocols.ts";
import { detectSip, parseSipMessage, sipFrameLength } from "../../src/protocols/sip/mod.ts";
import { parseSdp } from "../../src/protocols/sdp/mod.ts";
import { detectDns, dnsFrameLength, parseDnsMessage, parseDnsTcp } from "../../src/protocols/dns/mod.ts";
import { HttpStream, parseHttpMessage } from "../../src/protocols/http/mod.ts";
import { detectRtcp, parseRtcp } from "../../src/protocols/rtcp/mod.ts";
import { createWebSocketStats, WebSocketConnection, WsFrameReader } from "../../src/protocols/websocket/mod.ts";
import type { Prng } from "./_prng.ts";

/** A standalone parser fed one input; `rng` chooses how a stream is split into deliveries. */
export type ParserTarget = (input: Uint8Array, rng: Prng) => void;

/** The native SIP parser (cap_sip_parse) when the library is built: fed every SIP input too. */
const nativeSip = NativeSip.open();

/** Standalone parsers by name. */
export const PARSER_TARGETS: Record<string, ParserTarget> = {
  sip: (input) => {
    detectSip(input);
    parseSipMessage(input);
    sipFrameLength(input);
    nativeSip?.parse(input);
  },
  sdp: (input) => void parseSdp(input),
  dns: (input) => {
    detectDns(input);
    parseDnsMessage(input);
    dnsFrameLength(input);
    parseDnsTcp(input);
  },
  http: (input, rng) => {
    parseHttpMessage(input);
    feedHttpStream(input, rng);
  },
  rtcp: (input) => {
    detectRtcp(input);
    parseRtcp(input);
  },
  websocket: feedWebSocket,
  websocketConnection: feedWebSocketConnection,
};

const HTTP_HOOKS = {
  onHead() {},
  onMessage() {},
  responseFraming: () => "normal" as const,
  onInvalid() {},
};

function feedHttpStream(input: Uint8Array, rng: Prng): void {
  const stream = new HttpStream(HTTP_HOOKS, undefined, 1 + rng.below(8192));
  let timeMs = 0;
  forEachPiece(input, rng, (piece) => stream.feed(piece, timeMs++));
}

const WS_STATS = createWebSocketStats();

function feedWebSocket(input: Uint8Array, rng: Prng): void {
  const reader = new WsFrameReader({ fromClient: rng.oneIn(2), stats: WS_STATS, messageBytesMax: 1 + rng.below(4096) });
  reader.deflate = rng.oneIn(4);
  const sink = { message() {} };
  forEachPiece(input, rng, (piece) => {
    if (rng.oneIn(32)) reader.gap();
    reader.push(input, piece.byteOffset - input.byteOffset, piece.length, sink);
  });
}

/** A connection's bytes in random pieces: the first pieces (the request) from the client, then either direction. */
function feedWebSocketConnection(input: Uint8Array, rng: Prng): void {
  const connection = new WebSocketConnection({
    protocol: "sip",
    stats: WS_STATS,
    messageBytesMax: 1 + rng.below(4096),
  });
  const sink = { message() {} };
  let pieces = 0;
  forEachPiece(input, rng, (piece) => {
    const direction = pieces++ < 2 ? 0 : rng.below(2);
    if (rng.oneIn(32)) connection.gap(direction);
    connection.push(direction, input, piece.byteOffset - input.byteOffset, piece.length, sink);
  });
}

/** Splits `input` at random points (a byte stream arrives in any segmentation). */
function forEachPiece(input: Uint8Array, rng: Prng, use: (piece: Uint8Array) => void): void {
  let at = 0;
  while (at < input.length) {
    const length = rng.oneIn(3) ? input.length - at : 1 + rng.below(input.length - at);
    use(input.subarray(at, at + length));
    at += length;
  }
}

/** One pipeline per link type, fed one packet per `process` call so each input is timed alone. */
export class PipelineTarget {
  readonly #pipelines = new Map<number, Pipeline>();
  readonly #batch: PacketBatch = createPacketBatch(1);
  #timeSec = 1_700_000_000;
  #nsec = 0;
  recordsSeen = 0;

  /** Processes `frame` as one packet of `linkType`; the clock mostly advances by microseconds, sometimes jumps. */
  process(linkType: number, frame: Uint8Array, rng: Prng): void {
    let pipeline = this.#pipelines.get(linkType);
    if (pipeline === undefined) {
      pipeline = new Pipeline({ protocols: [...PROTOCOL_NAMES], interfaces: ["fuzz0"] });
      this.#pipelines.set(linkType, pipeline);
    }
    this.#advanceClock(rng);
    const batch = this.#batch;
    batch.linkType = linkType;
    batch.data = frame;
    batch.count = 1;
    batch.offsets[0] = 0;
    batch.capturedBytes[0] = frame.length;
    batch.wireBytes[0] = rng.oneIn(16) ? frame.length + rng.below(1500) : frame.length;
    batch.flags[0] = rng.oneIn(16) ? rng.below(4) : 0;
    batch.vlanTci[0] = rng.below(0x10000);
    batch.vlanTpid[0] = 0x8100;
    batch.packetType[0] = rng.below(5);
    batch.timestampSec[0] = this.#timeSec;
    batch.timestampNsec[0] = this.#nsec;
    pipeline.process(batch);
    this.recordsSeen += pipeline.queue.drain().length;
  }

  /** Ends every pipeline (flushes calls, streams and transactions), as at the end of a capture. */
  finish(): void {
    for (const pipeline of this.#pipelines.values()) {
      pipeline.finish();
      this.recordsSeen += pipeline.queue.drain().length;
    }
  }

  #advanceClock(rng: Prng): void {
    if (rng.oneIn(2000)) this.#timeSec += 1 + rng.below(600);
    this.#nsec += rng.below(2_000_000);
    if (this.#nsec >= 1e9) {
      this.#nsec -= 1e9;
      this.#timeSec++;
    }
  }
}
