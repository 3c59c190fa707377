/**
 * Test helper: a whole SIP call over WebSocket (RFC 7118) as Ethernet/IPv4/TCP frames, with the framing corners a
 * real capture has: a handshake, masked client frames, an INVITE fragmented around a ping, two server messages in
 * one segment, a message whose frame header is cut by a segment boundary, a 16-bit length, and Close frames.
 */
import { upgradeRequest, upgradeResponse, wsFrame } from "../protocols/websocket/_test_frames.ts";
import { WsOpcode } from "../protocols/websocket/types.ts";
import { callMessages, concat, HOST_A, HOST_B, tcpFrame, text } from "./_test_frames.ts";

const SYN = 2;
const ACK = 16;
const PSH_ACK = 24;
const FIN_ACK = 17;
const MASK = [0x11, 0x22, 0x33, 0x44];

/** Client (caller, HOST_A:`clientPort`) and server (HOST_B:`serverPort`) ports of the helper's connection. */
export interface WsCallOptions {
  clientPort?: number;
  serverPort?: number;
  callId?: string;
}

/** The frames of the call; `messages` are the SIP texts in wire order with their direction. */
export function wsSipCallFrames(options: WsCallOptions = {}): { frames: Uint8Array[]; messages: [string, boolean][] } {
  const { clientPort = 40000, serverPort = 8080, callId = "ws-call-1@a" } = options;
  const messages = callMessages(callId).map(([payload, up]): [string, boolean] => [
    payload.replaceAll("SIP/2.0/UDP 10.0.0.1:5060", "SIP/2.0/WS df7jal23ls0d.invalid"),
    up,
  ]);
  const [invite, ringing, ok, ack, bye, byeOk] = messages.map(([payload]) => text(payload));
  let clientSeq = 1000;
  let serverSeq = 5000;
  const frames: Uint8Array[] = [];
  const send = (fromClient: boolean, payload: Uint8Array, flags = PSH_ACK) => {
    if (fromClient) {
      frames.push(tcpFrame(HOST_A, clientPort, HOST_B, serverPort, clientSeq, flags, payload));
      clientSeq += payload.length + (flags & (SYN | 1) ? 1 : 0);
    } else {
      frames.push(tcpFrame(HOST_B, serverPort, HOST_A, clientPort, serverSeq, flags, payload));
      serverSeq += payload.length + (flags & (SYN | 1) ? 1 : 0);
    }
  };
  const empty = new Uint8Array(0);
  send(true, empty, SYN);
  send(false, empty, SYN | ACK);
  send(true, empty, ACK);
  send(true, text(upgradeRequest()));
  send(false, text(upgradeResponse()));
  const half = Math.floor(invite.length / 2);
  send(
    true,
    concat(
      wsFrame(invite.subarray(0, half), { fin: false, mask: MASK }),
      wsFrame("", { opcode: WsOpcode.PING, mask: MASK }),
      wsFrame(invite.subarray(half), { opcode: WsOpcode.CONTINUATION, mask: MASK }),
    ),
  );
  send(false, concat(wsFrame(ringing), wsFrame(ok)));
  send(true, wsFrame(ack, { mask: MASK }));
  const byeFrame = wsFrame(bye, { mask: MASK, lengthBits: 16 });
  send(true, byeFrame.subarray(0, 3));
  send(true, byeFrame.subarray(3));
  send(false, wsFrame(byeOk));
  send(true, wsFrame(Uint8Array.from([0x03, 0xe8]), { opcode: WsOpcode.CLOSE, mask: MASK }));
  send(false, wsFrame(Uint8Array.from([0x03, 0xe8]), { opcode: WsOpcode.CLOSE }));
  send(true, empty, FIN_ACK);
  send(false, empty, FIN_ACK);
  return { frames, messages };
}
