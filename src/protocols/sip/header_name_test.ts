import assert from "node:assert/strict";
import { lookupSipHeader, SipHeader, sipHeaderName } from "./header_name.ts";

function lookup(name: string): number {
  const bytes = new TextEncoder().encode(name);
  return lookupSipHeader(bytes, 0, bytes.length);
}

Deno.test("lookupSipHeader() maps every compact form to its long form", () => {
  const compact: Record<string, string> = {
    i: "Call-ID",
    f: "From",
    t: "To",
    v: "Via",
    m: "Contact",
    l: "Content-Length",
    c: "Content-Type",
    k: "Supported",
    s: "Subject",
    e: "Content-Encoding",
    o: "Event",
    u: "Allow-Events",
    r: "Refer-To",
    x: "Session-Expires",
    y: "Identity",
    b: "Referred-By",
    a: "Accept-Contact",
    j: "Reject-Contact",
    d: "Request-Disposition",
    n: "Identity-Info",
  }; // deno-fmt-ignore
  for (const [letter, name] of Object.entries(compact)) {
    assert.equal(lookup(letter), lookup(name), letter);
    assert.equal(lookup(letter.toUpperCase()), lookup(name), letter.toUpperCase());
    assert.equal(sipHeaderName(lookup(letter) as never), name);
  }
});

Deno.test("lookupSipHeader() ignores case and returns OTHER for unknown names", () => {
  assert.equal(lookup("call-id"), SipHeader.CALL_ID);
  assert.equal(lookup("CSEQ"), SipHeader.CSEQ);
  assert.equal(lookup("user-AGENT"), SipHeader.USER_AGENT);
  assert.equal(lookup("X-Call-ID"), SipHeader.OTHER);
  assert.equal(lookup("q"), SipHeader.OTHER);
  assert.equal(lookup("Call\rID"), SipHeader.OTHER);
  assert.equal(lookup("\u00e9"), SipHeader.OTHER);
});
