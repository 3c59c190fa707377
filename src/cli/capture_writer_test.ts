import assert from "node:assert/strict";
import { PcapWriter } from "../capture/pcap_writer.ts";
import { PcapngWriter } from "../capture/pcapng_writer.ts";
import { RotatingWriter } from "../capture/rotating_writer.ts";
import { captureConfig } from "./capture_options.ts";
import { formatOfPath, openCaptureWriter } from "./capture_writer.ts";

const FLAGS = { interface: ["lo"], fanout: 1, fanoutMode: "hash", promisc: true, format: "text" } as const;

Deno.test("formatOfPath() picks pcapng by extension only", () => {
  assert.equal(formatOfPath("a.pcapng"), "pcapng");
  assert.equal(formatOfPath("A.PCAPNG"), "pcapng");
  assert.equal(formatOfPath("a.pcap"), "pcap");
  assert.equal(formatOfPath("/dev/null"), "pcap");
});

Deno.test("openCaptureWriter() opens pcap, pcapng or a rotating writer as the options say", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const cases: [Record<string, unknown>, unknown][] = [
      [{ write: `${directory}/a.pcap` }, PcapWriter],
      [{ write: `${directory}/a.pcapng` }, PcapngWriter],
      [{ write: `${directory}/r-%S.pcap`, rotateSeconds: 5, rotateFiles: 2 }, RotatingWriter],
      [{ write: `${directory}/c.pcap`, rotateMegabytes: 1 }, RotatingWriter],
    ];
    for (const [flags, type] of cases) {
      const config = captureConfig({ ...FLAGS, interface: ["lo"], blockBytes: 4096, blockCount: 2, ...flags });
      const writer = openCaptureWriter(config, ["lo"]);
      assert.ok(writer instanceof (type as typeof PcapWriter), String(flags.write));
      writer.close();
    }
    const names = [];
    for await (const entry of Deno.readDir(directory)) names.push(entry.name);
    assert.equal(names.length, 4);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
