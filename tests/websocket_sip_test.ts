/**
 * SIP over WebSocket (RFC 7118) against tshark: a crafted call over one TCP connection (handshake, masked client
 * frames, a fragmented INVITE around a ping, two messages in one segment, a frame header cut by a segment boundary,
 * Close frames) is written to a pcap. tshark must see every SIP message as SIP over WebSocket, and `capture-agent
 * analyze -r` must report the same Call-ID, method or status and CSeq, message for message, with transport "ws".
 */
import assert from "node:assert/strict";
import { wsSipCallFrames } from "../src/pipeline/_test_ws_call.ts";

/** A little-endian microsecond pcap of Ethernet `frames`, 10 ms apart. */
function pcapOf(frames: Uint8Array[]): Uint8Array {
  const size = 24 + frames.reduce((sum, frame) => sum + 16 + frame.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, 1, true);
  let at = 24;
  frames.forEach((frame, k) => {
    view.setUint32(at, 1_700_000_000, true);
    view.setUint32(at + 4, k * 10_000, true);
    view.setUint32(at + 8, frame.length, true);
    view.setUint32(at + 12, frame.length, true);
    out.set(frame, at + 16);
    at += 16 + frame.length;
  });
  return out;
}

/**
 * One tshark fields line → one row per SIP message: a frame holding several messages lists each field's values
 * comma-separated (requests leave the status empty and responses the method, so rows line up by CSeq).
 */
function messagesOfFrame(line: string): string[][] {
  const [callIds, methods, statuses, seqs, port] = line.split("\t");
  const seqList = seqs.split(",");
  const methodList = methods === "" ? [] : methods.split(",");
  const statusList = statuses === "" ? [] : statuses.split(",");
  // Requests come before responses only if tshark says so; with one kind per frame the order is the frame's.
  assert.ok(methodList.length === 0 || statusList.length === 0, "one kind of message per frame in this capture");
  return seqList.map((seq, k) => [callIds.split(",")[k], methodList[k] ?? "", statusList[k] ?? "", seq, port]);
}

async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout);
}

Deno.test("analyze -r reports every SIP-over-WebSocket message tshark decodes, with equal fields", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ws-sip-" });
  try {
    const file = `${dir}/ws_sip.pcap`;
    const { frames, messages } = wsSipCallFrames();
    await Deno.writeFile(file, pcapOf(frames));
    const fields = ["sip.Call-ID", "sip.Method", "sip.Status-Code", "sip.CSeq.seq", "tcp.srcport"];
    const tshark = (await run("tshark", [
      "-r",
      file,
      "-Y",
      "sip && websocket",
      "-T",
      "fields",
      ...fields.flatMap((field) => ["-e", field]),
    ])).trim().split("\n").flatMap(messagesOfFrame);
    assert.equal(tshark.length, messages.length, "tshark decodes every message as SIP over WebSocket");
    const expected = tshark.map(([callId, method, status, seq, port]) =>
      `${callId} ${method || Number(status)} ${seq} ${port}`
    );
    const lines = (await run(Deno.execPath(), ["run", "-A", "src/main.ts", "analyze", "-r", file, "--protocol", "sip"]))
      .trim().split("\n").map((line) => JSON.parse(line));
    const sip = lines.filter((record) => record.type === "sip");
    assert.deepEqual(
      sip.map((r) => `${r.sip.call_id} ${r.sip.method ?? r.sip.status_code} ${r.sip.cseq.seq} ${r.src_port}`),
      expected,
    );
    assert.ok(sip.every((record) => record.transport === "ws"));
    const call = lines.find((record) => record.type === "call");
    assert.equal(call?.call.transport, "ws");
    assert.equal(call?.call.final_status, 200);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
