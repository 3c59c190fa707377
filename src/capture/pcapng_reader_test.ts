import assert from "node:assert/strict";
import { createPacketBatch } from "./batch.ts";
import { chunkOf } from "./chunk.ts";
import { isPcapngMagic, PcapngParser, unitsPerSecond } from "./pcapng_reader.ts";

/** Builds blocks in one byte order; bodies are padded to 4 bytes and framed by the two lengths. */
class Blocks {
  parts: Uint8Array[] = [];
  constructor(readonly le: boolean) {}

  block(type: number, body: Uint8Array): this {
    const padded = (body.length + 3) & ~3;
    const bytes = new Uint8Array(12 + padded);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, type, this.le);
    view.setUint32(4, bytes.length, this.le);
    bytes.set(body, 8);
    view.setUint32(bytes.length - 4, bytes.length, this.le);
    this.parts.push(bytes);
    return this;
  }

  section(): this {
    return this.block(
      0x0a0d0d0a,
      this.#words([[32, 0x1a2b3c4d], [16, 1], [16, 0], [32, 0xffffffff], [32, 0xffffffff]]),
    );
  }

  iface(linkType: number, options: [number, Uint8Array][] = []): this {
    const head = this.#words([[16, linkType], [16, 0], [32, 0]]);
    const opts = options.flatMap(([code, value]) => {
      const padded = new Uint8Array((value.length + 3) & ~3);
      padded.set(value);
      return [this.#words([[16, code], [16, value.length]]), padded];
    });
    return this.block(1, concatAll([head, ...opts, this.#words([[16, 0], [16, 0]])]));
  }

  epb(id: number, high: number, low: number, data: Uint8Array, wireBytes = data.length): this {
    const head = this.#words([[32, id], [32, high], [32, low], [32, data.length], [32, wireBytes]]);
    return this.block(6, concatAll([head, data]));
  }

  spb(wireBytes: number, data: Uint8Array): this {
    return this.block(3, concatAll([this.#words([[32, wireBytes]]), data]));
  }

  pb(id: number, high: number, low: number, data: Uint8Array): this {
    const head = this.#words([[16, id], [16, 0], [32, high], [32, low], [32, data.length], [32, data.length]]);
    return this.block(2, concatAll([head, data]));
  }

  bytes(): Uint8Array {
    return concatAll(this.parts);
  }

  #words(fields: [16 | 32, number][]): Uint8Array {
    const bytes = new Uint8Array(fields.reduce((sum, [bits]) => sum + bits / 8, 0));
    const view = new DataView(bytes.buffer);
    let at = 0;
    for (const [bits, value] of fields) {
      if (bits === 16) view.setUint16(at, value, this.le);
      else view.setUint32(at, value, this.le);
      at += bits / 8;
    }
    return bytes;
  }
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const NAME = new TextEncoder().encode("eth7");

Deno.test("PcapngParser reads EPBs in either byte order with the default microsecond resolution", () => {
  for (const le of [true, false]) {
    const file = new Blocks(le).section().iface(1, [[2, NAME]]).epb(
      0,
      0x00060a24,
      0x181e4000,
      new Uint8Array([1, 2, 3]),
      64,
    )
      .bytes();
    const parser = new PcapngParser("x.pcapng");
    const batch = createPacketBatch(8);
    parser.fill(chunkOf(file), batch);
    assert.equal(batch.count, 1);
    assert.equal(batch.linkType, 1);
    assert.deepEqual(parser.interfaces, ["eth7"]);
    // 0x00060a24181e4000 µs = 1700000000.000000 s.
    assert.equal(batch.timestampSec[0], 1700000000);
    assert.equal(batch.timestampNsec[0], 0);
    assert.equal(batch.capturedBytes[0], 3);
    assert.equal(batch.wireBytes[0], 64);
    assert.deepEqual(Array.from(batch.data.subarray(batch.offsets[0], batch.offsets[0] + 3)), [1, 2, 3]);
  }
});

Deno.test("PcapngParser applies if_tsresol in powers of ten and of two", () => {
  const file = new Blocks(true).section()
    .iface(1, [[9, new Uint8Array([9])]])
    .iface(1, [[9, new Uint8Array([0x80 | 20])]])
    .epb(0, 0x17979cfe, 0x362a0015, new Uint8Array(1)) // 1700000000.000000021 s in ns.
    .epb(1, 0, 3 * 1048576 + 524288, new Uint8Array(1)) // 3.5 s in 2^-20 units.
    .bytes();
  const parser = new PcapngParser("r.pcapng");
  const batch = createPacketBatch(8);
  const chunk = chunkOf(file);
  parser.fill(chunk, batch);
  assert.equal(batch.count, 1, "a batch holds one interface");
  assert.equal(batch.timestampSec[0], 1700000000);
  assert.equal(batch.timestampNsec[0], 21);
  batch.count = 0;
  parser.fill(chunk, batch);
  assert.equal(batch.interfaceIndex, 1);
  assert.equal(batch.timestampSec[0], 3);
  assert.equal(batch.timestampNsec[0], 500_000_000);
});

Deno.test("PcapngParser reads simple and obsolete packet blocks and skips unknown blocks", () => {
  const file = new Blocks(true).section().iface(101).block(5, new Uint8Array(8)).spb(5, new Uint8Array([4, 5, 6, 7, 8]))
    .pb(0, 0, 2_000_000, new Uint8Array([9, 9])).bytes();
  const parser = new PcapngParser("s.pcapng");
  const batch = createPacketBatch(8);
  parser.fill(chunkOf(file), batch);
  assert.equal(batch.count, 2);
  assert.equal(batch.linkType, 101);
  assert.equal(batch.capturedBytes[0], 5);
  assert.equal(batch.timestampSec[1], 2);
  assert.equal(parser.readErrors, 0);
});

Deno.test("PcapngParser counts a packet for an undeclared interface and goes on", () => {
  const file = new Blocks(true).section().iface(1).epb(3, 0, 0, new Uint8Array(4)).epb(0, 0, 0, new Uint8Array(4))
    .bytes();
  const parser = new PcapngParser("u.pcapng");
  const batch = createPacketBatch(8);
  parser.fill(chunkOf(file), batch);
  assert.equal(batch.count, 1);
  assert.equal(parser.readErrors, 1);
});

Deno.test("PcapngParser restarts interfaces at each section and numbers them over the file", () => {
  const file = new Blocks(true).section().iface(1).epb(0, 0, 1, new Uint8Array(1))
    .section().iface(113).epb(0, 0, 2, new Uint8Array(1)).bytes();
  const parser = new PcapngParser("m.pcapng");
  const batch = createPacketBatch(8);
  const chunk = chunkOf(file);
  parser.fill(chunk, batch);
  assert.equal(batch.interfaceIndex, 0);
  batch.count = 0;
  parser.fill(chunk, batch);
  assert.equal(batch.interfaceIndex, 1);
  assert.equal(batch.linkType, 113);
  assert.equal(parser.interfaces.length, 2);
});

Deno.test("PcapngParser stops cleanly at every truncation length of a file", () => {
  const file = new Blocks(true).section().iface(1).epb(0, 0, 1, new Uint8Array(7)).epb(0, 0, 2, new Uint8Array(9))
    .bytes();
  const secondStart = file.length - (32 + 12);
  for (let length = 0; length <= file.length; length++) {
    const parser = new PcapngParser("t.pcapng");
    const batch = createPacketBatch(8);
    const chunk = chunkOf(file.subarray(0, length));
    parser.fill(chunk, batch);
    const expected = length === file.length ? 2 : length >= secondStart ? 1 : 0;
    assert.equal(batch.count, expected, `length ${length}`);
    assert.equal(parser.failed, false, `length ${length}`);
    if (expected < 2) assert.ok(parser.needBytes > chunk.end - chunk.start, `length ${length}`);
  }
});

Deno.test("PcapngParser fails on a bad block length or a file not starting with a section", () => {
  const file = new Blocks(true).section().iface(1).bytes();
  new DataView(file.buffer).setUint32(28 + 4, 13, true);
  const parser = new PcapngParser("bad.pcapng");
  parser.fill(chunkOf(file), createPacketBatch(8));
  assert.equal(parser.failed, true);
  assert.equal(parser.readErrors, 1);
  const headless = new PcapngParser("headless.pcapng");
  headless.fill(chunkOf(new Blocks(true).iface(1).bytes()), createPacketBatch(8));
  assert.equal(headless.failed, true);
});

Deno.test("unitsPerSecond() decodes if_tsresol and isPcapngMagic() the section magic", () => {
  assert.equal(unitsPerSecond(6), 1_000_000);
  assert.equal(unitsPerSecond(9), 1_000_000_000);
  assert.equal(unitsPerSecond(0x80 | 10), 1024);
  assert.equal(isPcapngMagic(new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a])), true);
  assert.equal(isPcapngMagic(new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1])), false);
});

Deno.test("PcapngParser counts packet blocks too short for their header and goes on", () => {
  const file = new Blocks(true).section().iface(1).block(6, new Uint8Array(4)).epb(0, 0, 0, new Uint8Array(2)).bytes();
  const parser = new PcapngParser("short.pcapng");
  const batch = createPacketBatch(8);
  parser.fill(chunkOf(file), batch);
  assert.equal(batch.count, 1);
  assert.equal(parser.readErrors, 1);
  const cut = new Blocks(true).section().iface(1).block(6, new Uint8Array(12)).bytes();
  const tail = new PcapngParser("tail.pcapng");
  tail.fill(chunkOf(cut), createPacketBatch(8));
  assert.equal(tail.readErrors, 1);
});

Deno.test("PcapngParser never throws on randomly corrupted files", () => {
  const file = new Blocks(true).section().iface(1, [[2, NAME], [9, new Uint8Array([9])]])
    .epb(0, 1, 2, new Uint8Array(30)).spb(8, new Uint8Array(8)).pb(0, 0, 1, new Uint8Array(5)).bytes();
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  for (let round = 0; round < 2000; round++) {
    const copy = file.slice();
    for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
      copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
    }
    const parser = new PcapngParser("fuzz.pcapng");
    const batch = createPacketBatch(4);
    const chunk = chunkOf(copy);
    for (let calls = 0; calls < 10 && !parser.failed && chunk.start < chunk.end; calls++) {
      batch.count = 0;
      parser.fill(chunk, batch);
      for (let i = 0; i < batch.count; i++) assert.ok(batch.offsets[i] + batch.capturedBytes[i] <= copy.length);
      if (batch.count === 0) break;
    }
  }
});
