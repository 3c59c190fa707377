import assert from "node:assert/strict";
import { Command } from "commander";
import {
  addCaptureOptions,
  captureConfig,
  type CaptureFlags,
  CaptureOptionError,
  recordRunFlags,
} from "./capture_options.ts";

function parse(args: string[]): CaptureFlags {
  const command = addCaptureOptions(new Command("capture").exitOverride().configureOutput({ writeErr: () => {} }));
  command.parse(args, { from: "user" });
  return command.opts<CaptureFlags>();
}

Deno.test("captureConfig() accepts repeated interfaces and tcpdump-style flags", () => {
  const config = captureConfig(
    parse(["-i", "eth0", "-i", "eth1", "-f", "udp port 53", "-c", "10", "-s", "96", "-w", "x.pcap", "--fanout", "2"]),
  );
  assert.deepEqual(config.interfaces, ["eth0", "eth1"]);
  assert.equal(config.filter, "udp port 53");
  assert.equal(config.countMax, 10);
  assert.equal(config.snaplenBytes, 96);
  assert.equal(config.fanoutCount, 2);
  assert.equal(config.fanoutMode, "hash");
  assert.equal(config.promiscuous, true);
  assert.equal(config.quiet, true, "-w implies quiet, like tcpdump");
});

Deno.test("captureConfig() takes a filter for a file as well (libpcap applies it to the packets read)", () => {
  const config = captureConfig(parse(["-r", "x.pcap", "-f", "udp port 5060"]));
  assert.equal(config.readPath, "x.pcap");
  assert.equal(config.filter, "udp port 5060");
  assert.deepEqual(config.interfaces, []);
});

Deno.test("captureConfig() defaults to printing every packet as text forever", () => {
  const config = captureConfig(parse(["-i", "lo"]));
  assert.equal(config.countMax, Infinity);
  assert.equal(config.quiet, false);
  assert.equal(config.format, "text");
  assert.equal(config.snaplenBytes, 262144);
});

Deno.test("captureConfig() reads --no-promisc, --format json and rotation", () => {
  const config = captureConfig(
    parse(["-i", "lo", "--no-promisc", "--format", "json", "-w", "a-%S.pcap", "-G", "5", "-C", "2", "-W", "3"]),
  );
  assert.equal(config.promiscuous, false);
  assert.equal(config.format, "json");
  assert.equal(config.rotateSeconds, 5);
  assert.equal(config.rotateBytes, 2_000_000);
  assert.equal(config.rotateFilesMax, 3);
});

Deno.test("captureConfig() rejects contradictions with one message each", () => {
  const cases: [string[], RegExp][] = [
    [[], /give -i IFACE or -r FILE/],
    [["-i", "lo", "-r", "x.pcap"], /either -i or -r/],
    [["-i", "lo", "-G", "5"], /need -w/],
    [["-i", "lo", "-w", "x.pcap", "-W", "5"], /-W needs -G or -C/],
    [["-i", "lo", "-s", "300000"], /above 262144/],
    [["-i", "lo", "--fanout", "65"], /above 64/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => captureConfig(parse(args)), (error: unknown) => {
      return error instanceof CaptureOptionError && message.test(error.message);
    }, args.join(" "));
  }
});

Deno.test("addCaptureOptions() rejects counts that are not positive integers", () => {
  for (const bad of ["0", "-1", "1.5", "ten"]) {
    assert.throws(() => parse(["-i", "lo", "-c", bad]), /positive integer/, bad);
  }
  assert.throws(() => parse(["-i", "lo", "--fanout-mode", "spray"]), /Allowed choices/);
});

Deno.test("captureConfig() retires blocks sooner when printing than with -w or -q, unless --block-timeout says", () => {
  assert.equal(captureConfig(parse(["-i", "lo"])).retireTimeoutMs, 20);
  assert.equal(captureConfig(parse(["-i", "lo", "-q"])).retireTimeoutMs, 100);
  assert.equal(captureConfig(parse(["-i", "lo", "-w", "x.pcap"])).retireTimeoutMs, 100);
  assert.equal(captureConfig(parse(["-i", "lo", "-w", "x.pcap", "--block-timeout", "5"])).retireTimeoutMs, 5);
  assert.throws(() => captureConfig(parse(["-i", "lo", "--block-timeout", "60000"])), /above 10000 ms/);
});

Deno.test("recordRunFlags(): --protocol keeps the source options and refuses packet outputs", () => {
  const flags = parse(["-r", "call.pcap", "-f", "udp", "-c", "5", "--protocol", "sip,call", "--format", "json"]);
  assert.deepEqual(recordRunFlags({ ...flags, protocol: flags.protocol! }), {
    read: "call.pcap",
    interface: [],
    filter: "udp",
    protocol: "sip,call",
    count: 5,
  });
  const packetOutputs = parse(["-r", "x.pcap", "--protocol", "sip", "-w", "y.pcap", "-q", "--fanout", "2"]);
  assert.throws(
    () => recordRunFlags({ ...packetOutputs, protocol: "sip" }),
    (error: Error) => error instanceof CaptureOptionError && /-w, -q, --fanout not with --protocol/.test(error.message),
  );
});
