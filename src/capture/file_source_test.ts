import assert from "node:assert/strict";
import { batchOf } from "./_test_batch.ts";
import { LinkType } from "./batch.ts";
import { openFileSource } from "./file_source.ts";
import { createPcapWriter } from "./pcap_writer.ts";
import { createPcapngWriter } from "./pcapng_writer.ts";

function frames(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, k) => new Uint8Array(10 + (k % 50)).fill(k & 0xff));
}

async function readAll(path: string, options = {}) {
  const source = await openFileSource(path, options);
  const sizes: number[] = [];
  const firstBytes: number[] = [];
  for (let batch = await source.next(); batch !== null; batch = await source.next()) {
    assert.ok(batch.count <= batch.offsets.length);
    for (let i = 0; i < batch.count; i++) {
      sizes.push(batch.capturedBytes[i]);
      firstBytes.push(batch.data[batch.offsets[i]]);
    }
  }
  const stats = source.stats();
  await source.close();
  return { sizes, firstBytes, stats, interfaces: source.interfaces };
}

Deno.test("openFileSource() reads a pcap through a small buffer that must compact and grow", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/a.pcap`;
    const written = frames(300);
    const writer = createPcapWriter(path);
    writer.write(batchOf(written));
    writer.close();
    const result = await readAll(path, { chunkBytes: 40, packetsMax: 7 });
    assert.deepEqual(result.sizes, written.map((frame) => frame.length));
    assert.deepEqual(result.firstBytes, written.map((frame) => frame[0]));
    assert.equal(result.stats.packets, 300);
    assert.equal(result.stats.readErrors, 0);
    assert.deepEqual(result.interfaces, [path]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openFileSource() counts one read error for a file cut inside a record", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cut.pcap`;
    const writer = createPcapWriter(path);
    writer.write(batchOf(frames(3)));
    writer.close();
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 5));
    const result = await readAll(path);
    assert.equal(result.sizes.length, 2);
    assert.equal(result.stats.readErrors, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openFileSource() detects pcapng and lists its interfaces", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/b.pcapng`;
    const writer = createPcapngWriter(path, { interfaces: ["eth0", "lo"] });
    writer.write(batchOf(frames(3)));
    const loopback = batchOf(frames(2), LinkType.RAW);
    loopback.interfaceIndex = 1;
    writer.write(loopback);
    writer.close();
    const result = await readAll(path);
    assert.equal(result.sizes.length, 5);
    assert.deepEqual(result.interfaces, ["eth0", "lo"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openFileSource() rejects missing, directory, empty and foreign files with clear messages", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(openFileSource(`${dir}/nope.pcap`), {
      message: `Cannot open capture file "${dir}/nope.pcap": No such file`,
    });
    await assert.rejects(openFileSource(dir), { message: `Cannot open capture file "${dir}": Is a directory` });
    await Deno.writeFile(`${dir}/empty`, new Uint8Array(0));
    await assert.rejects(openFileSource(`${dir}/empty`), /not a pcap or pcapng file/);
    await Deno.writeTextFile(`${dir}/text`, "hello world\n");
    await assert.rejects(openFileSource(`${dir}/text`), {
      message: `Cannot read capture file "${dir}/text": not a pcap or pcapng file`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSource.next() returns null after close()", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/c.pcap`;
    const writer = createPcapWriter(path);
    writer.write(batchOf(frames(2)));
    writer.close();
    const source = await openFileSource(path);
    await source.close();
    assert.equal(await source.next(), null);
    await source.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
