import assert from "node:assert/strict";
import { Prng } from "../../tests/fuzz/_prng.ts";
import { valueJson } from "../output/prebuilt_json.ts";
import type { RtpPacketRecord } from "../protocols/calls/mod.ts";
import { recordCallId } from "./output_record.ts";
import { type LinkContext, type RecordBase, recordBase, type RecordTuple } from "./record_base.ts";
import type { RtpPacketRecordOut } from "./records.ts";
import { RtpPacketJsonRecord } from "./rtp_packet_json_record.ts";

/** Text that JSON escapes or that is not ASCII: quotes, backslashes, controls, DEL, accents, CJK, emoji, surrogates. */
const PIECES = [
  '"',
  "\\",
  "\n",
  "\r",
  "\t",
  "\0",
  "\x1f",
  "\x7f",
  "é",
  "日本",
  "😀",
  "\ud800",
  "\udfff",
  "/",
  "<",
  " ",
];

function text(prng: Prng): string {
  let value = "";
  const pieces = prng.below(6);
  for (let i = 0; i < pieces; i++) {
    value += prng.oneIn(3)
      ? prng.pick(PIECES)
      : String.fromCharCode(...prng.bytes(1 + prng.below(8)).map((b) => 32 + b % 95));
  }
  return value;
}

function address(prng: Prng): string {
  if (prng.oneIn(2)) return [prng.below(256), prng.below(256), prng.below(256), prng.below(256)].join(".");
  const groups = Array.from({ length: 8 }, () => prng.below(0x10000).toString(16));
  return prng.oneIn(2) ? groups.join(":") : `${groups[0]}:${groups[1]}::${groups[7]}`;
}

const EDGES = [0, 1, 0x7fffffff, 0x80000000, 2 ** 32 - 1];

function u32(prng: Prng): number {
  return prng.oneIn(4) ? prng.pick(EDGES) : prng.u32();
}

function link(prng: Prng): LinkContext | undefined {
  if (prng.oneIn(3)) return undefined;
  const context: LinkContext = {};
  if (prng.oneIn(2)) context.interface = prng.oneIn(2) ? "eth0" : text(prng);
  if (prng.oneIn(4)) context.vlan = Array.from({ length: 1 + prng.below(2) }, () => prng.below(4096));
  if (prng.oneIn(5)) {
    context.tunnels = [{
      type: "vxlan",
      id: prng.below(1 << 24),
      src_ip: address(prng),
      dst_ip: address(prng),
      protocol: 17,
    }];
    if (prng.oneIn(2)) Object.assign(context.tunnels[0], { src_port: prng.below(65536), dst_port: 4789 });
  }
  return context;
}

/** One stream: the values every packet of it shares (the same string objects, as the pipeline gives them). */
interface Stream {
  key: object;
  tuple: RecordTuple | undefined;
  link: LinkContext | undefined;
  task: string | undefined;
  packet: Omit<RtpPacketRecord, "seq" | "timestamp" | "marker" | "timeMs">;
}

function stream(prng: Prng): Stream {
  const v6 = prng.oneIn(3);
  const tuple = prng.oneIn(8) ? undefined : {
    ipVersion: prng.oneIn(8) ? 0 : v6 ? 6 : 4,
    transport: prng.oneIn(8) ? text(prng) : "udp",
    srcIp: address(prng),
    srcPort: prng.below(65536),
    dstIp: address(prng),
    dstPort: prng.below(65536),
    flowHash: prng.oneIn(5) ? -1 : u32(prng),
  };
  const packet = {
    callId: prng.oneIn(4) ? "" : text(prng),
    srcIp: tuple?.srcIp ?? "",
    srcPort: tuple?.srcPort ?? 0,
    dstIp: tuple?.dstIp ?? "",
    dstPort: tuple?.dstPort ?? 0,
    ssrc: u32(prng),
    payloadType: prng.below(128),
    payloadBytes: prng.oneIn(4) ? 0 : prng.below(1500),
    codec: prng.oneIn(2) ? "PCMA" : text(prng),
    clockRate: prng.pick([8000, 16000, 90000, 0]),
    media: prng.oneIn(2) ? "audio" : text(prng),
    stream: {},
  };
  return { key: packet.stream, tuple, link: link(prng), task: prng.oneIn(3) ? undefined : text(prng), packet };
}

/** Before RtpPacketJsonRecord: the plain object, as `rtpPacketRecord()` made it. */
function plainRecord(base: RecordBase, packet: RtpPacketRecord): RtpPacketRecordOut {
  return {
    ...base,
    type: "rtp_packet",
    rtp_packet: {
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
    },
  };
}

/** Changes one value of a stream, as a payload type, codec or SSRC may change mid-stream. */
function change(prng: Prng, s: Stream): void {
  const { packet, tuple, link } = s;
  const changes: (() => unknown)[] = [
    () => packet.payloadBytes = prng.below(1500),
    () => packet.payloadType = prng.below(128),
    () => packet.codec = text(prng),
    () => packet.clockRate = prng.pick([8000, 48000]),
    () => packet.media = text(prng),
    () => packet.callId = text(prng),
    () => packet.ssrc = u32(prng),
    () => s.task = prng.oneIn(4) ? undefined : text(prng),
  ];
  if (link !== undefined) changes.push(() => link.interface = prng.oneIn(4) ? undefined : text(prng));
  if (link?.vlan !== undefined) changes.push(() => link.vlan = [prng.below(4096)]);
  if (link?.tunnels !== undefined) changes.push(() => link.tunnels![0].id = prng.below(1 << 24));
  if (tuple !== undefined) {
    changes.push(
      () => tuple.flowHash = prng.oneIn(4) ? -1 : u32(prng),
      () => tuple.srcIp = address(prng),
      () => tuple.srcPort = prng.below(65536),
      () => tuple.dstIp = address(prng),
      () => tuple.dstPort = prng.below(65536),
      () => tuple.ipVersion = prng.pick([0, 4, 6]),
      () => tuple.transport = text(prng),
    );
  }
  prng.pick(changes)();
}

/** The next packet of `s`; now and then one of its values changes first. */
function next(prng: Prng, s: Stream): { base: RecordBase; packet: RtpPacketRecord } {
  if (prng.oneIn(8)) change(prng, s);
  const time = prng.oneIn(10)
    ? { sec: prng.pick([0, 1, 2 ** 32 - 1, 9_999_999_999]), nsec: prng.pick([0, 1, 999_999, 999_999_999]) }
    : { sec: 1_700_000_000 + prng.below(1e6), nsec: prng.below(1e9) };
  const packet = { ...s.packet, seq: prng.below(65536), timestamp: u32(prng), marker: prng.oneIn(5), timeMs: 0 };
  // The link context is new per packet in the pipeline (vlan and tunnel arrays included).
  const context = s.link === undefined ? undefined : structuredClone(s.link);
  return { base: recordBase("rtp_packet", time, s.tuple, context, s.task), packet };
}

Deno.test("RtpPacketJsonRecord: valueJson is JSON.stringify of the record and of the plain record, random streams", () => {
  const prng = new Prng(20240611);
  const streams = Array.from({ length: 40 }, () => stream(prng));
  for (let i = 0; i < 20_000; i++) {
    const s = streams[prng.below(prng.oneIn(2) ? 3 : streams.length)];
    const { base, packet } = next(prng, s);
    const record = new RtpPacketJsonRecord(base, packet);
    const plain = plainRecord(base, packet);
    const expected = JSON.stringify(plain);
    assert.equal(JSON.stringify(record), expected, `record ${i}`);
    assert.equal(valueJson(record), expected, `record ${i}`);
    assert.deepEqual(Object.keys(record), Object.keys(plain));
    assert.deepEqual(Object.keys(record.rtp_packet), Object.keys(plain.rtp_packet));
    assert.deepEqual({ ...record }, plain);
    assert.equal(recordCallId(record), recordCallId(plain));
  }
});

Deno.test("RtpPacketJsonRecord: valueJson follows fields changed after it was made, and writes null for non-finite numbers", () => {
  const prng = new Prng(7);
  const s = stream(prng);
  s.tuple = {
    ipVersion: 4,
    transport: "udp",
    srcIp: "10.0.0.1",
    srcPort: 1,
    dstIp: "10.0.0.2",
    dstPort: 2,
    flowHash: 1,
  };
  const changes: ((r: RtpPacketRecordOut) => void)[] = [
    (r) => r.timestamp_ns = 'not "digits"',
    (r) => r.timestamp_ns = "0001700000000123456789",
    (r) => r.timestamp_ns = "12",
    (r) => {
      r.timestamp_ns = "0001700000123456";
      r.timestamp_ms = 1700000;
    },
    (r) => {
      // Past 2^53 digits add up inexactly: 10000000000000001 comes to 1e16, whose text is not these digits.
      r.timestamp_ns = "10000000000000001123456";
      r.timestamp_ms = 1e16;
    },
    (r) => r.timestamp_ms = r.timestamp_ms + 1,
    (r) => r.timestamp_ms = NaN,
    (r) => r.src_ip = "10.0.0.9\u2028",
    (r) => r.dst_port = Infinity,
    (r) => r.flow_id = undefined,
    (r) => r.rtp_packet.ssrc = -Infinity,
    (r) => r.rtp_packet.seq = NaN,
    (r) => r.rtp_packet.timestamp = -0,
    (r) => r.rtp_packet.call_id = "\ud83d",
    (r) => r.rtp_packet.marker = !r.rtp_packet.marker,
    (r) => r.rtp_packet.payload_bytes = 1.5,
    (r) => r.rtp_packet.clock_rate = NaN,
    (r) => r.rtp_packet.media = "video",
    (r) => r.v = 2,
  ];
  for (const change of changes) {
    for (let round = 0; round < 3; round++) {
      const { base, packet } = next(prng, s);
      const record = new RtpPacketJsonRecord(base, packet);
      change(record);
      assert.equal(valueJson(record), JSON.stringify(record), `${change} (round ${round})`);
      const again = new RtpPacketJsonRecord(base, packet);
      assert.equal(valueJson(again), JSON.stringify(again), `unchanged after ${change}`);
    }
  }
});

Deno.test("RtpPacketJsonRecord: a record without a stream key is written alike", () => {
  const prng = new Prng(99);
  const s = stream(prng);
  for (let i = 0; i < 200; i++) {
    const { base, packet } = next(prng, s);
    const record = new RtpPacketJsonRecord(base, { ...packet, stream: undefined as unknown as object });
    assert.equal(valueJson(record), JSON.stringify(plainRecord(base, packet)));
  }
});
