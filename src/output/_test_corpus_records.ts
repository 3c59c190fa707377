/**
 * Test helper: the SIP records of a capture file, built with the pipeline's own record builders, each carrying its
 * raw message (what the pipeline attaches for HEP and `otus-v1`).
 * @module
 */
import { openFileSource } from "../capture/file_source.ts";
import { decodeSummary } from "../decode/decode.ts";
import { createPacketSummary } from "../decode/summary.ts";
import { toOutputRecord } from "../pipeline/output_record.ts";
import { recordBase, tupleOfSummary } from "../pipeline/record_base.ts";
import { sipRecord } from "../pipeline/records.ts";
import { parseSipMessage } from "../protocols/sip/message.ts";
import type { OutputRecord } from "./output.ts";
import { attachRawPayload } from "./raw_payload.ts";

/** One `sip` OutputRecord per UDP SIP message of `path`, in capture order. */
export async function sipRecordsOfPcap(path: string, task = "hep-test"): Promise<OutputRecord[]> {
  const source = await openFileSource(path);
  const summary = createPacketSummary();
  const records: OutputRecord[] = [];
  try {
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      for (let i = 0; i < batch.count; i++) {
        if (!decodeSummary(batch, i, summary) || summary.protocol !== 17 || summary.payloadBytes === 0) continue;
        const payload = summary.data.slice(summary.payloadOffset, summary.payloadOffset + summary.payloadBytes);
        const parsed = parseSipMessage(payload);
        if (parsed.kind !== "message") continue;
        const time = { sec: summary.timestampSec, nsec: summary.timestampNsec };
        const base = recordBase("sip", time, tupleOfSummary(summary, -1), undefined, task);
        records.push(toOutputRecord(attachRawPayload(sipRecord(base, parsed.message), payload), "call_id"));
      }
      source.release(batch);
    }
  } finally {
    await source.close();
  }
  return records;
}
