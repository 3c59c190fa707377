import assert from "node:assert/strict";
import * as dns from "./mod.ts";

Deno.test("mod.ts exports the parser, the framing helper and the pairing table", () => {
  assert.equal(dns.dnsParser.invalidReasons, dns.DNS_INVALID_REASONS);
  assert.equal(typeof dns.parseDnsTcp, "function");
  assert.equal(typeof dns.DnsTransactions, "function");
});
