/**
 * tshark as oracle for the HTTP/1.x stream parser: every TCP stream in which tshark finds HTTP is rebuilt from
 * `tshark -z follow,tcp,raw,N` (both directions, segments in capture order), fed to an `HttpConnection`, and the
 * request methods and targets and the response status codes must equal tshark's, in order, stream by stream.
 */
import assert from "node:assert/strict";
import { HttpConnection, type HttpMessage, type HttpTransaction } from "../src/protocols/http/mod.ts";

const CAPTURES = [
  "/work/shared/corpus/sip/rtp_rtcp_sip_ipv4_udp.pcap",
  ...[
    "accecn_handshake.pcap",
    "ipv4_tcp_http_xml.pcap",
    "ipv4_tcp_http_xml_tso.pcap",
    "print-flags.pcap",
    "arcnet-rfc1051-arp-icmp-http.pcap",
    "arcnet-rfc1201-arp-icmp-http.pcap",
  ].map((file) => "/work/shared/corpus/tcpdump/" + file),
];

async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout);
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Requests ("METHOD target") and responses ("status") of one stream, each in order. */
interface StreamMessages {
  requests: string[];
  responses: string[];
}

function streamMessages(map: Map<number, StreamMessages>, stream: number): StreamMessages {
  let messages = map.get(stream);
  if (messages === undefined) map.set(stream, messages = { requests: [], responses: [] });
  return messages;
}

/** tshark's view: one row per frame; a frame holding several messages lists them joined by "|". */
async function tsharkMessages(file: string): Promise<Map<number, StreamMessages>> {
  const args = ["-r", file, "-Y", "http && tcp", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|"];
  args.push("-e", "tcp.stream", "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.response.code");
  const map = new Map<number, StreamMessages>();
  for (const row of (await run("tshark", args)).split("\n").filter((line) => line !== "")) {
    const [stream, methods, uris, codes] = row.split("\t");
    const messages = streamMessages(map, Number(stream));
    const uriList = uris!.split("|");
    methods!.split("|").forEach((method, i) => method !== "" && messages.requests.push(`${method} ${uriList[i]}`));
    for (const code of codes!.split("|")) if (code !== "") messages.responses.push(code);
  }
  return map;
}

/** Our view: each stream's segments replayed into a connection; segment index stands in for time. */
async function ourMessages(file: string, streams: number[], transactions: HttpTransaction[]) {
  const args = ["-r", file, "-q", ...streams.flatMap((stream) => ["-z", `follow,tcp,raw,${stream}`])];
  const map = new Map<number, StreamMessages>();
  let connection: HttpConnection | undefined;
  let segment = 0;
  for (const line of (await run("tshark", args)).split("\n")) {
    const filter = /^Filter: tcp.stream eq (\d+)$/.exec(line);
    if (filter !== null) {
      connection?.close(segment);
      const messages = streamMessages(map, Number(filter[1]));
      connection = new HttpConnection({
        emit: (transaction) => transactions.push(transaction),
        onMessage: (message: HttpMessage) => {
          // tshark reassembles bodies before it shows a message, so one cut by the end of the capture is not shown.
          if (message.truncated) return;
          if (message.kind === "request") messages.requests.push(`${message.method} ${message.target}`);
          else messages.responses.push(String(message.status));
        },
      });
    } else if (connection !== undefined && /^\t?[0-9a-f]+$/.test(line)) {
      connection.feed(line.startsWith("\t") ? 1 : 0, fromHex(line.trim()), segment++);
    }
  }
  connection?.close(segment);
  return map;
}

Deno.test("HttpConnection finds tshark's requests and responses in every HTTP stream of the corpus", async () => {
  const merged = await Deno.makeTempFile({ suffix: ".pcapng" });
  try {
    await run("mergecap", ["-w", merged, ...CAPTURES]);
    const expected = await tsharkMessages(merged);
    const streams = [...expected.keys()].sort((a, b) => a - b);
    const transactions: HttpTransaction[] = [];
    const ours = await ourMessages(merged, streams, transactions);
    let compared = 0;
    for (const stream of streams) {
      assert.deepEqual(ours.get(stream), expected.get(stream), `tcp.stream ${stream}`);
      compared += expected.get(stream)!.requests.length + expected.get(stream)!.responses.length;
    }
    assert.ok(compared >= 80, `only ${compared} messages compared`);
    // Keep-alive streams pair: most transactions have both halves and a latency that is not negative.
    const paired = transactions.filter((t) => t.request !== undefined && t.response !== undefined);
    assert.ok(paired.length >= 35, `only ${paired.length} paired transactions`);
    for (const transaction of paired) assert.ok(transaction.latencyMs! >= 0);
  } finally {
    await Deno.remove(merged);
  }
});
