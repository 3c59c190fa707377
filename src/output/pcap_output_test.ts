import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { batchAt, udpFrame } from "../pipeline/_test_frames.ts";
import { isPacketOutput, PcapOutput } from "./pcap_output.ts";

function frames(count: number, bytes = 200): Uint8Array[] {
  return Array.from(
    { length: count },
    (_, i) => udpFrame([10, 0, 0, 1], 1000 + i, [10, 0, 0, 2], 2000, new Uint8Array(bytes)),
  );
}

/** Packets in a classic pcap (nanosecond or microsecond, little-endian), gunzipped when needed. */
function pcapPackets(path: string): number {
  let bytes = Deno.readFileSync(path);
  if (path.endsWith(".gz")) bytes = new Uint8Array(gunzipSync(bytes));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  for (let at = 24; at + 16 <= bytes.length; at += 16 + view.getUint32(at + 8, true)) count++;
  return count;
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pcap-output-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const listFiles = (dir: string) => [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();

Deno.test("PcapOutput rotates by size and every packet lands in exactly one file", () =>
  withDir(async (dir) => {
    const output = new PcapOutput({ dir, task: "t1", rotateBytes: 5000 });
    assert.ok(isPacketOutput(output));
    for (let k = 0; k < 10; k++) output.writePackets(batchAt(frames(10)));
    await output.close();
    const names = listFiles(dir);
    assert.ok(names.length > 5, `expected several files, got ${names.length}`);
    assert.ok(names.every((name) => /^t1-\d{8}T\d{6}Z-\d{6}\.pcap$/.test(name)), names.join(","));
    assert.equal(names.reduce((sum, name) => sum + pcapPackets(`${dir}/${name}`), 0), 100);
    for (const name of names) assert.ok(Deno.statSync(`${dir}/${name}`).size <= 5000);
    const stats = output.stats();
    assert.equal(stats.sentRecords, 100);
    assert.equal(stats.filesOpened, names.length);
    assert.equal(stats.droppedRecords, 0);
  }));

Deno.test("PcapOutput rotates by time, keeps filesMax files and gzips them", () =>
  withDir(async (dir) => {
    let now = 1_700_000_000_000;
    const output = new PcapOutput({
      dir,
      template: "cap-{seq}",
      rotateSeconds: 60,
      filesMax: 3,
      gzip: true,
      nowMs: () => now,
    });
    for (let k = 0; k < 5; k++) {
      output.writePackets(batchAt(frames(7)));
      now += 61_000;
    }
    output.rotateIfDue();
    await output.close();
    assert.deepEqual(listFiles(dir), ["cap-000002.pcap.gz", "cap-000003.pcap.gz", "cap-000004.pcap.gz"]);
    for (const name of listFiles(dir)) assert.equal(pcapPackets(`${dir}/${name}`), 7);
    const stats = output.stats();
    assert.equal(stats.filesCompressed, 5);
    assert.equal(stats.filesDeleted, 2);
  }));

Deno.test("PcapOutput counts records and packets after close as dropped", () =>
  withDir(async (dir) => {
    const output = new PcapOutput({ dir, format: "pcapng" });
    assert.deepEqual(output.write([{ type: "sip", timestampMs: 0, value: {} }]), { queued: 0, spooled: 0, dropped: 1 });
    await output.close();
    output.writePackets(batchAt(frames(3)));
    const stats = output.stats();
    assert.equal(stats.droppedNotPacket, 1);
    assert.equal(stats.droppedClosed, 3);
    assert.equal(stats.droppedRecords, 4);
  }));

Deno.test("PcapOutput refuses bad options with a clear error", () => {
  assert.throws(() => new PcapOutput({ dir: "" }), /without dir/);
  assert.throws(() => new PcapOutput({ dir: "/tmp", template: "x" }), /must contain \{seq\}/);
  assert.throws(() => new PcapOutput({ dir: "/tmp", template: "a/{seq}" }), /without a directory/);
  assert.throws(() => new PcapOutput({ dir: "/tmp", template: "{seq}-{host}" }), /unknown field \{host\}/);
  assert.throws(() => new PcapOutput({ dir: "/tmp", rotateBytes: -1 }), /rotateBytes/);
  assert.throws(() => new PcapOutput({ dir: "/tmp", format: "erf" as "pcap" }), /format/);
});
