import assert from "node:assert/strict";
import { ConsoleOutput, type LineSink } from "./console.ts";
import type { OutputRecord } from "./output.ts";

class Collect implements LineSink {
  text = "";
  writeSync(bytes: Uint8Array): number {
    this.text += new TextDecoder().decode(bytes);
    return bytes.length;
  }
}

const sip: OutputRecord = {
  type: "sip",
  timestampMs: Date.UTC(2024, 0, 1, 12, 30, 5, 123),
  value: {
    type: "sip",
    src_ip: "10.0.0.1",
    src_port: 5060,
    dst_ip: "2001:db8::2",
    dst_port: 5070,
    sip: { method: "INVITE", call_id: "a@b" },
  },
};

Deno.test("ConsoleOutput prints JSON lines that parse back to the record", () => {
  const sink = new Collect();
  const output = new ConsoleOutput({ sink });
  assert.deepEqual(output.write([sip, sip]), { queued: 2, spooled: 0, dropped: 0 });
  const lines = sink.text.trimEnd().split("\n");
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]), sip.value);
});

Deno.test("ConsoleOutput prints short text lines", () => {
  const sink = new Collect();
  new ConsoleOutput({ format: "text", sink }).write([sip]);
  assert.equal(sink.text, "12:30:05.123 sip 10.0.0.1:5060 -> [2001:db8::2]:5070 INVITE call_id=a@b\n");
});

Deno.test("ConsoleOutput counts unencodable records and a broken stdout without throwing", () => {
  const broken: LineSink = {
    writeSync() {
      throw new Error("Broken pipe");
    },
  };
  const output = new ConsoleOutput({ sink: broken });
  assert.deepEqual(output.write([sip, { type: "x", timestampMs: 0, value: { n: 1n } }]), {
    queued: 0,
    spooled: 0,
    dropped: 2,
  });
  const stats = output.stats();
  assert.equal(stats.droppedEncode, 1);
  assert.equal(stats.droppedWriteError, 1);
  assert.throws(() => new ConsoleOutput({ format: "xml" as "json" }), /format "xml"/);
});
