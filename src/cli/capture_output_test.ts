import assert from "node:assert/strict";
import { emptySourceStats, type PacketSource } from "../capture/batch.ts";
import { batchOf, ethernet, ipv4, udp } from "../capture/_test_batch.ts";
import { decodeSummary } from "../decode/decode.ts";
import { createPacketSummary } from "../decode/summary.ts";
import { PacketPrinter } from "./capture_output.ts";

function fakeSource(interfaces: string[]): PacketSource {
  return {
    name: interfaces.join(","),
    interfaces,
    next: () => Promise.resolve(null),
    release: () => {},
    stats: emptySourceStats,
    close: () => Promise.resolve(),
  };
}

class Sink {
  chunks: string[] = [];
  broken = false;
  writeSync(bytes: Uint8Array): number {
    if (this.broken) throw new Deno.errors.BrokenPipe("closed");
    this.chunks.push(new TextDecoder().decode(bytes));
    return bytes.length;
  }
}

const frame = ethernet(0x0800, ipv4(17, udp(5060, 5061, new Uint8Array(12))));

function printAll(printer: PacketPrinter, frames: Uint8Array[], interfaceIndex = 0): void {
  const batch = batchOf(frames);
  batch.interfaceIndex = interfaceIndex;
  const summary = createPacketSummary();
  for (let i = 0; i < batch.count; i++) {
    decodeSummary(batch, i, summary);
    printer.add(batch, summary);
  }
}

Deno.test("PacketPrinter writes one text line per packet in one write per flush", () => {
  const sink = new Sink();
  const printer = new PacketPrinter("text", fakeSource(["eth0"]), sink);
  printAll(printer, [frame, frame]);
  assert.equal(printer.flush(), true);
  assert.equal(sink.chunks.length, 1);
  const lines = sink.chunks[0].trimEnd().split("\n");
  assert.equal(lines.length, 2);
  assert.match(lines[0], /UDP, length 12$/);
});

Deno.test("PacketPrinter prefixes the interface when several are captured, and writes JSON records", () => {
  const sink = new Sink();
  const text = new PacketPrinter("text", fakeSource(["eth0", "eth1"]), sink);
  printAll(text, [frame], 1);
  text.flush();
  assert.match(sink.chunks[0], /^eth1 /);
  const json = new PacketPrinter("json", fakeSource(["eth0", "eth1"]), sink);
  printAll(json, [frame], 1);
  json.flush();
  const record = JSON.parse(sink.chunks[1]);
  assert.equal(record.interface, "eth1");
  assert.equal(record.srcPort, 5060);
  assert.equal(record.dstPort, 5061);
});

Deno.test("PacketPrinter.flush() returns false once stdout is a closed pipe", () => {
  const sink = new Sink();
  const printer = new PacketPrinter("text", fakeSource(["eth0"]), sink);
  sink.broken = true;
  printAll(printer, [frame]);
  assert.equal(printer.flush(), false);
  assert.equal(printer.flush(), false);
});
