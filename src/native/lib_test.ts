import assert from "node:assert/strict";
import {
  ABI_VERSION,
  AbiLayout,
  BlockCounts,
  BlockRecords,
  BlockWalk,
  BpfCounterStats,
  ErrorInfo,
  PcapRecords,
  RingInfo,
  RingOptions,
  RingStats,
  Tpacket3Hdr,
  TpacketBlockDesc,
} from "./abi.ts";
import { CaptureError } from "./capture_error.ts";
import { captureLibrary, cString, libraryLayout, libraryPath, libraryVersion, readCString } from "./lib.ts";

Deno.test("captureLibrary() loads the library built for this architecture with the expected ABI", () => {
  assert.match(libraryPath(), new RegExp(`libcapture\\.so$`));
  assert.equal(captureLibrary().cap_abi_version(), ABI_VERSION);
});

Deno.test("abi.ts sizes and offsets equal what the loaded library reports", () => {
  assert.deepEqual(libraryLayout(), {
    abi_version: ABI_VERSION,
    abi_layout_bytes: AbiLayout.size,
    error_info_bytes: ErrorInfo.size,
    ring_options_bytes: RingOptions.size,
    ring_info_bytes: RingInfo.size,
    ring_stats_bytes: RingStats.size,
    bpf_counter_stats_bytes: BpfCounterStats.size,
    tpacket3_hdr_bytes: Tpacket3Hdr.size,
    tpacket_block_desc_bytes: TpacketBlockDesc.size,
    sll_pkttype_offset: Tpacket3Hdr.sll_pkttype.offset,
    pcap_records_bytes: PcapRecords.size,
    block_records_bytes: BlockRecords.size,
    block_walk_bytes: BlockWalk.size,
    block_counts_bytes: BlockCounts.size,
  });
});

Deno.test("libraryVersion() names the library, zig and libpcap versions, and libbpf once eBPF is built in", () => {
  const version = libraryVersion();
  assert.match(version, /^libcapture \d+\.\d+\.\d+ zig \d+\.\d+\.\d+ .*libpcap \d+\.\d+/);
  if (captureLibrary().cap_bpf_counter_open !== null) assert.match(version, / libbpf \d+\.\d+\.\d+/);
});

Deno.test("cap_filter_check() counts instructions of a good filter and explains a bad one", () => {
  const lib = captureLibrary();
  const errorInfo = new Uint8Array(ErrorInfo.size);
  assert.ok(lib.cap_filter_check(cString("udp port 53"), 1, 262144, errorInfo) > 0);
  const status = lib.cap_filter_check(cString("udp port banana"), 1, 262144, errorInfo);
  assert.ok(status < 0);
  assert.match(readCString(errorInfo, ErrorInfo.message.offset, ErrorInfo.message.size), /banana/);
});

Deno.test("captureLibrary() reports a missing library as library_missing", async () => {
  // A fresh process: the library is opened once per process.
  const script = `
    import { captureLibrary } from "${new URL("./lib.ts", import.meta.url).href}";
    try { captureLibrary(); console.log("loaded"); } catch (e) { console.log(e.code + ": " + e.message); }
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    env: { CAPTURE_AGENT_LIB: "/nonexistent/libcapture.so" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  assert.match(text, /^library_missing: Cannot load capture library "\/nonexistent\/libcapture\.so"/);
  assert.ok(new CaptureError("library_missing", "x") instanceof Error);
});
