/**
 * The daemon end to end: the built `capture-agent daemon` inside a test namespace with a veth, driven by the
 * built CLI over its unix socket; SIP frames sent into the veth; records read back from JSONL outputs; metrics
 * read over HTTP inside the namespace. Covers creation checks, two tasks with different filters, stop/start,
 * SIGKILL and graceful restarts, SIGTERM cleanup and a second daemon refused.
 * @module
 */
import assert from "node:assert/strict";
import { AGENT } from "../helpers/agent.ts";
import { buildUdpFrame, toHex } from "../helpers/frames.ts";
import { inNs, run, runOk, type VethPair, withVethPair } from "../helpers/netns.ts";
import { cli, killQuietly, type RunningDaemon, spawnDaemon, writeDaemonConfig } from "./_daemon_bed.ts";

const SEND_FRAMES = new URL("../helpers/send_frames.py", import.meta.url).pathname;

interface Bed {
  pair: VethPair;
  dir: string;
  config: string;
  socket: string;
  pidFile: string;
  metricsPort: number;
}

/** Starts the daemon in the receiver namespace and waits for "daemon ready". */
function startDaemon(bed: Bed): Promise<RunningDaemon> {
  return spawnDaemon(bed.pair.nsB, bed.config);
}

async function cliJson<T>(bed: Bed, args: string[]): Promise<T> {
  const result = await cli(bed, [...args, "--format", "json"]);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Sends one SIP INVITE per Call-ID from A to B's `port`, as raw frames into the veth. */
async function sendInvites(bed: Bed, port: number, callIds: string[]): Promise<void> {
  const { pair } = bed;
  const frames = callIds.map((callId) => {
    const sip =
      `INVITE sip:bob@${pair.addrB} SIP/2.0\r\nVia: SIP/2.0/UDP ${pair.addrA}:5062;branch=z9hG4bK-${callId}\r\n` +
      `From: <sip:alice@${pair.addrA}>;tag=1\r\nTo: <sip:bob@${pair.addrB}>\r\nCall-ID: ${callId}\r\n` +
      `CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
    return toHex(buildUdpFrame({
      srcMac: pair.macA,
      dstMac: pair.macB,
      srcIp: pair.addrA,
      dstIp: pair.addrB,
      srcPort: 5062,
      dstPort: port,
      payload: new TextEncoder().encode(sip),
    }));
  });
  await runOk(inNs(pair.nsA, ["python3", SEND_FRAMES, pair.ifA]), frames.join("\n") + "\n");
}

/** SIP lines of a `jsonl:DIR/NAME.jsonl` output: every rotated file `DIR/NAME-*.jsonl`, oldest first. */
function sipLines(path: string): string[] {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const prefix = path.slice(dir.length + 1, -".jsonl".length) + "-";
  const files = [...Deno.readDirSync(dir)].map((entry) => entry.name)
    .filter((name) => name.startsWith(prefix) && name.endsWith(".jsonl")).sort();
  return files.flatMap((name) => Deno.readTextFileSync(`${dir}/${name}`).split("\n"))
    .filter((line) => line.includes('"type":"sip"'));
}

/** Call-IDs of the SIP records of a JSONL output once it holds `count` (waits up to 5 s), in file order. */
async function callIdsIn(path: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const lines = sipLines(path);
    if (lines.length >= count || Date.now() > deadline) {
      return lines.map((line) => (JSON.parse(line) as { value: { sip: { call_id: string } } }).value.sip.call_id);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type TaskView = { task: { spec: { name: string }; state: number }; stats: { interfaces?: { packets: number }[] } };

async function states(bed: Bed): Promise<Record<string, string>> {
  const list = await cliJson<TaskView[]>(bed, ["task", "list"]);
  const names = ["", "starting", "running", "stopping", "stopped", "failed", "completed"];
  return Object.fromEntries(list.map((view) => [view.task.spec.name, names[view.task.state]!]));
}

async function createTasks(bed: Bed): Promise<void> {
  const bad = await cli(bed, ["task", "create", "--name", "bad", "-i", "nope0", "--protocol", "sip"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /interface "nope0" does not exist/);
  const badFilter = await cli(bed, ["task", "create", "--name", "bad", "-i", "veth-b", "--filter", "udp portx 1"]);
  assert.equal(badFilter.code, 2);
  assert.match(badFilter.stderr, /filter/);
  assert.deepEqual([...Deno.readDirSync(`${bed.dir}/data/tasks`)], [], "a failed create leaves no file");
  for (const [name, port] of [["sip-a", 5060], ["sip-b", 5070]] as const) {
    const created = await cli(bed, [
      "task",
      "create",
      "--name",
      name,
      "-i",
      "veth-b",
      "--filter",
      `udp port ${port}`,
      "--protocol",
      "sip",
      "--output",
      `jsonl:${bed.dir}/${name}.jsonl`,
    ]);
    assert.equal(created.code, 0, created.stderr);
  }
}

async function checkTraffic(bed: Bed): Promise<void> {
  await sendInvites(bed, 5060, ["a1", "a2", "a3"]);
  await sendInvites(bed, 5070, ["b1", "b2"]);
  assert.deepEqual(await callIdsIn(`${bed.dir}/sip-a.jsonl`, 3), ["a1", "a2", "a3"]);
  assert.deepEqual(await callIdsIn(`${bed.dir}/sip-b.jsonl`, 2), ["b1", "b2"]);
  const list = await cliJson<TaskView[]>(bed, ["task", "list"]);
  const packets = Object.fromEntries(list.map((view) => [view.task.spec.name, view.stats.interfaces?.[0]?.packets]));
  assert.deepEqual(packets, { "sip-a": 3, "sip-b": 2 });
  const metrics = await runOk(inNs(bed.pair.nsB, ["curl", "-sf", `http://127.0.0.1:${bed.metricsPort}/metrics`]));
  assert.match(metrics, /capture_agent_capture_packets_total\{task="sip-a",interface="veth-b"\} 3\n/);
  assert.match(metrics, /capture_agent_pipeline_records_total\{task="sip-b",type="sip"\} 2\n/);
  assert.match(metrics, /capture_agent_task_state\{task="sip-a",state="running"\} 1\n/);
  const ready = await run(inNs(bed.pair.nsB, ["curl", "-sf", `http://127.0.0.1:${bed.metricsPort}/readyz`]));
  assert.equal(ready.code, 0);
}

Deno.test("daemon runs tasks, persists them across SIGKILL and SIGTERM restarts, and cleans up", async (t) => {
  await withVethPair(async (pair) => {
    const dir = Deno.makeTempDirSync({ prefix: "daemon-test-" });
    const metricsPort = 20000 + (Deno.pid % 20000);
    const bed: Bed = {
      pair,
      dir,
      config: writeDaemonConfig(dir, metricsPort, ["log_level: debug"]),
      socket: `${dir}/agent.sock`,
      pidFile: `${dir}/agent.pid`,
      metricsPort,
    };
    let daemon = await startDaemon(bed);
    try {
      await t.step("a second daemon on the same socket refuses to start", async () => {
        const second = await run(inNs(pair.nsB, [AGENT, "daemon", "-c", bed.config]));
        assert.equal(second.code, 1);
        assert.match(second.stderr, /Another agent/);
        const env = ["env", `CAPTURE_AGENT_DAEMON_PID_FILE=${dir}/other.pid`];
        const sameSocket = await run(inNs(pair.nsB, [...env, AGENT, "daemon", "-c", bed.config]));
        assert.equal(sameSocket.code, 1);
        assert.match(sameSocket.stderr, /listens on .*agent\.sock/);
        assert.ok(Deno.lstatSync(bed.socket).isSocket, "the live daemon keeps its socket");
      });
      await t.step("bad tasks fail at once; good ones capture only their own traffic", async () => {
        await createTasks(bed);
        await checkTraffic(bed);
      });
      await t.step("task tail prints live records until interrupted", async () => {
        const tail = new Deno.Command(AGENT, {
          args: ["task", "tail", "sip-a", "--socket", bed.socket, "--format", "json"],
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const output = tail.output();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await sendInvites(bed, 5060, ["tail-1"]);
        await callIdsIn(`${dir}/sip-a.jsonl`, 4);
        await new Promise((resolve) => setTimeout(resolve, 300));
        killQuietly(tail, "SIGINT");
        const result = await output;
        const text = new TextDecoder().decode(result.stdout);
        assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
        assert.match(text, /"call_id":"tail-1"/);
      });
      await t.step("stop keeps the task and its output quiet; SIGKILL restart keeps states", async () => {
        assert.equal((await cli(bed, ["task", "stop", "sip-b"])).code, 0);
        await sendInvites(bed, 5070, ["b3"]);
        daemon.child.kill("SIGKILL");
        await daemon.finished();
        daemon = await startDaemon(bed);
        assert.deepEqual(await states(bed), { "sip-a": "running", "sip-b": "stopped" });
        await sendInvites(bed, 5060, ["a4"]);
        assert.deepEqual(await callIdsIn(`${dir}/sip-a.jsonl`, 5), ["a1", "a2", "a3", "tail-1", "a4"]);
        assert.deepEqual(await callIdsIn(`${dir}/sip-b.jsonl`, 2), ["b1", "b2"]);
      });
      await t.step("start resumes; SIGTERM exits 0 and removes socket and pid file", async () => {
        assert.equal((await cli(bed, ["task", "start", "sip-b"])).code, 0);
        await sendInvites(bed, 5070, ["b4"]);
        assert.deepEqual(await callIdsIn(`${dir}/sip-b.jsonl`, 3), ["b1", "b2", "b4"]);
        daemon.child.kill("SIGTERM");
        const result = await daemon.finished();
        assert.equal(result.code, 0, result.stderr);
        assert.throws(() => Deno.lstatSync(bed.socket), Deno.errors.NotFound);
        assert.throws(() => Deno.lstatSync(bed.pidFile), Deno.errors.NotFound);
      });
      await t.step("after a graceful restart running tasks run again; delete removes one", async () => {
        daemon = await startDaemon(bed);
        assert.deepEqual(await states(bed), { "sip-a": "running", "sip-b": "running" });
        assert.equal((await cli(bed, ["task", "delete", "sip-b"])).code, 0);
        assert.deepEqual(await states(bed), { "sip-a": "running" });
        assert.deepEqual([...Deno.readDirSync(`${dir}/data/tasks`)].map((entry) => entry.name), ["sip-a.json"]);
        const missing = await cli(bed, ["task", "status", "sip-b"]);
        assert.equal(missing.code, 3);
        Deno.writeTextFileSync(
          bed.config,
          Deno.readTextFileSync(bed.config).replace("log_level: debug", "log_level: warn"),
        );
        const reloaded = await cliJson<{ applied: string[] }>(bed, ["reload"]);
        assert.deepEqual(reloaded.applied, ["global.log_level"]);
      });
      await t.step("stopping and deleting a task under load is clean", async () => {
        const created = await cli(bed, [
          "task",
          "create",
          "--name",
          "load",
          "-i",
          "veth-b",
          "--filter",
          "udp port 5080",
        ]);
        assert.equal(created.code, 0, created.stderr);
        const frame = toHex(buildUdpFrame({
          srcMac: pair.macA,
          dstMac: pair.macB,
          srcIp: pair.addrA,
          dstIp: pair.addrB,
          srcPort: 5062,
          dstPort: 5080,
          payload: new TextEncoder().encode("OPTIONS sip:x SIP/2.0\r\nCall-ID: load\r\nCSeq: 1 OPTIONS\r\n\r\n"),
        }));
        const sender = run(inNs(pair.nsA, ["python3", SEND_FRAMES, pair.ifA, "200000"]), frame + "\n");
        await new Promise((resolve) => setTimeout(resolve, 300));
        const during = await cliJson<{ stats: { interfaces: { packets: number }[] } }>(bed, ["task", "status", "load"]);
        assert.ok(during.stats.interfaces[0]!.packets > 1000, `under load: ${during.stats.interfaces[0]!.packets}`);
        assert.equal((await cli(bed, ["task", "stop", "load"])).code, 0);
        assert.equal((await cli(bed, ["task", "start", "load"])).code, 0);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal((await cli(bed, ["task", "delete", "load"])).code, 0);
        await sender;
        const status = await cliJson<{ ready: boolean }>(bed, ["status"]);
        assert.equal(status.ready, true);
      });
    } finally {
      killQuietly(daemon.child, "SIGTERM");
      await daemon.finished();
      Deno.removeSync(dir, { recursive: true });
    }
  });
});
