import assert from "node:assert/strict";
import { parseDecodeOutput, parseDecodeResults } from "./baseline.ts";

// The printed form of bench/decode.ts, as every revision since 2026-11-22 prints it.
const printed = `bench-decode: x86_64-unknown-linux-gnu, deno 2.9.6, 2s per run, one core
| workload | stage | ns/pkt (cpu) | ns/pkt (wall) | pkts/s (cpu) | records | alloc B/pkt (est.) |
|---|---|---|---|---|---|---|
| corpus rtp_rtcp_sip_ipv4_udp.pcap | summary decode (L2-L4) | 106.3 | 106.2 | 9,405,553 | 0 | 0.0 |
| synthetic 64-byte UDP | pipeline, all protocols, JSON | 334.3 | 332.9 | 2,991,769 | 0 | 49.7 |
SIP: 14 messages from the corpus; parse 91,041 msgs/s/core; parse → sip record → JSON 74,123 msgs/s/core (issue target ≥ 200,000)
heap retained by the pipeline over 2,000,896 packets making no record: 16,032 B (8,012 B per million packets)`;

Deno.test("parseDecodeOutput reads the table's packets/s column and the SIP line", () => {
  const rates = parseDecodeOutput(printed);
  assert.deepEqual([...rates.entries()], [
    ["corpus / summary decode (L2-L4)", 9_405_553],
    ["synthetic 64-byte UDP / pipeline, all protocols, JSON", 2_991_769],
    ["SIP parse (msgs/s)", 91_041],
    ["SIP parse → record → JSON (msgs/s)", 74_123],
  ]);
});

Deno.test("parseDecodeOutput ignores the header and separator rows", () => {
  const rates = parseDecodeOutput(printed.split("\n").slice(0, 3).join("\n"));
  assert.equal(rates.size, 0);
});

Deno.test("parseDecodeResults names the metrics as the printed form does", async () => {
  const recorded = new URL("./results/decode-20261122-090756.json", import.meta.url);
  const rates = parseDecodeResults(await Deno.readTextFile(recorded));
  const printedNames = new Set(parseDecodeOutput(printed).keys());
  for (const name of printedNames) assert.ok(rates.has(name), name);
  assert.equal(Math.round(rates.get("SIP parse (msgs/s)")!), 293_993);
  assert.equal(rates.size, 8);
});
