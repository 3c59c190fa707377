/**
 * One cleartext listener that speaks HTTP/1.1 and HTTP/2 (prior knowledge) on the same socket: gRPC needs
 * h2c, while curl and browsers-style Connect/gRPC-Web clients default to HTTP/1.1. The first bytes decide.
 * @module
 */
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";

/** A request handler both node:http and node:http2 accept (connectNodeAdapter's). */
export type NodeHandler = (
  request: http.IncomingMessage | http2.Http2ServerRequest,
  response: http.ServerResponse | http2.Http2ServerResponse,
) => void;

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n");

/** Whether the bytes so far could still be, or are, the HTTP/2 connection preface. */
function prefaceState(head: Buffer): "h2" | "h1" | "more" {
  const length = Math.min(head.length, PREFACE.length);
  if (!head.subarray(0, length).equals(PREFACE.subarray(0, length))) return "h1";
  return head.length >= PREFACE.length ? "h2" : "more";
}

/** A net.Server that hands each connection to an HTTP/1.1 or an HTTP/2 server running `handler`. */
export function createCleartextServer(handler: NodeHandler): net.Server {
  // One request per HTTP/1.1 connection: under Deno, a request that follows a response on a handed-over socket
  // too quickly is cut (EPIPE at the client). HTTP/1.1 here serves curl and scripts; clients wanting reuse use h2.
  const h1 = http.createServer((request, response) => {
    response.setHeader("connection", "close");
    handler(request, response);
  });
  const h2 = http2.createServer(handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  return net.createServer((socket) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const state = prefaceState(head);
      if (state === "more") return;
      socket.off("data", onData);
      socket.pause();
      socket.unshift(head);
      (state === "h2" ? h2 : h1).emit("connection", socket);
      socket.resume();
    };
    socket.on("data", onData);
    socket.on("error", () => socket.destroy());
  });
}
