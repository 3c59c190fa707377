/**
 * tshark as oracle for the SIP and SDP parsers: every SIP message tshark decodes in /work/shared/corpus/sip/*.pcap
 * (UDP, SCTP, TCP including messages reassembled from several segments) is parsed by our parser from the very bytes
 * tshark dissected, and every field both sides extract must be equal. TCP streams are also re-framed from
 * `tshark -z follow,tcp,raw` output with `sipFrameLength()` and must yield tshark's message sequence.
 */
import assert from "node:assert/strict";
import { parseSdp, type SdpSession } from "../src/protocols/sdp/mod.ts";
import { isSdpContentType, parseSipMessage, sipFrameLength, type SipMessage } from "../src/protocols/sip/mod.ts";

const CORPUS = "/work/shared/corpus/sip/";

/** One capture and how tshark must be told to decode it. */
interface Capture {
  file: string;
  /** Display filter selecting the SIP frames of this capture's transport. */
  filter: string;
  /** Extra tshark options (decode-as for non-standard ports). */
  options: string[];
  /** SIP messages tshark finds (asserted, so a tshark or corpus change is noticed). */
  messagesMin: number;
}

const CAPTURES: Capture[] = [
  { file: "rtp_rtcp_sip_ipv4_udp.pcap", filter: "sip && udp", options: [], messagesMin: 14 },
  { file: "sip_ipv6_udp.pcap", filter: "sip && udp", options: [], messagesMin: 6 },
  { file: "sip_sctp.pcap", filter: "sip && sctp", options: [], messagesMin: 4 },
  { file: "sip_ipv4_tcp.pcap", filter: "sip && tcp", options: [], messagesMin: 7 },
  {
    file: "sip_ipv4_tcp_fragmented.pcap",
    filter: "sip && tcp",
    options: ["-d", "tcp.port==6060,sip"],
    messagesMin: 400,
  },
];

// ---------------------------------------------------------------------------------------------------------------
// tshark output readers

/** A PDML `<proto>` or `<field>` element. */
interface Node {
  name: string;
  show: string;
  value: string;
  pos: number;
  size: number;
  children: Node[];
}

async function tshark(args: string[]): Promise<string> {
  const output = await new Deno.Command("tshark", { args, stdout: "piped", stderr: "piped" }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#\d+);/g, (_m, entity: string) => {
    const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
    if (named[entity] !== undefined) return named[entity]!;
    return String.fromCodePoint(entity[1] === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
  });
}

/** Parses PDML into one root node per packet (children: the packet's protos). */
function parsePdml(xml: string): Node[] {
  const packets: Node[] = [];
  const stack: Node[] = [];
  for (const match of xml.matchAll(/<(\/?)(packet|proto|field)\b([^>]*?)(\/?)>/g)) {
    const [, closing, tag, attributes = "", selfClosing] = match;
    if (closing) {
      stack.pop();
      continue;
    }
    const node: Node = { name: tag!, show: "", value: "", pos: 0, size: 0, children: [] };
    for (const [, key, value] of attributes.matchAll(/([\w.-]+)="([^"]*)"/g)) {
      if (key === "name") node.name = unescapeXml(value!);
      else if (key === "show") node.show = unescapeXml(value!);
      else if (key === "value") node.value = value!;
      else if (key === "pos") node.pos = Number(value);
      else if (key === "size") node.size = Number(value);
    }
    if (tag === "packet") packets.push(node);
    else stack.at(-1)?.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  return packets;
}

/** Parses `tshark -x` output: per packet, its data sources (the frame, then reassembled buffers). */
function parseHexDump(text: string): Uint8Array[][] {
  const packets: Uint8Array[][] = [];
  let sources: number[][] = [];
  for (const line of text.split("\n")) {
    if (line === "") {
      if (sources.length > 0) packets.push(sources.map((bytes) => Uint8Array.from(bytes)));
      sources = [];
      continue;
    }
    const hex = /^[0-9a-f]{4,} {2}((?:[0-9a-f]{2} )*[0-9a-f]{2})/.exec(line);
    if (hex === null) {
      sources.push([]); // "Frame (N bytes):" / "Reassembled TCP (N bytes):" opens a source.
      continue;
    }
    if (sources.length === 0) sources.push([]);
    for (const byte of hex[1]!.split(" ")) sources.at(-1)!.push(parseInt(byte, 16));
  }
  if (sources.length > 0) packets.push(sources.map((bytes) => Uint8Array.from(bytes)));
  return packets;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

function walk(node: Node, visit: (node: Node) => void): void {
  for (const child of node.children) {
    visit(child);
    walk(child, visit);
  }
}

function all(node: Node, name: string): Node[] {
  const found: Node[] = [];
  walk(node, (child) => {
    if (child.name === name) found.push(child);
  });
  return found;
}

function first(node: Node, name: string): Node | undefined {
  return all(node, name)[0];
}

function shows(node: Node, name: string): string[] {
  return all(node, name).map((child) => child.show);
}

// ---------------------------------------------------------------------------------------------------------------
// Locating the bytes tshark dissected

/** The bytes of the SIP message `sip` (a proto node), found in whichever data source holds its first line. */
function sipBytes(sip: Node, sources: Uint8Array[]): { source: Uint8Array; bytes: Uint8Array } {
  const firstLine = first(sip, "sip.Request-Line") ?? first(sip, "sip.Status-Line");
  assert.ok(firstLine !== undefined, "tshark shows no start line");
  const line = hexBytes(firstLine.value);
  for (const source of sources) {
    const candidate = source.subarray(sip.pos, sip.pos + line.length);
    if (candidate.length === line.length && candidate.every((byte, i) => byte === line[i])) {
      return { source, bytes: source.subarray(sip.pos, sip.pos + sip.size) };
    }
  }
  throw new Error(`Cannot find the bytes of "${firstLine.show}"`);
}

// ---------------------------------------------------------------------------------------------------------------
// Field comparisons

function unquoteDisplay(text: string): string {
  const trimmed = text.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/\\(.)/g, "$1") : trimmed;
}

function compareStartLine(sip: Node, message: SipMessage): void {
  if (message.kind === "request") {
    assert.equal(message.method, first(sip, "sip.Method")?.show);
    assert.equal(message.requestUri, first(sip, "sip.r-uri")?.show);
  } else {
    assert.equal(message.statusCode, Number(first(sip, "sip.Status-Code")?.show));
    const statusLine = first(sip, "sip.Status-Line")!.show;
    assert.equal(message.reasonPhrase, statusLine.replace(/^SIP\/2\.0 \d{3} ?/, ""));
  }
}

function compareAddresses(sip: Node, message: SipMessage): void {
  for (const [side, address] of [["from", message.from], ["to", message.to]] as const) {
    assert.equal(address?.uri, first(sip, `sip.${side}.addr`)?.show, `${side} uri`);
    assert.equal(address?.tag ?? "", first(sip, `sip.${side}.tag`)?.show ?? "", `${side} tag`);
    assert.equal(address?.displayName ?? "", unquoteDisplay(first(sip, `sip.${side}.display.info`)?.show ?? ""));
  }
  assert.deepEqual(message.contacts.map((contact) => contact.uri), shows(sip, "sip.contact.uri"));
  assert.deepEqual(
    message.contacts.map((contact) => contact.displayName).filter((name) => name !== ""),
    shows(sip, "sip.contact.display.info").map(unquoteDisplay),
  );
}

/** Compares Vias; unbracketed IPv6 sent-by (invalid SIP) is checked against the raw header, not tshark's split. */
function compareVias(sip: Node, message: SipMessage): number {
  const raw = shows(sip, "sip.Via");
  if (message.vias.some((via) => via.host.includes(":"))) {
    assert.deepEqual(
      message.vias.map((via) => `${via.transport} ${via.host}:${via.port}`),
      raw.map((via) => {
        return via.replace(/^SIP\/2\.0\/(\S+) ([^;]+).*$/, "$1 $2");
      }),
    );
    return 0;
  }
  const vias = message.vias;
  assert.deepEqual(vias.map((via) => via.transport), shows(sip, "sip.Via.transport"));
  assert.deepEqual(vias.map((via) => via.host), shows(sip, "sip.Via.sent-by.address"));
  assert.deepEqual(vias.flatMap((via) => via.port ?? []), shows(sip, "sip.Via.sent-by.port").map(Number));
  assert.deepEqual(vias.flatMap((via) => via.branch || []), shows(sip, "sip.Via.branch"));
  assert.deepEqual(vias.flatMap((via) => via.received || []), shows(sip, "sip.Via.received"));
  assert.deepEqual(
    vias.flatMap((via) => via.hasRport ? [via.rport?.toString() ?? "rport"] : []),
    shows(sip, "sip.Via.rport"),
  );
  return vias.length;
}

function optionalNumber(sip: Node, name: string): number | undefined {
  const node = first(sip, name);
  return node === undefined ? undefined : Number(node.show);
}

function compareHeaders(sip: Node, message: SipMessage): void {
  assert.equal(message.callId, first(sip, "sip.Call-ID")?.show);
  assert.equal(message.cseq.seq, Number(first(sip, "sip.CSeq.seq")?.show));
  assert.equal(message.cseq.method, first(sip, "sip.CSeq.method")?.show);
  assert.equal(message.userAgent, first(sip, "sip.User-Agent")?.show ?? "");
  assert.equal(message.server, first(sip, "sip.Server")?.show ?? "");
  assert.equal(message.contentType, first(sip, "sip.Content-Type")?.show ?? "");
  assert.equal(message.contentLength, optionalNumber(sip, "sip.Content-Length"));
  assert.equal(message.maxForwards, optionalNumber(sip, "sip.Max-Forwards"));
  assert.equal(message.expires, optionalNumber(sip, "sip.Expires"));
  assert.deepEqual(
    message.reasons.map((reason) => reason.protocol),
    shows(sip, "sip.reason_protocols").map((p) => p.trim()),
  );
  const causes: number[] = [];
  walk(sip, (node) => {
    if (/^sip\.reason_cause_(q850|sip|other)$/.test(node.name)) causes.push(Number(node.show));
  });
  assert.deepEqual(message.reasons.flatMap((reason) => reason.cause ?? []), causes);
  assert.deepEqual(message.reasons.flatMap((reason) => reason.text || []), shows(sip, "sip.reason_text"));
}

function compareBody(sip: Node, message: SipMessage): void {
  const body = first(sip, "sip.msg_body");
  assert.equal(message.bodyLength, body?.size ?? 0);
  if (body !== undefined) assert.equal(message.bodyOffset, body.pos - sip.pos);
}

/** Per media section of tshark's SDP tree: the m= node and the a= lines that follow it. */
function sdpSections(sdp: Node): { session: Node[]; media: { line: Node; attributes: Node[] }[] } {
  const session: Node[] = [];
  const media: { line: Node; attributes: Node[] }[] = [];
  for (const child of sdp.children) {
    if (child.name === "sdp.media") media.push({ line: child, attributes: [] });
    else if (child.name === "sdp.media_attr") media.at(-1)?.attributes.push(child);
    else if (child.name === "sdp.session_attr") session.push(child);
  }
  return { session, media };
}

const DIRECTIONS = ["sendrecv", "sendonly", "recvonly", "inactive"];

function attributeValues(attributes: Node[], name: string): string[] {
  return attributes.filter((a) => a.show.startsWith(`${name}:`)).map((a) => a.show.slice(name.length + 1).trim());
}

function compareSdp(sdp: Node, session: SdpSession): number {
  const origin = session.origin;
  assert.deepEqual(
    [origin?.username, origin?.sessionId, origin?.sessionVersion, origin?.netType, origin?.addrType, origin?.address],
    ["username", "sessionid", "version", "network_type", "address_type", "address"].map((f) => {
      return first(sdp, `sdp.owner.${f}`)?.show;
    }),
  );
  assert.equal(session.sessionName, first(sdp, "sdp.session_name")?.show ?? "");
  const connections = [session.connection, ...session.media.map((m) => m.connection)]
    .filter((c, i) => c !== undefined && (i === 0 || c !== session.connection));
  assert.deepEqual(connections.map((c) => c!.address), shows(sdp, "sdp.connection_info.address"));
  const sections = sdpSections(sdp);
  const sessionDirection = sections.session.map((a) => a.show).filter((a) => DIRECTIONS.includes(a)).at(-1);
  assert.equal(session.media.length, sections.media.length);
  session.media.forEach((media, i) => {
    const { line, attributes } = sections.media[i]!;
    assert.equal(media.media, first(line, "sdp.media.media")?.show);
    assert.equal(media.port, Number(first(line, "sdp.media.port")?.show));
    assert.equal(media.portCount?.toString(), first(line, "sdp.media.portcount")?.show);
    assert.equal(media.proto, first(line, "sdp.media.proto")?.show);
    assert.deepEqual(
      media.formats,
      all(line, "sdp.media.format").map((f) => new TextDecoder().decode(hexBytes(f.value))),
    );
    const rtpmaps = media.rtpmaps.map((r) =>
      `${r.payloadType} ${r.encoding}/${r.clockRate}${r.channels ? `/${r.channels}` : ""}`
    );
    assert.deepEqual(rtpmaps, attributeValues(attributes, "rtpmap"));
    assert.deepEqual(media.rtpmaps.map((r) => r.encoding), attributes.flatMap((a) => shows(a, "sdp.mime.type")));
    assert.deepEqual(media.fmtps.map((f) => `${f.format} ${f.parameters}`.trim()), attributeValues(attributes, "fmtp"));
    const rtcp = attributeValues(attributes, "rtcp").at(-1);
    assert.equal(media.rtcp?.port, rtcp === undefined ? undefined : Number(rtcp.split(" ")[0]));
    assert.equal(media.rtcpMux, attributes.some((a) => a.show === "rtcp-mux"));
    const ownDirection = attributes.map((a) => a.show).filter((a) => DIRECTIONS.includes(a)).at(-1);
    assert.equal(media.direction, ownDirection ?? sessionDirection ?? "sendrecv");
    const ptime = attributeValues(attributes, "ptime").at(-1);
    assert.equal(media.ptimeMs, ptime === undefined ? undefined : Number(ptime));
  });
  return session.media.length;
}

/** Counts of what one capture compared, asserted by the tests. */
interface Compared {
  messages: number;
  vias: number;
  sdpBodies: number;
  mediaSections: number;
  framed: number;
}

/** Parses every SIP message tshark decodes in `capture` and compares all fields. */
async function compareCapture(capture: Capture): Promise<Compared> {
  const path = CORPUS + capture.file;
  const common = ["-r", path, ...capture.options, "-Y", capture.filter];
  const packets = parsePdml(await tshark([...common, "-T", "pdml"]));
  const dumps = parseHexDump(await tshark([...common, "-x"]));
  assert.equal(dumps.length, packets.length);
  const compared: Compared = { messages: 0, vias: 0, sdpBodies: 0, mediaSections: 0, framed: 0 };
  packets.forEach((packet, index) => {
    const frame = first(packet, "frame.number")?.show;
    for (const sip of packet.children.filter((proto) => proto.name === "sip")) {
      const { source, bytes } = sipBytes(sip, dumps[index]!);
      const context = `${capture.file} frame ${frame}`;
      const result = parseSipMessage(bytes);
      assert.equal(result.kind, "message", `${context}: ${JSON.stringify(result)}`);
      if (result.kind !== "message") continue;
      const message = result.message;
      try {
        compareStartLine(sip, message);
        compareHeaders(sip, message);
        compareAddresses(sip, message);
        compared.vias += compareVias(sip, message);
        compareBody(sip, message);
        const sdp = first(sip, "sdp");
        if (sdp !== undefined && isSdpContentType(message.contentType)) {
          const body = bytes.subarray(message.bodyOffset, message.bodyOffset + message.bodyLength);
          const parsed = parseSdp(body);
          assert.equal(parsed.kind, "message");
          if (parsed.kind === "message") compared.mediaSections += compareSdp(sdp, parsed.message);
          compared.sdpBodies++;
        }
        if (message.contentLength !== undefined) {
          const frameResult = sipFrameLength(source.subarray(sip.pos));
          assert.deepEqual(frameResult, { kind: "message", length: sip.size });
          compared.framed++;
        }
      } catch (error) {
        throw new Error(`${context}: ${(error as Error).message}`, { cause: error });
      }
      compared.messages++;
    }
  });
  return compared;
}

// ---------------------------------------------------------------------------------------------------------------
// TCP streams re-framed from `follow,tcp,raw`

/** Both directions of one TCP stream as tshark follows them: endpoint "ip:port" and bytes. */
async function followStream(path: string, options: string[], stream: number): Promise<Map<string, Uint8Array>> {
  const text = await tshark(["-r", path, ...options, "-q", "-z", `follow,tcp,raw,${stream}`]);
  const nodes = [...text.matchAll(/^Node (\d): (.+)$/gm)].map((match) => match[2]!.trim());
  const chunks: string[][] = [[], []];
  const body = text.slice(text.search(/^Node 1: .*$/m)).split("\n").slice(1);
  for (const line of body) {
    if (line.startsWith("=")) break;
    if (line.trim() === "") continue;
    chunks[line.startsWith("\t") ? 1 : 0]!.push(line.trim());
  }
  return new Map(nodes.map((node, i) => [node, hexBytes(chunks[i]!.join(""))]));
}

function summary(message: SipMessage): string {
  const start = message.kind === "request" ? message.method : String(message.statusCode);
  return `${start} ${message.callId} ${message.cseq.seq} ${message.cseq.method}`;
}

/** Frames a direction's bytes with `sipFrameLength()` and parses each message. */
function frameStream(bytes: Uint8Array): string[] {
  const messages: string[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const frame = sipFrameLength(bytes.subarray(offset));
    assert.ok(frame.kind === "message" || frame.kind === "keepalive", `offset ${offset}: ${JSON.stringify(frame)}`);
    if (frame.kind === "message") {
      const result = parseSipMessage(bytes.subarray(offset, offset + frame.length));
      assert.equal(result.kind, "message");
      if (result.kind === "message") messages.push(summary(result.message));
      assert.equal(result.kind === "message" ? result.consumedBytes : -1, frame.length);
    }
    offset += frame.length;
  }
  return messages;
}

/** tshark's SIP messages per "stream endpoint" key, in order. */
function tsharkStreamMessages(packets: Node[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const packet of packets) {
    const stream = first(packet, "tcp.stream")!.show;
    const source = first(packet, "ip.src")?.show ?? `[${first(packet, "ipv6.src")?.show}]`;
    const key = `${stream} ${source}:${first(packet, "tcp.srcport")!.show}`;
    for (const sip of packet.children.filter((proto) => proto.name === "sip")) {
      const method = first(sip, "sip.Method")?.show ?? first(sip, "sip.Status-Code")!.show;
      const cseq = `${first(sip, "sip.CSeq.seq")!.show} ${first(sip, "sip.CSeq.method")!.show}`;
      const list = byKey.get(key) ?? [];
      list.push(`${method} ${first(sip, "sip.Call-ID")!.show} ${cseq}`);
      byKey.set(key, list);
    }
  }
  return byKey;
}

// ---------------------------------------------------------------------------------------------------------------
// Tests

for (const capture of CAPTURES) {
  Deno.test(`parseSipMessage() and parseSdp() agree with tshark on ${capture.file}`, async () => {
    const compared = await compareCapture(capture);
    assert.ok(compared.messages >= capture.messagesMin, `compared ${compared.messages} messages`);
    assert.ok(compared.vias >= compared.messages || capture.file === "sip_ipv6_udp.pcap");
  });
}

Deno.test("the corpus exercises SDP, Via and framing comparisons", async () => {
  const totals = { sdpBodies: 0, mediaSections: 0, framed: 0 };
  for (const capture of CAPTURES) {
    const compared = await compareCapture(capture);
    totals.sdpBodies += compared.sdpBodies;
    totals.mediaSections += compared.mediaSections;
    totals.framed += compared.framed;
  }
  assert.ok(totals.sdpBodies >= 40, `SDP bodies: ${totals.sdpBodies}`);
  assert.ok(totals.mediaSections >= totals.sdpBodies);
  assert.ok(totals.framed >= 300, `framed: ${totals.framed}`);
});

for (const capture of CAPTURES.filter((c) => c.filter.includes("tcp"))) {
  Deno.test(`sipFrameLength() splits every followed TCP stream of ${capture.file} as tshark does`, async () => {
    const path = CORPUS + capture.file;
    const packets = parsePdml(await tshark(["-r", path, ...capture.options, "-Y", capture.filter, "-T", "pdml"]));
    const expected = tsharkStreamMessages(packets);
    const streams = new Set([...expected.keys()].map((key) => Number(key.split(" ")[0])));
    let messages = 0;
    for (const stream of streams) {
      for (const [endpoint, bytes] of await followStream(path, capture.options, stream)) {
        const framed = frameStream(bytes);
        assert.deepEqual(framed, expected.get(`${stream} ${endpoint}`) ?? [], `stream ${stream} from ${endpoint}`);
        messages += framed.length;
      }
    }
    assert.ok(messages >= capture.messagesMin, `framed ${messages} messages`);
  });
}
