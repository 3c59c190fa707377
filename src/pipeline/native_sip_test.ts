import assert from "node:assert/strict";
import { openFileSource } from "../capture/file_source.ts";
import { valueJson } from "../output/prebuilt_json.ts";
import { rawPayloadOf } from "../output/raw_payload.ts";
import { Pipeline, type ProtocolName, recordKey } from "./mod.ts";
import { NativeSip } from "./native_sip.ts";
import type { PipelineStats } from "./stats.ts";
import { batchAt, callMessages, udpFrame } from "./_test_frames.ts";

const SIP_CORPUS = "/work/shared/corpus/sip";
const PROTOCOLS: ProtocolName[] = ["sip", "call", "rtp", "rtcp", "rtp_packet"];

interface Run {
  lines: string[];
  raw: (Uint8Array | undefined)[];
  stats: PipelineStats;
}

async function runPcap(path: string, nativeSip: boolean): Promise<Run> {
  const pipeline = new Pipeline({ protocols: PROTOCOLS, nativeSip, task: "t" });
  const source = await openFileSource(path);
  const lines: string[] = [];
  const raw: (Uint8Array | undefined)[] = [];
  const drain = () => {
    for (const record of pipeline.queue.drain()) {
      lines.push(valueJson(record)!);
      raw.push(rawPayloadOf(record));
    }
  };
  try {
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      pipeline.process(batch);
      source.release(batch);
      drain();
    }
  } finally {
    await source.close();
  }
  pipeline.finish();
  drain();
  return { lines, raw, stats: pipeline.stats() };
}

function withoutParserCounts(stats: PipelineStats): PipelineStats {
  const copy = structuredClone(stats);
  const sip = copy.protocols.sip as Record<string, number>;
  delete sip.parser_native;
  delete sip.parser_fallback;
  return copy;
}

Deno.test("native SIP: every corpus capture gives the same records, raw payloads and counters as the TypeScript parser", async () => {
  assert.ok(NativeSip.open() !== undefined, "the capture library with cap_sip_parse must load (make build)");
  const files = [...Deno.readDirSync(SIP_CORPUS)].map((entry) => entry.name).filter((name) =>
    /\.pcap(ng)?$/.test(name)
  );
  assert.ok(files.length >= 5);
  let nativeMessages = 0;
  for (const name of files.sort()) {
    const path = `${SIP_CORPUS}/${name}`;
    const native = await runPcap(path, true);
    const typescript = await runPcap(path, false);
    assert.deepEqual(native.lines, typescript.lines, name);
    assert.deepEqual(native.raw, typescript.raw, name);
    assert.deepEqual(withoutParserCounts(native.stats), withoutParserCounts(typescript.stats), name);
    const sip = native.stats.protocols.sip as Record<string, number>;
    assert.ok((sip.parser_native ?? 0) > 0, `${name}: the native parser took messages`);
    // No corpus message falls back: the UTF-8 (Cyrillic display names) of sip_ipv4_tcp_fragmented.pcap included.
    assert.equal(sip.parser_fallback ?? 0, 0, `${name}: fallbacks`);
    assert.equal(typescript.stats.protocols.sip.parser_native ?? 0, 0);
    nativeMessages += sip.parser_native ?? 0;
    // A record's `sip` object reads the same as it serialises.
    for (const line of native.lines) JSON.parse(line);
  }
  assert.ok(nativeMessages > 50, `native parser took ${nativeMessages} messages`);
});

function sipDatagram(text: string): Uint8Array {
  return udpFrame([10, 0, 0, 1], 5060, [10, 0, 0, 2], 5060, new TextEncoder().encode(text));
}

Deno.test("native SIP: UTF-8 headers are parsed natively; a message it hands back (a non-ASCII space) is parsed in TypeScript, counted as a fallback", () => {
  const invite = 'INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: "Zoë" <sip:a@h>;tag=1\r\n' +
    "To: <sip:b@h>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nUser-Agent: Тест\r\nContent-Length: 0\r\n\r\n";
  // U+00A0 is whitespace to trim(): the native parser hands the message back.
  const cancel = 'CANCEL sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: "Zoë" <sip:a@h>;tag=1\r\n' +
    "To: <sip:b@h>\u00a0\r\nCall-ID: c1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n";
  const bye = "BYE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\nFrom: <sip:a@h>;tag=1\r\n" +
    "To: <sip:b@h>;tag=2\r\nCall-ID: c1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
  const pipeline = new Pipeline({ protocols: ["sip"], nativeSip: true });
  pipeline.process(batchAt([sipDatagram(invite), sipDatagram(cancel), sipDatagram(bye)]));
  const records = pipeline.queue.drain();
  assert.equal(records.length, 3);
  const [first, second, third] = records.map((record) => JSON.parse(valueJson(record)!));
  assert.equal(first.sip.from.display_name, "Zoë");
  assert.equal(first.sip.user_agent, "Тест");
  assert.equal(second.sip.method, "CANCEL");
  assert.equal(second.sip.to.uri, "sip:b@h");
  assert.equal(third.sip.method, "BYE");
  assert.equal(third.sip.to.tag, "2");
  const sip = pipeline.stats().protocols.sip as Record<string, number>;
  assert.equal(sip.parser_fallback, 1);
  assert.equal(sip.parser_native, 2);
  assert.equal(sip.messages_udp, 3);
});

Deno.test("native SIP: an invalid message is counted by its reason and makes no record", () => {
  const pipeline = new Pipeline({ protocols: ["sip"], nativeSip: true });
  pipeline.process(batchAt([sipDatagram("OPTIONS sip:h SIP/2.0\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")]));
  assert.equal(pipeline.queue.drain().length, 0);
  const stats = pipeline.stats();
  assert.deepEqual(stats.parserInvalid.sip, { missing_call_id: 1 });
});

Deno.test("native SIP: Call-IDs with JSON escapes reach records, calls and keys as the TypeScript parser gives them", () => {
  const run = (nativeSip: boolean) => {
    const pipeline = new Pipeline({ protocols: ["sip", "call"], nativeSip });
    for (const callId of ['q"uote@h', "back\\slash@h", "plain-call-id-long-enough@h"]) {
      const frames = callMessages(callId).map(([text, fromCaller]) =>
        fromCaller
          ? udpFrame([10, 0, 0, 1], 5060, [10, 0, 0, 2], 5060, new TextEncoder().encode(text))
          : udpFrame([10, 0, 0, 2], 5060, [10, 0, 0, 1], 5060, new TextEncoder().encode(text))
      );
      pipeline.process(batchAt(frames));
    }
    pipeline.finish();
    const records = pipeline.queue.drain();
    const lines = records.map((record) => valueJson(record));
    return { lines, keys: records.map((r) => recordKey(r, "call_id")), sip: pipeline.stats().protocols.sip };
  };
  const native = run(true);
  const typescript = run(false);
  assert.deepEqual(native.lines, typescript.lines);
  assert.deepEqual(native.keys, typescript.keys);
  assert.equal(native.sip.parser_native, 18, "every message parsed natively");
  assert.equal(native.lines.length, 21, "6 sip records and a call record per call");
  assert.deepEqual(new Set(native.keys), new Set(['q"uote@h', "back\\slash@h", "plain-call-id-long-enough@h"]));
});
