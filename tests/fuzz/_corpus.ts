/**
 * Seeds for the fuzzer, from the real captures in /work/shared/corpus: frames per link type (Ethernet frames are
 * re-wrapped as RAW, IPV4/IPV6, NULL, LINUX_SLL and LINUX_SLL2 so every link type has seeds), application payloads
 * by protocol, SDP bodies, and the heads of a few capture files for the pcap/pcapng readers.
 */
import { LinkType } from "../../src/capture/batch.ts";
import { openFileSource } from "../../src/capture/file_source.ts";
import { FullDecoder, innerLevel } from "../../src/decode/full_decoder.ts";
import { upgradeRequest, upgradeResponse, wsFrame } from "../../src/protocols/websocket/_test_frames.ts";
import { join } from "./_mutate.ts";

const TEXT = new TextEncoder();

/** Default corpus directories. */
export const CORPUS_DIRS = ["/work/shared/corpus/sip/", "/work/shared/corpus/tcpdump/"];
const FRAMES_PER_FILE_MAX = 256;
const FILE_HEAD_BYTES_MAX = 24 * 1024;
const FILES_KEPT_MAX = 64;

/** Seed inputs, grouped by the target they suit. */
export interface Seeds {
  /** Frames per link type (every value of `FUZZ_LINK_TYPES` has at least one). */
  frames: Map<number, Uint8Array[]>;
  payloads: Uint8Array[];
  sip: Uint8Array[];
  sdp: Uint8Array[];
  dns: Uint8Array[];
  http: Uint8Array[];
  rtcp: Uint8Array[];
  /** WebSocket frame sequences carrying SIP payloads, and whole connections (upgrade handshake, then frames). */
  websocket: Uint8Array[];
  websocketConnection: Uint8Array[];
  /** Heads of capture files (pcap and pcapng). */
  files: Uint8Array[];
}

/** The link types the pipeline is fuzzed with. */
export const FUZZ_LINK_TYPES: readonly number[] = [
  LinkType.EN10MB,
  LinkType.RAW,
  LinkType.LINUX_SLL,
  LinkType.LINUX_SLL2,
  LinkType.NULL,
  LinkType.IPV4,
  LinkType.IPV6,
];

/** Reads every capture under `dirs` (a bounded number of frames each) into seeds. */
export async function loadSeeds(dirs: readonly string[] = CORPUS_DIRS): Promise<Seeds> {
  const seeds: Seeds = {
    frames: new Map(),
    payloads: [],
    sip: [],
    sdp: [],
    dns: [],
    http: [],
    rtcp: [],
    files: [],
    websocket: [],
    websocketConnection: [],
  };
  for (const linkType of FUZZ_LINK_TYPES) seeds.frames.set(linkType, []);
  const decoder = new FullDecoder();
  for (const dir of dirs) {
    const names = [...Deno.readDirSync(dir)].filter((entry) => /\.(pcap|pcapng|cap)$/.test(entry.name))
      .map((entry) => entry.name).sort();
    for (const [index, name] of names.entries()) {
      const path = dir + name;
      if (seeds.files.length < FILES_KEPT_MAX && index % 8 === 0) seeds.files.push(await fileHead(path));
      await loadFile(path, decoder, seeds);
    }
  }
  addWebSocketSeeds(seeds);
  return seeds;
}

function addWebSocketSeeds(seeds: Seeds): void {
  const mask = [0x12, 0x34, 0x56, 0x78];
  for (const sip of seeds.sip.slice(0, 32)) {
    const half = sip.subarray(0, sip.length >> 1);
    const rest = sip.subarray(sip.length >> 1);
    const client = join(
      wsFrame(half, { fin: false, mask }),
      wsFrame("", { opcode: 9, mask }),
      wsFrame(rest, { opcode: 0, mask, lengthBits: 64 }),
      wsFrame(sip, { mask, lengthBits: 16 }),
    );
    const server = join(wsFrame(sip), wsFrame(sip, { opcode: 2, lengthBits: 64 }), wsFrame("", { opcode: 8 }));
    seeds.websocket.push(client, server);
    const handshake = join(TEXT.encode(upgradeRequest()), TEXT.encode(upgradeResponse()));
    seeds.websocketConnection.push(join(handshake, client, server));
  }
}

async function fileHead(path: string): Promise<Uint8Array> {
  const bytes = await Deno.readFile(path);
  return bytes.slice(0, FILE_HEAD_BYTES_MAX);
}

async function loadFile(path: string, decoder: FullDecoder, seeds: Seeds): Promise<void> {
  let source;
  try {
    source = await openFileSource(path);
  } catch {
    return; // Not a capture file the reader knows: no seeds from it.
  }
  try {
    let kept = 0;
    for (let batch = await source.next(); batch !== null && kept < FRAMES_PER_FILE_MAX; batch = await source.next()) {
      for (let i = 0; i < batch.count && kept < FRAMES_PER_FILE_MAX; i++, kept++) {
        const start = batch.offsets[i];
        const frame = batch.data.slice(start, start + batch.capturedBytes[i]);
        seeds.frames.get(batch.linkType)?.push(frame);
        if (batch.linkType === LinkType.EN10MB) rewrap(frame, seeds.frames);
        addPayload(decoder.decode(batch, i), seeds);
      }
    }
  } finally {
    await source.close();
  }
}

function addPayload(packet: ReturnType<FullDecoder["decode"]>, seeds: Seeds): void {
  const inner = innerLevel(packet);
  if (inner.payloadOffset < 0 || inner.payloadBytes === 0) return;
  const payload = inner.data.slice(inner.payloadOffset, inner.payloadOffset + inner.payloadBytes);
  seeds.payloads.push(payload);
  const text = new TextDecoder().decode(payload.subarray(0, Math.min(payload.length, 2048)));
  const ports = [inner.srcPort, inner.dstPort];
  if (text.includes("SIP/2.0")) {
    seeds.sip.push(payload);
    const bodyAt = text.indexOf("\r\n\r\nv=");
    if (bodyAt >= 0) seeds.sdp.push(payload.slice(bodyAt + 4));
  }
  if (ports.includes(53)) seeds.dns.push(payload);
  if (/^(GET|POST|PUT|HEAD|HTTP\/1)/.test(text)) seeds.http.push(payload);
  if (payload.length >= 8 && (payload[0] & 0xc0) === 0x80 && payload[1] >= 200 && payload[1] <= 207) {
    seeds.rtcp.push(payload);
  }
}

/** Adds the IP packet inside an untagged IPv4/IPv6 Ethernet frame under the other link types. */
function rewrap(frame: Uint8Array, frames: Map<number, Uint8Array[]>): void {
  if (frame.length < 14) return;
  const etherType = (frame[12] << 8) | frame[13];
  if (etherType !== 0x0800 && etherType !== 0x86dd) return;
  const ip = frame.subarray(14);
  const proto = frame.subarray(12, 14);
  frames.get(LinkType.RAW)!.push(ip.slice());
  frames.get(etherType === 0x0800 ? LinkType.IPV4 : LinkType.IPV6)!.push(ip.slice());
  // NULL: host-order address family (2 = AF_INET; 24/28/30 are the BSDs' AF_INET6).
  const family = etherType === 0x0800 ? 2 : 30;
  frames.get(LinkType.NULL)!.push(join(Uint8Array.from([family, 0, 0, 0]), ip));
  const sllHead = Uint8Array.from([0, 0, 0, 1, 0, 6, ...frame.subarray(6, 12), 0, 0]);
  frames.get(LinkType.LINUX_SLL)!.push(join(sllHead, proto, ip));
  // SLL2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address (8 bytes).
  const sll2Rest = Uint8Array.from([0, 0, 0, 0, 0, 2, 0, 1, 0, 6, ...frame.subarray(6, 12), 0, 0]);
  frames.get(LinkType.LINUX_SLL2)!.push(join(proto, sll2Rest, ip));
}
