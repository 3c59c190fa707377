import assert from "node:assert/strict";
import { gitCommit, versionLines } from "./version.ts";
import { VERSION } from "../version.ts";

Deno.test("versionLines() lists the agent, commit, deno, library and architecture", () => {
  const lines = versionLines();
  assert.equal(lines[0], `capture-agent ${VERSION}`);
  assert.match(lines[1], /^commit +\S+$/);
  assert.equal(lines[2].startsWith(`deno     ${Deno.version.deno}`), true);
  assert.match(lines[3], /^library +(libcapture \d|unavailable \()/);
  assert.match(lines[4], new RegExp(`^arch +${Deno.build.arch} `));
});

Deno.test("gitCommit() returns a 12-digit commit in a checkout", () => {
  assert.match(gitCommit(), /^[0-9a-f]{12}$/);
});
