import assert from "node:assert/strict";
import { formatAddress } from "../decode/format.ts";
import { NativeSipParser } from "../native/sip_parse.ts";
import { spliceJsonMember, valueJson } from "../output/prebuilt_json.ts";
import { Prng } from "../../tests/fuzz/_prng.ts";
import { Pipeline } from "./mod.ts";
import { NativeSip } from "./native_sip.ts";
import { type LinkContext, recordBase, type RecordTime, type RecordTuple } from "./record_base.ts";
import { SipRecordHead } from "./sip_record_head.ts";
import { batchAt, callMessages, udpFrame, vxlanFrame } from "./_test_frames.ts";

const decoder = new TextDecoder();
const MESSAGE = new TextEncoder().encode(
  "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n" +
    "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1@a\r\nCSeq: 1 INVITE\r\n" +
    "Content-Length: 0\r\n\r\n",
);
const NAMES = [
  "t",
  "task-1",
  'q"uote',
  "back\\slash",
  "tab\there",
  "\u0001ctl",
  "Москва",
  "emoji 😀",
  "\ud800lone",
  "",
];

/** Random `recordBase` inputs; `refused` when the head must not take them (sip_record_head.ts documentation). */
interface Inputs {
  time: RecordTime;
  tuple: RecordTuple;
  link: LinkContext | undefined;
  task: string | undefined;
  refused: boolean;
}

function address(prng: Prng): string {
  if (prng.oneIn(3)) return formatAddress(new Uint8Array([prng.below(256), 0, 0, prng.below(256)]), 0, 4);
  const bytes = prng.bytes(16);
  for (let k = 0; k < 16; k++) if (prng.oneIn(2)) bytes[k] = 0;
  if (prng.oneIn(4)) bytes.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
  return formatAddress(bytes, 0, 16);
}

function randomInputs(prng: Prng): Inputs {
  let refused = false;
  const sec = prng.oneIn(20)
    ? 2 ** 32 + prng.below(1000)
    : prng.pick([0, 1, 1_700_000_000 + prng.below(1e6), 2 ** 32 - 1]);
  if (sec > 0xffff_ffff) refused = true;
  const nsec = prng.pick([0, 999_999_999, prng.below(1e9), 1_000_000, 999_999]);
  const port = () => {
    if (!prng.oneIn(30)) return prng.pick([0, 5060, 65535, prng.below(65536)]);
    refused = true;
    return prng.pick([-1, 65536, 1e6]);
  };
  const ipVersion = prng.oneIn(30) ? (refused = true, 300) : prng.pick([0, 4, 6]);
  let srcIp = address(prng);
  if (prng.oneIn(30)) (refused = true), srcIp = prng.pick(['1.2.3."', "fe80::1%eth\\0", "é::1", "x".repeat(65)]);
  const transport = prng.oneIn(30) ? (refused = true, "ud\u0000p") : prng.pick(["udp", "tcp", "sctp", "ws"]);
  const flowHash = prng.pick([-1, 0, prng.u32(), 2 ** 33 + 5, 0xffff_ffff]);
  const tuple = { ipVersion, transport, srcIp, srcPort: port(), dstIp: address(prng), dstPort: port(), flowHash };
  let link: LinkContext | undefined;
  if (!prng.oneIn(4)) {
    link = {};
    if (!prng.oneIn(3)) link.interface = prng.pick(NAMES);
    if (prng.oneIn(3)) {
      const count = prng.oneIn(10) ? prng.pick([0, 9, 12]) : 1 + prng.below(8);
      if (count === 0 || count > 8) refused = true;
      link.vlan = Array.from({ length: count }, () => prng.below(4096));
    }
    if (prng.oneIn(10)) {
      refused = true;
      link.tunnels = [{ type: "vxlan", id: 7, src_ip: "1.1.1.1", dst_ip: "2.2.2.2", protocol: 17, dst_port: 4789 }];
    }
  }
  let task = prng.oneIn(5) ? undefined : prng.pick(NAMES);
  if (prng.oneIn(40)) (refused = true), task = "long".repeat(300);
  return { time: { sec, nsec }, tuple, link, task, refused };
}

Deno.test("SipRecordHead: the native record JSON equals JSON.stringify of recordBase with the sip object spliced in", () => {
  const parser = new NativeSipParser();
  const head = new SipRecordHead(parser);
  const sipBytes = parser.parse(MESSAGE);
  assert.ok(sipBytes > 0);
  const sipJson = decoder.decode(parser.json.subarray(0, sipBytes));
  const prng = new Prng(0x5eed);
  let written = 0;
  let refused = 0;
  for (let i = 0; i < 30_000; i++) {
    const inputs = randomInputs(prng);
    const filled = head.fill(inputs.time, inputs.tuple, inputs.link, inputs.task);
    assert.equal(filled, !inputs.refused, JSON.stringify(inputs));
    if (!filled) {
      refused++;
      continue;
    }
    const bytes = parser.parseRecord(MESSAGE);
    assert.ok(bytes > sipBytes, `record JSON bytes ${bytes}`);
    const base = recordBase("sip", inputs.time, inputs.tuple, inputs.link, inputs.task);
    assert.equal(decoder.decode(parser.json.subarray(0, bytes)), spliceJsonMember(base, "sip", sipJson));
    written++;
  }
  assert.ok(written > 15_000 && refused > 3_000, `written ${written}, refused ${refused}`);
});

/** A parser whose head holds a plain IPv4 UDP record's fields. */
function headedParser(): NativeSipParser {
  const parser = new NativeSipParser();
  const tuple = { ipVersion: 4, transport: "udp", srcIp: "10.0.0.1", srcPort: 1, dstIp: "10.0.0.2", dstPort: 2 };
  assert.ok(new SipRecordHead(parser).fill({ sec: 1, nsec: 2 }, { ...tuple, flowHash: 1 }, undefined, "t"));
  return parser;
}

Deno.test("SipRecordHead: invalid messages give cap_sip_parse's reasons with a head too", () => {
  const parser = headedParser();
  for (const text of ["hello", "SIP/2.0 x\r\n\r\n", "OPTIONS sip:a SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n"]) {
    const payload = new TextEncoder().encode(text);
    assert.equal(parser.parseRecord(payload), parser.parse(payload), text);
  }
});

function sipFrames(tunnelled: boolean): Uint8Array[] {
  return callMessages().map(([text]) => {
    const frame = udpFrame([10, 0, 0, 1], 5060, [10, 0, 0, 2], 5060, new TextEncoder().encode(text));
    return tunnelled ? vxlanFrame(frame, 42) : frame;
  });
}

Deno.test("SipRecordHead: the pipeline has the parser write whole records, and not for tunnelled packets", () => {
  const headed: boolean[] = [];
  const parse = NativeSip.prototype.parse;
  NativeSip.prototype.parse = function (payload: Uint8Array, withHead?: boolean) {
    headed.push(withHead === true);
    return parse.call(this, payload, withHead);
  };
  try {
    for (const tunnelled of [false, true]) {
      headed.length = 0;
      const lines = (native: boolean) => {
        const pipeline = new Pipeline({ protocols: ["sip", "call"], nativeSip: native, task: "t" });
        pipeline.process(batchAt(sipFrames(tunnelled)));
        pipeline.finish();
        return [...pipeline.queue.drain()].map((record) => valueJson(record));
      };
      const typescript = lines(false);
      const native = lines(true);
      assert.deepEqual(native, typescript);
      assert.ok(headed.length >= 4);
      assert.deepEqual(new Set(headed), new Set([!tunnelled]), `tunnelled ${tunnelled}`);
    }
  } finally {
    NativeSip.prototype.parse = parse;
  }
});

Deno.test("NativeSipParser.recordText(): the record's JSON, read as a C string only when the NUL is there", () => {
  const parser = headedParser();
  const bytes = parser.parseRecord(MESSAGE);
  const expected = decoder.decode(parser.json.subarray(0, bytes));
  assert.equal(parser.json[bytes], 0);
  assert.equal(parser.recordText(bytes), expected);
  parser.json[bytes] = 0x20; // As a library without the NUL would leave it: the text must not run on.
  assert.equal(parser.recordText(bytes), expected);
});
