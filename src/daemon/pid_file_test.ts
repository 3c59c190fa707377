import assert from "node:assert/strict";
import { checkPidFile, isLiveAgent, readPidFile, removePidFile, writePidFile } from "./pid_file.ts";

Deno.test("pid file: written atomically, stale ones replaced, removed only when ours", () => {
  const dir = Deno.makeTempDirSync({ prefix: "pid-test-" });
  try {
    const path = `${dir}/agent.pid`;
    Deno.writeTextFileSync(path, "999999999\n");
    checkPidFile(path); // no such process: stale
    writePidFile(path);
    assert.equal(readPidFile(path), Deno.pid);
    checkPidFile(path); // our own pid is not "another agent"
    Deno.writeTextFileSync(path, "1\n");
    removePidFile(path);
    assert.equal(readPidFile(path), 1, "someone else's pid file stays");
    writePidFile(path);
    removePidFile(path);
    assert.throws(() => Deno.statSync(path), Deno.errors.NotFound);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("isLiveAgent() tells an agent from an unrelated or missing process", async () => {
  const script = "await new Promise((resolve) => setTimeout(resolve, 10_000))";
  const agent = new Deno.Command(Deno.execPath(), { args: ["eval", script, "capture-agent"], stdout: "null" }).spawn();
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(isLiveAgent(agent.pid), true);
  } finally {
    agent.kill("SIGKILL");
    await agent.status;
  }
  assert.equal(isLiveAgent(agent.pid), false, "gone after exit");
  assert.equal(isLiveAgent(1), false, "init is not an agent");
  assert.equal(isLiveAgent(0), false);
});
