import assert from "node:assert/strict";
import { sip, SIP_INVALID_REASONS } from "./mod.ts";

Deno.test("sip parser object detects and parses through the common Parser interface", () => {
  const payload = new TextEncoder().encode("OPTIONS sip:h SIP/2.0\r\ni: 1\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n");
  assert.equal(sip.name, "sip");
  assert.deepEqual(sip.transports, ["udp", "tcp", "sctp"]);
  assert.equal(sip.detect(payload), "request");
  const result = sip.parse(payload);
  assert.equal(result.kind, "message");
  assert.equal(result.kind === "message" ? result.consumedBytes : 0, payload.length);
  assert.equal(sip.parse(new Uint8Array(3)).kind, "invalid");
  assert.equal(new Set(sip.invalidReasons).size, SIP_INVALID_REASONS.length);
});
