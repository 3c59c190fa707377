import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { finishedTaskSource } from "./_test_source.ts";
import { registerPipelineMetrics } from "./pipeline_metrics.ts";

Deno.test("registerPipelineMetrics() splits decode errors, parser rejections and record queue drops", async () => {
  const { source, run } = await finishedTaskSource();
  run.stageCounters = () => ({
    decodeErrors: { truncated_ip: 2 },
    parserInvalid: { sip: { bad_cseq: 5 } },
    recordQueue: { depth: 7, drops: 1 },
    tables: { calls_active: 4 },
    sipParser: { native: 9, fallback: 3 },
  });
  const registry = new Registry();
  registerPipelineMetrics(registry, source);
  const text = await registry.metrics();
  assert.match(text, /^capture_agent_decode_errors_total\{task="sip",reason="truncated_ip"\} 2$/m);
  assert.match(text, /^capture_agent_parser_invalid_total\{task="sip",protocol="sip",reason="bad_cseq"\} 5$/m);
  assert.match(text, /^capture_agent_pipeline_queue_depth\{task="sip"\} 7$/m);
  assert.match(text, /^capture_agent_pipeline_queue_drops_total\{task="sip"\} 1$/m);
  assert.match(text, /^capture_agent_pipeline_table_entries\{task="sip",table="calls_active"\} 4$/m);
  assert.match(text, /^capture_agent_pipeline_records_total\{task="sip",type="sip"\} 6$/m);
  assert.match(text, /^capture_agent_queue_depth\{task="sip"\} 0$/m);
  assert.match(text, /^capture_agent_sip_parser_payloads_total\{task="sip",parser="native"\} 9$/m);
  assert.match(text, /^capture_agent_sip_parser_payloads_total\{task="sip",parser="fallback"\} 3$/m);
});
