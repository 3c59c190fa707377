/**
 * The control API end to end: real listeners (unix socket, TCP with TLS, mTLS, token), real clients in all
 * three protocols, curl and buf curl, and the in-memory TaskControl from tests/helpers.
 */
import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { type AgentClientOptions, type AgentProtocol, createAgentClients } from "../src/cli/agent_client.ts";
import { TaskState } from "../src/control/gen/capture_agent/v1/task_pb.ts";
import { type ControlServer, type ControlServerOptions, startControlServer } from "../src/control/server.ts";
import { VERSION } from "../src/version.ts";
import { MemoryAgentControl, MemoryTaskControl } from "./helpers/memory_control.ts";
import { makeTestPki, type TestPki } from "./helpers/test_certs.ts";

const PROTOCOLS: AgentProtocol[] = ["connect", "grpc", "grpc-web"];
const ROOT = new URL("..", import.meta.url).pathname;

interface Fixture {
  dir: string;
  socket: string;
  server: ControlServer;
  tasks: MemoryTaskControl;
  agent: MemoryAgentControl;
}

async function withServer(
  extra: Partial<ControlServerOptions>,
  body: (fixture: Fixture) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "capture-agent-api-" });
  const socket = `${dir}/agent.sock`;
  const tasks = new MemoryTaskControl();
  const agent = new MemoryAgentControl(tasks);
  const server = await startControlServer({
    agent,
    tasks,
    unixSocket: { path: socket, mode: 0o660, group: "" },
    ...extra,
  });
  try {
    await body({ dir, socket, server, tasks, agent });
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function withClients<T>(
  options: AgentClientOptions,
  body: (c: ReturnType<typeof createAgentClients>) => Promise<T>,
) {
  const clients = createAgentClients(options);
  try {
    return await body(clients);
  } finally {
    await clients.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call succeeded but should have failed");
}

async function run(cmd: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd[0]!, { args: cmd.slice(1), cwd: ROOT, stdout: "piped", stderr: "piped" })
    .output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("AgentService answers Connect, gRPC and gRPC-Web clients on the unix socket (mode 0660)", async () => {
  await withServer({}, async ({ socket, tasks }) => {
    assert.equal((await Deno.stat(socket)).mode! & 0o777, 0o660);
    await tasks.create({ name: "a" } as never, { start: true });
    for (const protocol of PROTOCOLS) {
      await withClients({ socket, protocol }, async ({ agent }) => {
        assert.equal((await agent.version({})).version, VERSION, protocol);
        const status = await agent.status({});
        assert.equal(status.pid, Deno.pid, protocol);
        assert.equal(status.tasksTotal, 1, protocol);
      });
    }
    for (const protocol of ["connect", "grpc-web"] as const) {
      await withClients({ socket, protocol, httpVersion: "1.1" }, async ({ agent }) => {
        assert.equal((await agent.stats({})).packets, 42n, `${protocol} over HTTP/1.1`);
      });
    }
  });
});

Deno.test("the unix socket answers curl (Connect JSON over HTTP/1.1) and buf curl (gRPC over h2c)", async () => {
  await withServer({}, async ({ socket }) => {
    const url = "http://localhost/capture_agent.v1.AgentService/Version";
    const curl = await run([
      "curl",
      "-sS",
      "--unix-socket",
      socket,
      "-H",
      "Content-Type: application/json",
      "-d",
      "{}",
      url,
    ]);
    assert.equal(JSON.parse(curl.stdout).version, VERSION, curl.stderr);
    const buf = await run([
      "node_modules/.bin/buf",
      "curl",
      "--schema",
      "proto",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "--unix-socket",
      socket,
      url,
    ]); // deno-fmt-ignore
    assert.equal(buf.code, 0, buf.stderr);
    assert.equal(JSON.parse(buf.stdout).version, VERSION);
  });
});

Deno.test("startControlServer() refuses a live agent's socket and replaces a stale one", async () => {
  await withServer({}, async ({ socket, agent, tasks }) => {
    await assert.rejects(
      startControlServer({ agent, tasks, unixSocket: { path: socket, mode: 0o660, group: "" } }),
      /listens on/,
    );
    await withClients({ socket }, async (c) => assert.equal((await c.agent.status({})).ready, true));
  });
  const dir = await Deno.makeTempDir({ prefix: "capture-agent-api-" });
  const stale = `${dir}/stale.sock`;
  try {
    // A process that bound the socket and died: the file stays, nobody answers.
    const bind = await run([
      "python3",
      "-c",
      "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])",
      stale,
    ]);
    assert.equal(bind.code, 0, bind.stderr);
    assert.equal((await Deno.lstat(stale)).isSocket, true);
    const tasks = new MemoryTaskControl();
    const server = await startControlServer({
      agent: new MemoryAgentControl(tasks),
      tasks,
      unixSocket: { path: stale, mode: 0o600, group: "" },
    });
    await withClients({ socket: stale }, async (c) => assert.equal((await c.agent.version({})).version, VERSION));
    await server.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TaskService delegates to TaskControl and maps refusals to Connect codes", async () => {
  await withServer({}, async ({ socket }) => {
    await withClients({ socket, protocol: "grpc" }, async ({ tasks }) => {
      const created = await tasks.createTask({ spec: { name: "sip-capture", interfaces: ["lo"], protocols: ["sip"] } });
      assert.equal(created.task?.state, TaskState.RUNNING);
      assert.equal((await rejection(tasks.createTask({ spec: { name: "sip-capture" } }))).code, Code.AlreadyExists);
      assert.equal((await rejection(tasks.createTask({ spec: { name: "../x" } }))).code, Code.InvalidArgument);
      assert.equal((await rejection(tasks.getTask({ name: "" }))).code, Code.InvalidArgument);
      assert.equal((await tasks.stopTask({ name: "sip-capture" })).task?.state, TaskState.STOPPED);
      assert.equal((await tasks.startTask({ name: "sip-capture" })).task?.state, TaskState.RUNNING);
      assert.deepEqual((await tasks.listTasks({})).tasks.map((t) => t.spec?.name), ["sip-capture"]);
      const stats = (await tasks.getTaskStats({ name: "sip-capture" })).stats;
      assert.equal(stats?.records.sip, 3n);
      await tasks.deleteTask({ name: "sip-capture" });
      const missing = await rejection(tasks.getTask({ name: "sip-capture" }));
      assert.equal(missing.code, Code.NotFound);
      assert.match(missing.rawMessage, /no task named "sip-capture"/);
    });
  });
});

Deno.test("Tail streams filtered records and the server stops producing when the client cancels", async () => {
  await withServer({}, async ({ socket, tasks: control }) => {
    await control.create({ name: "t" } as never, { start: true });
    for (const protocol of PROTOCOLS) {
      await withClients({ socket, protocol }, async ({ tasks }) => {
        const abort = new AbortController();
        const seen: string[] = [];
        await assert.rejects(async () => {
          for await (const record of tasks.tail({ name: "t", types: ["sip"] }, { signal: abort.signal })) {
            seen.push(`${record.type} ${record.summary} ${record.record?.index}`);
            if (seen.length === 3) abort.abort();
          }
        }, (error) => ConnectError.from(error).code === Code.Canceled);
        assert.deepEqual(seen, ["sip record 0 0", "sip record 2 2", "sip record 4 4"], protocol);
        for (let waitedMs = 0; control.tailsOpen > 0 && waitedMs < 2000; waitedMs += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        assert.equal(control.tailsOpen, 0, `${protocol}: the server-side tail ended`);
      });
    }
    await withClients({ socket }, async ({ tasks }) => {
      const error = await rejection((async () => {
        for await (const _ of tasks.tail({ name: "nope" })) break;
      })());
      assert.equal(error.code, Code.NotFound);
    });
  });
});

Deno.test("Shutdown answers first, then asks the agent to stop with the requested drain bound", async () => {
  await withServer({}, async ({ socket, agent }) => {
    await withClients({ socket }, async (c) => {
      await c.agent.shutdown({ drainTimeout: { seconds: 2n, nanos: 500_000_000 } });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(agent.shutdownCalls, [2500]);
      assert.deepEqual((await c.agent.reload({})).applied, ["global.log_level"]);
    });
  });
});

let pki: TestPki | undefined;
const testPki = async () => (pki ??= await makeTestPki());

Deno.test("TCP with TLS and a bearer token accepts the token and refuses others as unauthenticated", async () => {
  const { caCert, serverCert, serverKey } = await testPki();
  const tcp = { host: "127.0.0.1", port: 0, tls: { cert: serverCert, key: serverKey }, token: "s3cret" };
  await withServer({ tcp }, async ({ server }) => {
    const base = { server: `https://127.0.0.1:${server.tcpPort}`, ca: caCert };
    for (const protocol of PROTOCOLS) {
      await withClients({ ...base, protocol, token: "s3cret" }, async ({ agent }) => {
        assert.equal((await agent.version({})).version, VERSION, protocol);
      });
      for (const token of [undefined, "wrong"]) {
        await withClients({ ...base, protocol, token }, async ({ agent }) => {
          const error = await rejection(agent.status({}));
          assert.equal(error.code, Code.Unauthenticated, `${protocol} token=${token}`);
        });
      }
    }
  });
});

Deno.test("mutual TLS accepts a client certificate from the CA and rejects none or another CA's", async () => {
  const p = await testPki();
  const tcp = { host: "127.0.0.1", port: 0, tls: { cert: p.serverCert, key: p.serverKey, ca: p.caCert } };
  await withServer({ tcp }, async ({ server }) => {
    const base = { server: `https://127.0.0.1:${server.tcpPort}`, ca: p.caCert, timeoutMs: 5000 };
    for (const protocol of PROTOCOLS) {
      await withClients({ ...base, protocol, cert: p.clientCert, key: p.clientKey }, async ({ agent }) => {
        assert.equal((await agent.version({})).version, VERSION, protocol);
      });
    }
    await withClients(base, async ({ agent }) => {
      const error = await rejection(agent.version({}));
      assert.match(error.rawMessage, /alert|certificate|reset|closed/i);
    });
    await withClients({ ...base, cert: p.otherClientCert, key: p.otherClientKey }, async ({ agent }) => {
      const error = await rejection(agent.version({}));
      assert.match(error.rawMessage, /alert|certificate|reset|closed/i);
    });
  });
});

Deno.test("TCP without TLS or authentication is refused unless allowed on loopback", async () => {
  const tasks = new MemoryTaskControl();
  const agent = new MemoryAgentControl(tasks);
  await assert.rejects(startControlServer({ agent, tasks, tcp: { host: "127.0.0.1", port: 0 } }), /without TLS/);
  const open = { host: "0.0.0.0", port: 0, allowInsecureLoopback: true };
  await assert.rejects(startControlServer({ agent, tasks, tcp: open }), /without TLS/);
  const server = await startControlServer({ agent, tasks, tcp: { ...open, host: "127.0.0.1" } });
  try {
    for (const protocol of PROTOCOLS) {
      await withClients({ server: `http://127.0.0.1:${server.tcpPort}`, protocol }, async (c) => {
        assert.equal((await c.agent.version({})).version, VERSION, protocol);
      });
    }
  } finally {
    await server.close();
  }
});

Deno.test("regenerating the control API code with buf reproduces src/control/gen exactly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capture-agent-gen-" });
  try {
    const result = await run(["node_modules/.bin/buf", "generate", "-o", dir]);
    assert.equal(result.code, 0, result.stderr);
    const files = async (root: string) => {
      const found: string[] = [];
      const walk = async (at: string) => {
        for await (const entry of Deno.readDir(at)) {
          if (entry.isDirectory) await walk(`${at}/${entry.name}`);
          else found.push(`${at}/${entry.name}`.slice(root.length));
        }
      };
      await walk(root);
      return found.sort();
    };
    const committed = await files(`${ROOT}src/control/gen`);
    const fresh = await files(`${dir}/src/control/gen`);
    assert.deepEqual(fresh, committed);
    assert.ok(committed.length >= 2);
    for (const file of committed) {
      const want = await Deno.readTextFile(`${ROOT}src/control/gen${file}`);
      assert.equal(await Deno.readTextFile(`${dir}/src/control/gen${file}`), want, file);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
