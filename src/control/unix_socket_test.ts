import assert from "node:assert/strict";
import { claimSocketPath, groupId } from "./unix_socket.ts";

Deno.test("groupId() resolves names from /etc/group and passes numbers through", async () => {
  assert.equal(await groupId("root"), 0);
  assert.equal(await groupId("1234"), 1234);
  await assert.rejects(groupId("no-such-group-capture-agent"), /does not exist/);
});

Deno.test("claimSocketPath() accepts a free path and refuses a regular file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await claimSocketPath(`${dir}/free.sock`);
    await Deno.writeTextFile(`${dir}/file`, "x");
    await assert.rejects(claimSocketPath(`${dir}/file`), /is not a socket/);
    assert.equal(await Deno.readTextFile(`${dir}/file`), "x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
