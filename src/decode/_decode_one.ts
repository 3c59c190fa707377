/**
 * Test helper: decodes one crafted frame into a fresh summary.
 * @module
 */

import { batchOf } from "../capture/_test_batch.ts";
import { LinkType } from "../capture/batch.ts";
import { decodeSummary } from "./decode.ts";
import { createPacketSummary, type PacketSummary } from "./summary.ts";

/** Decodes `frame` as the only packet of a batch; returns the summary and decodeSummary's result. */
export function decodeOne(frame: Uint8Array, linkType: number = LinkType.EN10MB): PacketSummary & { ok: boolean } {
  const summary = createPacketSummary();
  const ok = decodeSummary(batchOf([frame], linkType), 0, summary);
  return Object.assign(summary, { ok });
}
