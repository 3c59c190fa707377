import assert from "node:assert/strict";
import * as http from "./mod.ts";

Deno.test("mod.ts exports the parser, the connection and the record builder", () => {
  assert.equal(http.httpParser.invalidReasons, http.HTTP_INVALID_REASONS);
  assert.equal(typeof http.HttpConnection, "function");
  assert.equal(typeof http.httpEvent, "function");
});
