/**
 * /metrics of the built daemon against the Grafana dashboard: a daemon in a test namespace runs a task with a Kafka
 * output (no broker, so records spool) and a JSONL output, SIP frames go through the veth, and every metric name
 * `deploy/grafana/capture-agent.json` queries must be in the scrape, with the task and interface labels filled.
 * @module
 */
import assert from "node:assert/strict";
import { buildUdpFrame, toHex } from "../helpers/frames.ts";
import { inNs, runOk, type VethPair, withVethPair } from "../helpers/netns.ts";
import { cli, sample, scrape, sippCalls, startDaemon, waitFor } from "./_daemon_bed.ts";

const SEND_FRAMES = new URL("../helpers/send_frames.py", import.meta.url).pathname;
const DASHBOARD = new URL("../../deploy/grafana/capture-agent.json", import.meta.url).pathname;

/**
 * Every metric name the dashboard's panels and variables query (tests/deploy_test.ts checks they all start with
 * `capture_agent_`, and that each expression names one).
 */
function dashboardMetrics(): Set<string> {
  const dashboard = JSON.parse(Deno.readTextFileSync(DASHBOARD));
  const exprs: string[] = [];
  // deno-lint-ignore no-explicit-any
  const walk = (panels: any[]) => {
    for (const panel of panels) {
      if (panel.panels) walk(panel.panels);
      for (const target of panel.targets ?? []) exprs.push(target.expr);
    }
  };
  walk(dashboard.panels);
  for (const variable of dashboard.templating.list) if (variable.type === "query") exprs.push(variable.query.query);
  return new Set(exprs.flatMap((expr) => [...expr.matchAll(/\bcapture_agent_[a-z0-9_]+/g)].map((match) => match[0])));
}

/** Sends one UDP frame cut inside its UDP header from A to B, so the task counts a decode error. */
async function sendTruncatedFrame(pair: VethPair): Promise<void> {
  const frame = buildUdpFrame({
    srcMac: pair.macA,
    dstMac: pair.macB,
    srcIp: pair.addrA,
    dstIp: pair.addrB,
    srcPort: 5062,
    dstPort: 5060,
    payload: new Uint8Array(32),
  });
  await runOk(inNs(pair.nsA, ["python3", SEND_FRAMES, pair.ifA]), toHex(frame.subarray(0, 14 + 20 + 4)) + "\n");
}

/** Names of the metrics in a scrape that have at least one sample. */
function scrapedNames(metrics: string): Set<string> {
  const names = new Set<string>();
  for (const line of metrics.split("\n")) {
    const match = /^([a-z_:][a-z0-9_:]*)(\{| )/.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

Deno.test("/metrics of a daemon running a task has every metric the Grafana dashboard queries", async () => {
  const wanted = dashboardMetrics();
  assert.ok(wanted.size >= 10, `dashboard metrics: ${[...wanted]}`);
  await withVethPair(async (pair) => {
    const dir = Deno.makeTempDirSync({ prefix: "metrics-test-" });
    const bed = await startDaemon(pair, dir);
    try {
      const created = await cli(bed, [
        "task",
        "create",
        "--name",
        "sip",
        "-i",
        pair.ifB,
        "--protocol",
        "sip",
        "--output",
        "kafka://127.0.0.1:9/sip",
        "--output",
        `jsonl:${dir}/sip.jsonl`,
      ]);
      assert.equal(created.code, 0, created.stderr);
      await sippCalls(pair, 1);
      await sendTruncatedFrame(pair);
      const spooled = await waitFor(async () => sample(await scrape(bed), "capture_agent_spool_bytes") > 0, 15_000);
      assert.ok(spooled, "records spool while the broker is unreachable");
      const metrics = await scrape(bed);
      const missing = [...wanted].filter((name) => !scrapedNames(metrics).has(name));
      assert.deepEqual(missing, [], "dashboard metrics missing from /metrics");
      const labels = { task: "sip", interface: pair.ifB };
      assert.ok(sample(metrics, "capture_agent_capture_packets_total", labels) >= 7, "SIP packets counted");
      assert.match(metrics, /^capture_agent_capture_kernel_drops_total\{task="sip",interface="veth-b"\} 0$/m);
      assert.ok(sample(metrics, "capture_agent_pipeline_records_total", { task: "sip", type: "call" }) === 1);
      assert.ok(sample(metrics, "capture_agent_decode_errors_total", { task: "sip" }) >= 1, "the cut frame counted");
      const kafka = { task: "sip", output: "kafka://127.0.0.1:9/sip" };
      assert.ok(sample(metrics, "capture_agent_output_spooled_total", kafka) > 0);
      assert.ok(sample(metrics, "capture_agent_output_sent_total", { output: `jsonl:${dir}/sip.jsonl` }) > 0);
      assert.ok(sample(metrics, "capture_agent_process_cpu_seconds_total") > 0);
      const readyz = await runOk(inNs(pair.nsB, ["curl", "-s", `http://127.0.0.1:${bed.metricsPort}/readyz`]));
      assert.notEqual(readyz, "");
    } finally {
      await bed.stop();
      Deno.removeSync(dir, { recursive: true });
    }
  });
});
