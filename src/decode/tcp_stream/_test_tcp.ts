/**
 * Test helpers (not used by production code): TCP segments between a client 10.0.0.1:1234 and a server
 * 10.0.0.2:80, decoded into summaries, and a handler that records what a reassembler emits.
 * @module
 */

import { batchOf, concat, ethernet, ipv4 } from "../../capture/_test_batch.ts";
import { decodeSummary } from "../decode.ts";
import { createPacketSummary, type PacketSummary } from "../summary.ts";
import type { CloseReasonValue } from "./limits.ts";
import type { TcpConnection, TcpStreamHandler } from "./reassembler.ts";

/** TCP flag bits. */
export const Flag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** A decoded segment; `fromServer` swaps addresses and ports. */
export function segment(
  fromServer: boolean,
  seq: number,
  flags: number,
  payload: string | Uint8Array = "",
): PacketSummary {
  const body = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const header = new Uint8Array(20);
  const view = new DataView(header.buffer);
  view.setUint16(0, fromServer ? 80 : 1234);
  view.setUint16(2, fromServer ? 1234 : 80);
  view.setUint32(4, seq >>> 0);
  header[12] = 0x50;
  header[13] = flags;
  view.setUint16(14, 65535);
  const packet = ipv4(6, concat(header, body));
  if (fromServer) {
    packet.set([10, 0, 0, 2], 12);
    packet.set([10, 0, 0, 1], 16);
  }
  const summary = createPacketSummary();
  decodeSummary(batchOf([ethernet(0x0800, packet)]), 0, summary);
  return summary;
}

/** Everything a reassembler emitted, as text per direction. */
export class Recorder implements TcpStreamHandler {
  readonly text: [string, string] = ["", ""];
  readonly gaps: [number[], number[]] = [[], []];
  readonly closes: CloseReasonValue[] = [];
  readonly connections = new Set<number>();

  onData(connection: TcpConnection, direction: number, data: Uint8Array, offset: number, bytes: number): void {
    this.connections.add(connection.id);
    this.text[direction] += new TextDecoder().decode(data.subarray(offset, offset + bytes));
  }

  onGap(_connection: TcpConnection, direction: number, bytes: number): void {
    this.gaps[direction].push(bytes);
    this.text[direction] += `[gap ${bytes}]`;
  }

  onClose(_connection: TcpConnection, reason: CloseReasonValue): void {
    this.closes.push(reason);
  }
}
