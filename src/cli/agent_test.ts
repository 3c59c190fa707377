import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { ExitCode, reportError, toJsonText } from "./agent.ts";

Deno.test("reportError() maps refusals to exit codes", () => {
  const original = console.error;
  const lines: string[] = [];
  console.error = (line: string) => lines.push(line);
  try {
    assert.equal(reportError(new ConnectError('no task named "x"', Code.NotFound)), ExitCode.NOT_FOUND);
    assert.equal(reportError(new ConnectError("bad filter", Code.InvalidArgument)), ExitCode.INVALID);
    assert.equal(reportError(new ConnectError("connect ENOENT /run/a.sock", Code.Internal)), ExitCode.UNAVAILABLE);
    assert.equal(reportError(new Error("boom")), ExitCode.ERROR);
  } finally {
    console.error = original;
  }
  assert.equal(lines[0], 'capture-agent: no task named "x"');
  assert.match(lines[2]!, /is the daemon running/);
});

Deno.test("toJsonText() drops type names and prints bigints as numbers", () => {
  assert.equal(toJsonText({ $typeName: "x", packets: 3n }), '{\n  "packets": 3\n}');
});
