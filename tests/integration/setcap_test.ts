/**
 * Non-root capture with file capabilities (docs/packaging.md, toolchain notes §9): an unprivileged system user
 * runs a root-owned copy of the built agent whose deno carries `cap_net_raw,cap_net_admin+eip`, and captures on a
 * veth inside a test namespace. Without the capabilities the one error line names the missing capability and the
 * setcap command. Needs root (useradd, setcap, namespaces) and `make build`.
 */
import assert from "node:assert/strict";
import { AGENT } from "../helpers/agent.ts";
import { type CommandResult, inNs, run, runOk, type VethPair, withVethPair } from "../helpers/netns.ts";

const PACKETS = 3;
const CAPTURE_TIMEOUT_MS = 20_000;

/** An unprivileged system user, deleted afterwards; useradd is retried while another process holds the lock. */
async function withUser<T>(fn: (name: string) => Promise<T>): Promise<T> {
  const name = `capset${Deno.pid}`;
  let added: CommandResult = { code: -1, stdout: "", stderr: "" };
  for (let attempt = 0; attempt < 10 && added.code !== 0; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 300));
    added = await run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]);
  }
  assert.equal(added.code, 0, added.stderr);
  try {
    return await fn(name);
  } finally {
    for (let attempt = 0; attempt < 10 && (await run(["userdel", name])).code !== 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

/** A root-owned copy (0755, not writable by others) of the built launcher, deno, bundle and library. */
async function withAgentCopy<T>(fn: (directory: string) => Promise<T>): Promise<T> {
  const built = AGENT.slice(0, AGENT.lastIndexOf("/"));
  const directory = await Deno.makeTempDir({ prefix: "setcap-agent-" });
  try {
    await Deno.chmod(directory, 0o755);
    await Deno.mkdir(`${directory}/lib`, { mode: 0o755 });
    for (const file of ["capture-agent", "deno", "agent.js", "lib/libcapture.so", "lib/native.wasm"]) {
      await Deno.copyFile(`${built}/${file}`, `${directory}/${file}`);
      await Deno.chmod(`${directory}/${file}`, file.endsWith(".js") || file.endsWith(".so") ? 0o644 : 0o755);
    }
    return await fn(directory);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

/** A DENO_DIR/HOME the user owns. */
async function withUserDirectory<T>(user: string, fn: (directory: string) => Promise<T>): Promise<T> {
  const directory = await Deno.makeTempDir({ prefix: "setcap-home-" });
  try {
    await runOk(["chown", `${user}:${user}`, directory]);
    return await fn(directory);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

function asUser(user: string, home: string, cmd: string[]): string[] {
  return [
    "setpriv",
    `--reuid=${user}`,
    `--regid=${user}`,
    "--init-groups",
    "env",
    `HOME=${home}`,
    `DENO_DIR=${home}`,
    ...cmd,
  ];
}

/** Runs the capture as `user` in the receiving namespace while UDP datagrams arrive, until it exits. */
async function captureAsUser(pair: VethPair, user: string, home: string, agent: string): Promise<CommandResult> {
  const cmd = inNs(pair.nsB, asUser(user, home, [agent, "capture", "-i", pair.ifB, "-c", String(PACKETS)]));
  const child = new Deno.Command(cmd[0], { args: cmd.slice(1), stdin: "null", stdout: "piped", stderr: "piped" })
    .spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), CAPTURE_TIMEOUT_MS);
  const output = child.output();
  let exited = false;
  output.finally(() => (exited = true));
  try {
    // The ring opens a moment after start; keep sending until the capture has its packets and exits.
    while (!exited) {
      await run(inNs(pair.nsA, ["bash", "-c", `echo setcap-test >/dev/udp/${pair.addrB}/9999`]));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const result = await output;
    const decoder = new TextDecoder();
    return { code: result.code, stdout: decoder.decode(result.stdout), stderr: decoder.decode(result.stderr) };
  } finally {
    clearTimeout(killer);
  }
}

Deno.test("a non-root user captures on a veth with cap_net_raw,cap_net_admin on the agent's deno", async () => {
  await withUser((user) =>
    withAgentCopy((directory) =>
      withUserDirectory(user, async (home) => {
        const deno = `${directory}/deno`;
        await runOk(["setcap", "cap_net_raw,cap_net_admin+eip", deno]);
        assert.match(await runOk(["getcap", deno]), /cap_net_admin,cap_net_raw=eip/);
        const id = await runOk(asUser(user, home, ["id", "-u"]));
        assert.notEqual(id.trim(), "0");
        const write = await run(asUser(user, home, ["test", "-w", deno]));
        assert.equal(write.code, 1, "the user must not be able to replace the capability-bearing deno");

        await withVethPair(async (pair) => {
          const result = await captureAsUser(pair, user, home, `${directory}/capture-agent`);
          assert.equal(result.code, 0, result.stderr);
          assert.match(result.stderr, new RegExp(`^${PACKETS} packets captured$`, "m"));
          const lines = result.stdout.trim().split("\n");
          assert.equal(lines.length, PACKETS, result.stdout);
          assert.ok(lines.some((line) => /UDP|ARP/.test(line)), result.stdout);
        });
      })
    )
  );
});

Deno.test("without file capabilities the error names the missing capability and the setcap command", async () => {
  await withUser((user) =>
    withAgentCopy((directory) =>
      withUserDirectory(user, async (home) => {
        const deno = `${directory}/deno`;
        assert.equal((await runOk(["getcap", deno])).trim(), "");
        await withVethPair(async (pair) => {
          const cmd = asUser(user, home, [`${directory}/capture-agent`, "capture", "-i", pair.ifB, "-c", "1"]);
          const result = await run(inNs(pair.nsB, cmd));
          assert.equal(result.code, 1, result.stderr);
          assert.equal(result.stdout, "");
          const lines = result.stderr.trimEnd().split("\n");
          assert.equal(lines.length, 1, result.stderr);
          assert.match(lines[0], /^capture-agent: EPERM .*needs CAP_NET_RAW/);
          assert.ok(lines[0].endsWith(`setcap cap_net_raw,cap_net_admin+eip ${deno}`), lines[0]);
        });
      })
    )
  );
});
