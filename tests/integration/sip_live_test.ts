/**
 * `capture-agent analyze -i` on real SIP traffic: sipp's built-in UAC (`-sn uac`) calls sipp's built-in UAS
 * (`-sn uas`) across a veth pair between two namespaces while the agent, in the UAS namespace, turns what it
 * captures into records. Every call made must come out as one call record (answered, setup time measured, ended
 * by the caller's BYE) and its SIP messages as sip records.
 */
import assert from "node:assert/strict";
import { AGENT } from "../helpers/agent.ts";
import { type Background, spawnBackground } from "../helpers/background.ts";
import { inNs, type VethPair, withVethPair } from "../helpers/netns.ts";
import type { CallRecordOut, PipelineRecord, SipRecord } from "../../src/pipeline/mod.ts";

const CALLS = 3;
const CALL_PAUSE_MS = 300;

/** Starts the agent and resolves once its ring is open (it printed "listening on"). */
function startAnalyze(ns: string, args: string[]): Promise<Background> {
  return spawnBackground(ns, [AGENT, "analyze", ...args], {
    readyText: "listening on",
    stopTimeoutMs: 20_000,
    stdout: true,
  });
}

async function runCalls(pair: VethPair): Promise<void> {
  const uas = new Deno.Command("ip", {
    args: ["netns", "exec", pair.nsB, "sipp", "-sn", "uas", "-i", pair.addrB, "-p", "5060", "-nostdin"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    // The UAS needs a moment to bind before the first INVITE (a lost INVITE would be retransmitted, not failed).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const uac = await new Deno.Command("ip", {
      args: inNs(pair.nsA, [
        "sipp",
        "-sn",
        "uac",
        `${pair.addrB}:5060`,
        "-i",
        pair.addrA,
        "-p",
        "5061",
        "-m",
        String(CALLS),
        "-r",
        "10",
        "-d",
        String(CALL_PAUSE_MS),
        "-nostdin",
        "-timeout",
        "30s",
        "-timeout_error",
      ]).slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(uac.code, 0, `sipp uac failed: ${new TextDecoder().decode(uac.stderr)}`);
  } finally {
    uas.kill("SIGKILL");
    await uas.status;
  }
}

Deno.test("analyze -i turns a live sipp UAC → UAS run into one call record per call and its SIP messages", async () => {
  const out = await Deno.makeTempFile({ prefix: "sip-live-", suffix: ".jsonl" });
  try {
    await withVethPair(async (pair) => {
      const agent = await startAnalyze(pair.nsB, ["-i", pair.ifB, "--protocol", "sip", "-w", out, "--stats"]);
      try {
        await runCalls(pair);
        // Let the last block retire (the ring hands out blocks on a timeout) before stopping.
        await new Promise((resolve) => setTimeout(resolve, 1500));
      } finally {
        const result = await agent.stop();
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stderr, /"records":\{"sip":\d+,"call":\d+/);
      }
    });
    const records: PipelineRecord[] = (await Deno.readTextFile(out)).split("\n").filter((l) => l !== "").map((l) =>
      JSON.parse(l)
    );
    const calls = records.filter((r): r is CallRecordOut => r.type === "call");
    const sip = records.filter((r): r is SipRecord => r.type === "sip");
    assert.equal(new Set(calls.map((c) => c.call.call_id)).size, CALLS);
    assert.equal(calls.length, CALLS);
    for (const { call } of calls) {
      assert.equal(call.final_status, 200);
      assert.ok((call.answer_delay_ms as number) > 0, "setup time measured");
      assert.ok((call.ack_delay_ms as number) >= (call.answer_delay_ms as number));
      assert.equal(call.end_reason, "bye");
      assert.equal(call.hung_up_by, "caller");
      assert.ok((call.duration_ms as number) >= CALL_PAUSE_MS * 0.9, `duration ${call.duration_ms}`);
      const messages = sip.filter((r) => r.sip.call_id === call.call_id);
      const count = (what: string | number) =>
        messages.filter((r) => r.sip.method === what || r.sip.status_code === what).length;
      assert.equal(count("INVITE"), 1);
      assert.equal(count("ACK"), 1);
      assert.equal(count("BYE"), 1);
      assert.equal(count(180), 1);
      assert.equal(count(200), 2, "200 to the INVITE and to the BYE");
    }
    for (const record of sip) {
      assert.equal(record.transport, "udp");
      assert.ok(record.interface === "veth-b");
    }
  } finally {
    await Deno.remove(out);
  }
});
