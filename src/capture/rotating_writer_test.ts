import assert from "node:assert/strict";
import { batchOf } from "./_test_batch.ts";
import { LinkType } from "./batch.ts";
import { createRotatingWriter, strftime } from "./rotating_writer.ts";

const FRAME = new Uint8Array(986); // 16-byte record header + 986 = 1002 bytes per packet in a pcap.

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("strftime() expands date conversions in UTC and keeps unknown ones", () => {
  const date = new Date(Date.UTC(2024, 1, 29, 7, 5, 9));
  assert.equal(strftime("t-%Y%m%d-%H%M%S.pcap", date, true), "t-20240229-070509.pcap");
  assert.equal(strftime("%y %j %s %% %Q", date, true), "24 060 1709190309 % %Q");
});

Deno.test("RotatingWriter rotates by size with numbered names like tcpdump -C", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const closed: string[] = [];
    const writer = createRotatingWriter({
      path: `${dir}/cap.pcap`,
      rotateMegabytes: 0.002, // 2000 bytes: the header and one packet fit, the second packet goes to a new file.
      onFileClosed: (path) => closed.push(path),
    });
    writer.write(batchOf([FRAME, FRAME, FRAME, FRAME, FRAME]));
    writer.close();
    assert.equal(writer.packetsWritten, 5);
    assert.deepEqual(await listDir(dir), ["cap.pcap", "cap.pcap1", "cap.pcap2"]);
    assert.equal(closed.length, 3);
    assert.equal((await Deno.stat(`${dir}/cap.pcap`)).size, 24 + 2 * 1002);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RotatingWriter.writeRange() checks the size limit once per range, so a range may straddle it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = createRotatingWriter({ path: `${dir}/cap.pcap`, rotateMegabytes: 0.002 });
    writer.writeRange(batchOf([FRAME, FRAME, FRAME]), 0, 3);
    writer.writeRange(batchOf([FRAME, FRAME]), 1, 2);
    writer.close();
    assert.equal(writer.packetsWritten, 4);
    assert.deepEqual(await listDir(dir), ["cap.pcap", "cap.pcap1"]);
    assert.equal((await Deno.stat(`${dir}/cap.pcap`)).size, 24 + 3 * 1002);
    assert.equal((await Deno.stat(`${dir}/cap.pcap1`)).size, 24 + 1002);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RotatingWriter.recordsTarget() checks the size limit once per block of records", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = createRotatingWriter({ path: `${dir}/cap.pcap`, rotateMegabytes: 0.002 });
    for (const packets of [3, 2, 1]) {
      writer.recordsTarget(1500, LinkType.EN10MB)!.fill(packets);
      writer.commitRecords(1500, packets);
    }
    writer.close();
    assert.equal(writer.packetsWritten, 6);
    assert.equal(writer.nanosecond, true);
    assert.deepEqual(await listDir(dir), ["cap.pcap", "cap.pcap1"]);
    assert.equal((await Deno.stat(`${dir}/cap.pcap`)).size, 24 + 2 * 1500);
    assert.equal((await Deno.stat(`${dir}/cap.pcap1`)).size, 24 + 1500);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RotatingWriter wraps numbered files at fileCountMax like tcpdump -C -W", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = createRotatingWriter({ path: `${dir}/ring.pcap`, rotateMegabytes: 0.001, fileCountMax: 3 });
    for (let k = 0; k < 5; k++) writer.write(batchOf([FRAME]));
    writer.close();
    assert.deepEqual(await listDir(dir), ["ring.pcap0", "ring.pcap1", "ring.pcap2"]);
    assert.equal(writer.packetsWritten, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RotatingWriter starts timed files from a strftime name and stops after fileCountMax", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let nowMs = Date.UTC(2025, 0, 2, 3, 4, 5);
    const writer = createRotatingWriter({
      path: `${dir}/t-%Y%m%d-%H%M%S.pcapng`,
      format: "pcapng",
      rotateSeconds: 60,
      fileCountMax: 2,
      utc: true,
      nowMs: () => nowMs,
    });
    writer.write(batchOf([FRAME]));
    nowMs += 30_000;
    writer.write(batchOf([FRAME]));
    nowMs += 30_000;
    writer.write(batchOf([FRAME]));
    assert.equal(writer.path, `${dir}/t-20250102-030505.pcapng`);
    nowMs += 60_000;
    writer.write(batchOf([FRAME, FRAME]));
    assert.equal(writer.finished, true);
    writer.close();
    assert.deepEqual(await listDir(dir), ["t-20250102-030405.pcapng", "t-20250102-030505.pcapng"]);
    assert.equal(writer.packetsWritten, 3);
    assert.equal(writer.packetsSkipped, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RotatingWriter keeps a literal name when not rotating by time", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const writer = createRotatingWriter({ path: `${dir}/100%.pcap` });
    writer.write(batchOf([FRAME]));
    writer.close();
    assert.deepEqual(await listDir(dir), ["100%.pcap"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RotatingWriter does not rotate by time while a records target is out, and rotates at the next one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let nowMs = Date.UTC(2025, 0, 2, 3, 4, 5);
    const writer = createRotatingWriter({
      path: `${dir}/t-%H%M%S.pcap`,
      rotateSeconds: 60,
      utc: true,
      nowMs: () => nowMs,
    });
    const target = writer.recordsTarget(1500, LinkType.EN10MB)!;
    nowMs += 61_000;
    writer.rotateIfDue(); // the maintenance timer fires while the library fills the target
    target.fill(7);
    writer.commitRecords(1500, 3);
    assert.deepEqual(await listDir(dir), ["t-030405.pcap"]);
    writer.recordsTarget(1500, LinkType.EN10MB);
    writer.commitRecords(1500, 1);
    writer.close();
    assert.equal(writer.packetsWritten, 4);
    assert.deepEqual(await listDir(dir), ["t-030405.pcap", "t-030506.pcap"]);
    const first = await Deno.readFile(`${dir}/t-030405.pcap`);
    assert.equal(first.length, 24 + 1500);
    assert.ok(first.subarray(24).every((byte) => byte === 7), "the records landed in the file they were built for");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
