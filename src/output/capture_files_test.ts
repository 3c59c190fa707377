import assert from "node:assert/strict";
import { checkTemplate, expandTemplate, FileKeeper, freePath, safeNamePart } from "./capture_files.ts";

Deno.test("expandTemplate() fills fields and UTC time, with unsafe characters replaced", () => {
  const name = expandTemplate("{task}-{interface}-%Y%m%dT%H%M%SZ-{seq}-{call_id}", {
    task: "sip calls",
    interface: "eth0",
    seq: 7,
    callId: "../etc/passwd",
  }, Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.equal(name, "sip_calls-eth0-20240102T030405Z-000007-__etc_passwd");
  assert.equal(safeNamePart("x".repeat(500)).length, 96);
  assert.equal(safeNamePart(""), "_");
});

Deno.test("checkTemplate() names the problem", () => {
  assert.throws(() => checkTemplate("a/b{seq}", ["{seq}"]), /without a directory/);
  assert.throws(() => checkTemplate("{nope}{seq}", ["{seq}"]), /unknown field \{nope\}/);
  assert.throws(() => checkTemplate("x", ["{seq}"]), /must contain \{seq\}/);
  checkTemplate("{task}-{seq}", ["{seq}"]);
});

Deno.test("freePath() and FileKeeper never overwrite, then keep the newest files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capture-files-test-" });
  try {
    const keeper = new FileKeeper({ filesMax: 2, gzip: true });
    for (let i = 0; i < 3; i++) {
      const path = freePath(dir, "f", ".pcap");
      Deno.writeTextFileSync(path, `file ${i}`);
      keeper.closed(path);
      await keeper.settled();
    }
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(names, ["f-1.pcap.gz", "f-2.pcap.gz"]);
    assert.equal(keeper.filesCompressed, 3);
    assert.equal(keeper.filesDeleted, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
