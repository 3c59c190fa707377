import assert from "node:assert/strict";
import { findSipParam, findSipParams, SeparatorSearch, splitSipListRanges } from "./_list.ts";

const NAMES = ["branch", "received", "rport"] as const;

function params(text: string, from = 0, to = text.length): (string | undefined)[] {
  const values: (string | undefined)[] = ["stale", "stale", "stale"];
  findSipParams(text, from, to, NAMES, values);
  return values;
}

Deno.test("findSipParams() finds several names in one pass, in any order, undefined when missing", () => {
  assert.deepEqual(params("rport;received=10.0.0.1;branch=z9hG4bK1"), ["z9hG4bK1", "10.0.0.1", ""]);
  assert.deepEqual(params("branch=z9hG4bK2;ttl=16"), ["z9hG4bK2", undefined, undefined]);
  assert.deepEqual(params(""), [undefined, undefined, undefined]);
  assert.deepEqual(params("maddr=1.2.3.4;lr"), [undefined, undefined, undefined]);
});

Deno.test("findSipParams() keeps the first of repeated parameters and ignores names that only share a prefix", () => {
  assert.deepEqual(params("branch=first;branch=second;rports=9;rport=5060"), ["first", undefined, "5060"]);
  assert.deepEqual(params("xbranch=no;branchy=no;received"), [undefined, "", undefined]);
});

Deno.test("findSipParams() matches names ignoring ASCII case and surrounding whitespace, values as written", () => {
  assert.deepEqual(params(" BRANCH = z9hG4bKAbC ;Received=H;RPort"), ["z9hG4bKAbC", "H", ""]);
  // Only ASCII letters fold: a non-ASCII key never equals an ASCII name.
  assert.deepEqual(params("bränch=1;branch=2"), ["2", undefined, undefined]);
});

Deno.test("findSipParams() skips ; and , inside quoted values and unquotes them", () => {
  assert.deepEqual(params('received="a;branch=fake, b";branch="z\\"9";rport'), ['z"9', "a;branch=fake, b", ""]);
  // A quote left open swallows the rest: nothing after it is a parameter.
  assert.deepEqual(params('branch=1;received="open;rport=5'), ["1", undefined, undefined]);
});

Deno.test("findSipParams() reads only the range [from, to) of a longer text", () => {
  const text = "branch=outside;received=1.1.1.1;rport=1|branch=inside";
  const bar = text.indexOf("|");
  assert.deepEqual(params(text, bar + 1, text.length), ["inside", undefined, undefined]);
  assert.deepEqual(params(text, 0, bar - 8), ["outside", "1.1.1.1", undefined]);
});

Deno.test("findSipParam() agrees with findSipParams() on the same text", () => {
  const text = ' Tag = "x;y" ;TAG=2;expires=60';
  assert.equal(findSipParam(text, "tag"), "x;y");
  assert.equal(findSipParam(text, "expires"), "60");
  assert.equal(findSipParam(text, "q"), undefined);
  const values: (string | undefined)[] = [];
  findSipParams(text, 0, text.length, ["expires", "tag", "q"], values);
  assert.deepEqual(values, ["60", "x;y", undefined]);
});

Deno.test("SeparatorSearch.isIn() answers ranges in and out of order, across texts", () => {
  const search = new SeparatorSearch(",");
  const text = "a,b;c;d,e";
  assert.equal(search.isIn(text, 0, 1), false); // The comma at 1 is just past the range.
  assert.equal(search.isIn(text, 0, 2), true);
  assert.equal(search.isIn(text, 2, 7), false); // After the remembered comma: searched again.
  assert.equal(search.isIn(text, 7, 9), true);
  assert.equal(search.isIn(text, 1, 2), true); // Before the remembered search: searched again.
  assert.equal(search.isIn(text, 8, 9), false);
  assert.equal(search.isIn(text, 3, 3), false); // Empty range.
  assert.equal(search.isIn("no separator here", 0, 17), false);
  assert.equal(search.isIn("x,y", 0, 3), true); // A new text is searched anew.
  assert.equal(search.isIn(text, 2, 8), true);
});

Deno.test("splitSipListRanges() splits on commas outside quotes and angle brackets, trimming items", () => {
  const text = ' "a, b" <sip:x@h;p=1,2>;q=1 , ,<sip:y@h> ';
  const ranges: number[] = [];
  splitSipListRanges(text, 0, text.length, ranges);
  const items = [];
  for (let i = 0; i < ranges.length; i += 2) items.push(text.slice(ranges[i], ranges[i + 1]));
  assert.deepEqual(items, ['"a, b" <sip:x@h;p=1,2>;q=1', "<sip:y@h>"]);
});
