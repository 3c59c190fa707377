import assert from "node:assert/strict";
import { captureConfig } from "./capture_options.ts";
import { runCapture } from "./capture.ts";

const SIP_CALL = "/work/shared/corpus/sip/rtp_rtcp_sip_ipv4_udp.pcap";
const FLAGS = { interface: [] as string[], fanout: 1, fanoutMode: "hash", promisc: true, format: "text" } as const;

async function quietly<T>(fn: () => Promise<T>): Promise<{ value: T; stderr: string[] }> {
  const stderr: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => stderr.push(parts.join(" "));
  try {
    return { value: await fn(), stderr };
  } finally {
    console.error = original;
  }
}

Deno.test("runCapture() reads a file with -c, -s and -w and reports the packets it wrote", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const path = `${directory}/out.pcap`;
    const summary = `${directory}/summary.jsonl`;
    const config = captureConfig({
      ...FLAGS,
      read: SIP_CALL,
      count: 25,
      snaplen: 64,
      write: path,
      summary,
      blockBytes: 4096,
      blockCount: 2,
    });
    const { value, stderr } = await quietly(() => runCapture(config));
    assert.equal(value, 0);
    assert.deepEqual(stderr.slice(0, 2), ["25 packets captured", "25 packets received by filter"]);
    const bytes = await Deno.readFile(path);
    const view = new DataView(bytes.buffer);
    let records = 0;
    for (let at = 24; at < bytes.length; at += 16 + view.getUint32(at + 8, true)) {
      assert.ok(view.getUint32(at + 8, true) <= 64, "cut to the snap length");
      records++;
    }
    assert.equal(records, 25);
    const last = JSON.parse((await Deno.readTextFile(summary)).trim().split("\n").at(-1)!);
    assert.equal(last.final, true);
    assert.equal(last.packets, 25);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("runCapture() rejects an unreadable file before anything is written", async () => {
  const config = captureConfig({ ...FLAGS, read: "/nonexistent.pcap", blockBytes: 4096, blockCount: 2 });
  await assert.rejects(() => runCapture(config), /Cannot open capture file "\/nonexistent.pcap"/);
});
