import assert from "node:assert/strict";
import { parseOutputUrl } from "./output_url.ts";

Deno.test("parseOutputUrl() reads every output form", () => {
  assert.deepEqual(parseOutputUrl("jsonl:/tmp/a.jsonl"), { ok: true, value: { kind: "jsonl", path: "/tmp/a.jsonl" } });
  assert.deepEqual(parseOutputUrl("pcap:/var/pcap"), { ok: true, value: { kind: "pcap", dir: "/var/pcap" } });
  assert.deepEqual(parseOutputUrl("kafka://k1:9092,k2:9092/sip"), {
    ok: true,
    value: { kind: "kafka", brokers: ["k1:9092", "k2:9092"], topic: "sip" },
  });
  assert.deepEqual(parseOutputUrl("hep+tcp://[::1]:9060"), {
    ok: true,
    value: { kind: "hep", transport: "tcp", host: "::1", port: 9060 },
  });
  assert.deepEqual(parseOutputUrl("console"), { ok: true, value: { kind: "console" } });
});

Deno.test("parseOutputUrl() says what to write instead of a bad URL", () => {
  for (
    const [url, hint] of [["jsonl:", /file path/], ["kafka:k1/x", /kafka:\/\//], ["hep://h", /HOST:PORT/], [
      "ftp://x",
      /unknown output/,
    ], ["kafka://k1/x", /HOST:PORT/]] as const
  ) {
    const result = parseOutputUrl(url);
    assert.equal(result.ok, false, url);
    if (!result.ok) assert.match(result.message, hint);
  }
});
