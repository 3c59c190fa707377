import assert from "node:assert/strict";
import { batchOf } from "../capture/_test_batch.ts";
import type { OutputRecord } from "../output/output.ts";
import { inviteFrame } from "./_test_parts.ts";
import { keyStrategyOf, PipelineStage } from "./pipeline_stage.ts";

Deno.test("PipelineStage turns SIP packets into keyed records and counts bad packets", () => {
  const stage = new PipelineStage({ task: "t", interfaces: ["eth0"], protocols: ["sip"], keyStrategy: "call_id" });
  const records: OutputRecord[] = [];
  const truncated = inviteFrame("c2").subarray(0, 20);
  stage.process(batchOf([inviteFrame("c1"), truncated]), (record) => records.push(record));
  const sip = records.filter((record) => record.type === "sip");
  assert.equal(sip.length, 1);
  assert.equal(sip[0]!.key, "c1");
  assert.ok(Object.values(stage.counters().decodeErrors).reduce((a, b) => a + b, 0) >= 1);
  stage.finish((record) => records.push(record));
  assert.ok(records.some((record) => record.type === "call"), "the open call is flushed at the end");
});

Deno.test("keyStrategyOf() reads record_options.key", () => {
  assert.equal(keyStrategyOf(undefined), "flow");
  assert.equal(keyStrategyOf({ key: "none" }), "none");
  assert.throws(() => keyStrategyOf({ key: "src" }), /record_options\.key "src" is unknown/);
});
