/**
 * Writes corpus packets with our pcap and pcapng writers and checks the files with tshark: packet counts,
 * nanosecond timestamps, lengths, the bytes (MD5 per frame), interfaces, and reinserted VLAN tags.
 */
import assert from "node:assert/strict";
import { PacketFlag } from "../src/capture/batch.ts";
import { openFileSource } from "../src/capture/file_source.ts";
import { type CaptureWriter, createPcapWriter } from "../src/capture/pcap_writer.ts";
import { createPcapngWriter } from "../src/capture/pcapng_writer.ts";

const ETHERNET_FILE = "/work/shared/corpus/sip/rtp_rtcp_sip_ipv4_udp.pcap";
const COOKED_FILE = "/work/shared/corpus/tcpdump/babel.pcap";

async function tshark(path: string, fields: string[]): Promise<string[]> {
  const args = ["-r", path, "-o", "frame.generate_md5_hash:TRUE", "-T", "fields", "-E", "separator=|"];
  const output = await new Deno.Command("tshark", {
    args: [...args, ...fields.flatMap((field) => ["-e", field])],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, `tshark -r ${path}: ${new TextDecoder().decode(output.stderr)}`);
  return new TextDecoder().decode(output.stdout).split("\n").filter((line) => line !== "");
}

/**
 * Copies a file's packets into the writers, giving each a distinct nanosecond part (the corpus is in µs) and,
 * when `vlanId` is set, an offloaded VLAN tag. Returns the epoch times as tshark prints them.
 */
async function copyInto(path: string, writers: CaptureWriter[], vlanId?: (k: number) => number): Promise<string[]> {
  const source = await openFileSource(path);
  const times: string[] = [];
  for (let batch = await source.next(); batch !== null; batch = await source.next()) {
    batch.interfaceIndex = path === COOKED_FILE ? 1 : 0;
    for (let i = 0; i < batch.count; i++) {
      const k = times.length;
      batch.timestampNsec[i] += (k * 37) % 1000; // µs values end in 000: no carry.
      if (vlanId !== undefined) {
        batch.flags[i] |= PacketFlag.VLAN_VALID;
        batch.vlanTci[i] = vlanId(k);
        batch.vlanTpid[i] = 0x8100;
      }
      times.push(`${batch.timestampSec[i]}.${String(batch.timestampNsec[i]).padStart(9, "0")}`);
    }
    for (const writer of writers) writer.write(batch);
  }
  await source.close();
  return times;
}

Deno.test("pcap and pcapng writers keep counts, nanosecond times, lengths and bytes (checked by tshark)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pcap = createPcapWriter(`${dir}/out.pcap`);
    const pcapMicro = createPcapWriter(`${dir}/out_us.pcap`, { nanosecond: false });
    const pcapng = createPcapngWriter(`${dir}/out.pcapng`, { interfaces: ["eth0", "cooked0"] });
    const times = await copyInto(ETHERNET_FILE, [pcap, pcapMicro, pcapng]);
    const cookedTimes = await copyInto(COOKED_FILE, [pcapng]);
    for (const writer of [pcap, pcapMicro, pcapng]) writer.close();
    assert.ok(times.length > 100);

    const original = (await tshark(ETHERNET_FILE, ["frame.len", "frame.cap_len", "frame.md5_hash"]))
      .concat(await tshark(COOKED_FILE, ["frame.len", "frame.cap_len", "frame.md5_hash"]));
    const fields = ["frame.time_epoch", "frame.len", "frame.cap_len", "frame.md5_hash"];
    const expected = times.map((time, k) => `${time}|${original[k]}`);
    assert.deepEqual(await tshark(`${dir}/out.pcap`, fields), expected);

    const micro = await tshark(`${dir}/out_us.pcap`, fields);
    assert.deepEqual(micro, expected.map((line) => line.replace(/^(\d+\.\d{6})\d{3}/, "$1000")));

    const both = times.concat(cookedTimes).map((time, k) => `${time}|${original[k]}`);
    const withInterface = await tshark(`${dir}/out.pcapng`, [...fields, "frame.interface_name"]);
    assert.deepEqual(withInterface, both.map((line, k) => `${line}|${k < times.length ? "eth0" : "cooked0"}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("offloaded VLAN tags are reinserted so tshark shows them in pcap and pcapng files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pcap = createPcapWriter(`${dir}/vlan.pcap`);
    const pcapng = createPcapngWriter(`${dir}/vlan.pcapng`);
    const vlanId = (k: number) => 100 + (k % 3);
    const times = await copyInto(ETHERNET_FILE, [pcap, pcapng], vlanId);
    pcap.close();
    pcapng.close();
    const original = await tshark(ETHERNET_FILE, ["frame.len", "ip.src", "udp.dstport"]);
    const expected = original.map((line, k) => {
      const [length, ...rest] = line.split("|");
      return [times[k], vlanId(k), Number(length) + 4, ...rest].join("|");
    });
    const fields = ["frame.time_epoch", "vlan.id", "frame.len", "ip.src", "udp.dstport"];
    assert.deepEqual(await tshark(`${dir}/vlan.pcap`, fields), expected);
    assert.deepEqual(await tshark(`${dir}/vlan.pcapng`, fields), expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
