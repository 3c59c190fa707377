/**
 * Guards the SIP parser and the `sip` record against any change of output while they are optimised: every SIP
 * payload of /work/shared/corpus/sip/*.pcap, and seeded SIP-aware mutations of them (compact and re-cased header
 * names, folding, lists, quotes, parameters, non-ASCII, truncation), must give the parse result and record JSON
 * frozen in sip_equivalence.golden.json (a digest per input; the full record JSON for the benchmark capture).
 * The parse result is compared with `undefined` fields and key order included.
 *
 * Regenerate the golden file only when an output change is intended:
 * `deno run -A tests/sip_equivalence_test.ts --update`.
 */
import assert from "node:assert/strict";
import { openFileSource } from "../src/capture/file_source.ts";
import { decodeSummary } from "../src/decode/decode.ts";
import { createPacketSummary } from "../src/decode/summary.ts";
import { sipRecord } from "../src/pipeline/records.ts";
import { recordBase } from "../src/pipeline/record_base.ts";
import { detectSip, parseSipMessage } from "../src/protocols/sip/mod.ts";

const CORPUS = "/work/shared/corpus/sip/";
const FILES = [
  "rtp_rtcp_sip_ipv4_udp.pcap",
  "sip_ipv6_udp.pcap",
  "sip_ipv4_tcp.pcap",
  "sip_ipv4_tcp_fragmented.pcap",
  "sip_sctp.pcap",
];
const GOLDEN = new URL("./sip_equivalence.golden.json", import.meta.url);
const MUTANTS = 6000;
const SEED = 0x51f0;

/** Extra seeds for headers the corpus lacks: Reason lists, Max-Forwards, Expires, quoting, IPv6, non-ASCII. */
const EXTRA_SEEDS = [
  'BYE sip:bob@[2001:db8::1]:5060;transport=tcp SIP/2.0\r\nv: SIP/2.0/TCP [2001:db8::2]:5070;branch=z9hG4bK"q\\"x";' +
  'rport;received=10.1.1.1, SIP / 2.0 / UDP h.example.com;RPORT=5062;Branch=Z9\r\nf: "Al\\"ice" <sip:a@h>;tag=abc;x="a;b"\r\n' +
  "t: sip:bob@h;tag=1\r\ni: c1@h\r\nCSeq: 7 BYE\r\nMax-Forwards: 70\r\nExpires: 3600\r\nm: *\r\n" +
  'Reason: SIP;cause=200;text="Call completed elsewhere", Q.850 ;cause=16 ;text="Normal, clearing"\r\n' +
  "User-Agent: Süd-Phone/1.0\r\nServer: srv\r\nl: 0\r\n\r\n",
  "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;received=10.0.0.9;rport=5099\r\n" +
  "Via: SIP/2.0/UDP fe80:0:0:0:0:0:0:1:5060;branch=b2\r\nFrom: Bob Smith <sips:bob@h>;tag=9\r\n" +
  'To: <sip:alice@h>\r\nCall-ID: 9@h\r\nCSeq: 1 INVITE\r\nContact: <sip:a@h>;expires=60, "X, Y" <sip:b@h>\r\n' +
  "Content-Type: application/SDP ; charset=x\r\nReason: Q.850;cause=abc\r\nContent-Length: 4\r\n\r\nv=0\n",
];

/** Strings spliced into headers: separators, quotes, folding, and characters whose case or space rules differ. */
const INSERTS = [
  " ",
  "\t",
  ",",
  ";",
  '"',
  "<",
  ">",
  "\\",
  "=",
  ":",
  "[",
  "]",
  "*",
  "é",
  "\u00a0",
  "\u2028",
  "İ",
  "\u212a",
  "\r\n ",
  "\n",
  "\r\n\t",
  ";rport",
  ";received=1.2.3.4",
  ";tag=t1",
  ";branch=Z",
  ", SIP/2.0/UDP h:1",
  ", <sip:x@y>",
  "\r\nv: SIP/2.0/UDP a.b:7;branch=z",
  "\r\ni: other",
  "\r\nl: 5",
  "\r\nCSeq: 2 ACK",
  "\r\nReason: Q.850;cause=3",
  "\r\nmax-forwards: 9",
  "\r\nEXPIRES: 1",
  "\r\nContact: *",
  "\r\nUser-Agent: ua",
];
const COMPACT: Record<string, string> = {
  "via": "v",
  "from": "f",
  "to": "t",
  "call-id": "i",
  "contact": "m",
  "content-length": "l",
  "content-type": "c",
};

/** mulberry32: the inputs must not change when another test's generator does. */
function prng(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % limit;
  };
}

async function corpusPayloads(): Promise<{ file: string; payload: Uint8Array }[]> {
  const out: { file: string; payload: Uint8Array }[] = [];
  const summary = createPacketSummary();
  for (const file of FILES) {
    const source = await openFileSource(CORPUS + file);
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      for (let i = 0; i < batch.count; i++) {
        if (!decodeSummary(batch, i, summary)) continue;
        const payload = summary.data.subarray(summary.payloadOffset, summary.payloadOffset + summary.payloadBytes);
        if (detectSip(payload) !== undefined) out.push({ file, payload: payload.slice() });
      }
      source.release(batch);
    }
    await source.close();
  }
  return out;
}

/** One SIP-aware edit of the message text. */
function mutateOnce(next: (limit: number) => number, text: string): string {
  const lines = text.split("\r\n");
  const headerEnd = Math.max(1, lines.indexOf(""));
  const line = 1 + next(Math.max(1, headerEnd - 1));
  const at = next(text.length + 1);
  switch (next(8)) {
    case 0: {
      const colon = lines[line]?.indexOf(":") ?? -1;
      if (colon <= 0) return text;
      const name = lines[line]!.slice(0, colon).trim().toLowerCase();
      const renamed = next(2) === 0 && COMPACT[name] !== undefined
        ? COMPACT[name]!
        : next(2)
        ? name.toUpperCase()
        : name;
      lines[line] = renamed + lines[line]!.slice(colon);
      return lines.join("\r\n");
    }
    case 1:
    case 2:
      return text.slice(0, at) + INSERTS[next(INSERTS.length)] + text.slice(at);
    case 3:
      return text.slice(0, at) + text.slice(at + 1 + next(4));
    case 4:
      lines.splice(line, 0, lines[line] ?? "");
      return lines.join("\r\n");
    case 5:
      if (next(4) === 0) return text.slice(0, next(text.length + 1));
      lines.splice(line, 0, INSERTS[next(INSERTS.length)]!.trimStart());
      return lines.join("\r\n");
    case 6: {
      const other = 1 + next(Math.max(1, headerEnd - 1));
      [lines[line], lines[other]] = [lines[other]!, lines[line]!];
      return lines.join("\r\n");
    }
    default:
      return text.replace(/ /g, (space) => (next(6) === 0 ? "\r\n " : space));
  }
}

function mutants(seeds: Uint8Array[]): Uint8Array[] {
  const next = prng(SEED);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const out: Uint8Array[] = [];
  for (let k = 0; k < MUTANTS; k++) {
    const seed = seeds[next(seeds.length)]!;
    let text = decoder.decode(seed);
    const steps = 1 + next(4);
    for (let s = 0; s < steps; s++) text = mutateOnce(next, text);
    const bytes = encoder.encode(text);
    if (next(4) === 0 && bytes.length > 0) bytes[next(bytes.length)] ^= 1 << next(8); // Raw bytes, invalid UTF-8.
    out.push(bytes);
  }
  return out;
}

const base = recordBase(
  "sip",
  { sec: 1_700_000_000, nsec: 5 },
  { ipVersion: 4, transport: "udp", srcIp: "10.0.0.1", srcPort: 5060, dstIp: "10.0.0.2", dstPort: 5060, flowHash: 1 },
  undefined,
  "equivalence",
);

/** Parse result (with undefined fields and key order) and record JSON of one input. */
function outputOf(payload: Uint8Array): string {
  const result = parseSipMessage(payload);
  const dump = JSON.stringify(result, (_key, value) => (value === undefined ? "<undefined>" : value));
  return result.kind === "message" ? `${dump}\n${JSON.stringify(sipRecord(base, result.message))}` : dump;
}

async function digest(text: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(hash.subarray(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

interface Golden {
  /** Parse result and record JSON of each SIP payload of the benchmark capture, in order. */
  benchRecords: string[];
  /** Digest of `outputOf()` per corpus payload, then per mutant. */
  corpus: string[];
  mutants: string[];
  /** How many mutants gave each result kind or invalid reason (shows what the mutants exercise). */
  mutantResults: Record<string, number>;
}

async function compute(): Promise<Golden> {
  const corpus = await corpusPayloads();
  const seeds = [...corpus.map((entry) => entry.payload), ...EXTRA_SEEDS.map((text) => new TextEncoder().encode(text))];
  const benchRecords = corpus.filter((entry) => entry.file === FILES[0]).map((entry) => outputOf(entry.payload));
  // Mutants of whole messages (the corpus also has TCP segments that are parts of one).
  const inputs = mutants(seeds.filter((payload) => parseSipMessage(payload).kind === "message"));
  const mutantResults: Record<string, number> = {};
  for (const payload of inputs) {
    const result = parseSipMessage(payload);
    const kind = result.kind === "invalid" ? result.reason : result.kind;
    mutantResults[kind] = (mutantResults[kind] ?? 0) + 1;
  }
  return {
    benchRecords,
    corpus: await Promise.all(seeds.map((payload) => digest(outputOf(payload)))),
    mutants: await Promise.all(inputs.map((payload) => digest(outputOf(payload)))),
    mutantResults,
  };
}

Deno.test("SIP parse results and sip records equal the frozen ones (corpus and mutants)", async () => {
  const golden = JSON.parse(await Deno.readTextFile(GOLDEN)) as Golden;
  const now = await compute();
  assert.equal(now.benchRecords.length, 14);
  assert.deepEqual(now.benchRecords, golden.benchRecords);
  assert.ok(now.corpus.length > 400);
  assert.deepEqual(now.corpus, golden.corpus);
  assert.equal(now.mutants.length, MUTANTS);
  assert.ok(now.mutantResults.message! > MUTANTS / 2, JSON.stringify(now.mutantResults));
  assert.deepEqual(now.mutantResults, golden.mutantResults);
  for (let i = 0; i < now.mutants.length; i++) assert.equal(now.mutants[i], golden.mutants[i], `mutant ${i}`);
});

if (import.meta.main && Deno.args.includes("--update")) {
  await Deno.writeTextFile(GOLDEN, JSON.stringify(await compute(), null, 2) + "\n");
}
