import assert from "node:assert/strict";
import { Flag, Recorder, segment } from "./_test_tcp.ts";
import { CloseReason, type TcpStreamLimits } from "./limits.ts";
import { TcpReassembler } from "./reassembler.ts";

const { SYN, ACK, FIN, RST, PSH } = Flag;
const CLIENT = false;
const SERVER = true;

function setup(limits: Partial<TcpStreamLimits> = {}) {
  const recorder = new Recorder();
  const reassembler = new TcpReassembler(recorder, limits);
  const feed = (fromServer: boolean, seq: number, flags: number, payload = "", nowMs = 0) =>
    reassembler.process(segment(fromServer, seq, flags, payload), nowMs);
  return { recorder, reassembler, feed };
}

function handshake(feed: ReturnType<typeof setup>["feed"], clientIsn = 100, serverIsn = 500): void {
  feed(CLIENT, clientIsn, SYN);
  feed(SERVER, serverIsn, SYN | ACK);
  feed(CLIENT, clientIsn + 1, ACK);
}

Deno.test("TcpReassembler delivers both directions in order and closes after both FINs", () => {
  const { recorder, reassembler, feed } = setup();
  handshake(feed);
  feed(CLIENT, 101, PSH | ACK, "GET / HTTP/1.1\r\n\r\n");
  feed(SERVER, 501, PSH | ACK, "HTTP/1.1 200 OK\r\n\r\n");
  feed(CLIENT, 119, FIN | ACK);
  assert.equal(reassembler.connections, 1);
  feed(SERVER, 520, FIN | ACK);
  assert.deepEqual(recorder.text, ["GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n"]);
  assert.deepEqual(recorder.closes, [CloseReason.FIN]);
  assert.equal(reassembler.connections, 0);
  assert.equal(reassembler.counters.deliveredBytes, 37);
});

Deno.test("TcpReassembler drops retransmissions and delivers only new bytes of overlaps", () => {
  const { recorder, reassembler, feed } = setup();
  handshake(feed);
  feed(CLIENT, 101, ACK, "hello ");
  feed(CLIENT, 101, ACK, "hello ");
  feed(CLIENT, 101, ACK, "HELLO world");
  assert.equal(recorder.text[0], "hello world");
  assert.equal(reassembler.counters.retransmission, 1);
  assert.equal(reassembler.counters.overlap, 1);
});

Deno.test("TcpReassembler buffers out-of-order segments and delivers them once the hole fills", () => {
  const { recorder, reassembler, feed } = setup();
  handshake(feed);
  feed(CLIENT, 107, ACK, "world");
  feed(CLIENT, 112, ACK, "!");
  assert.equal(recorder.text[0], "");
  assert.equal(reassembler.bufferedBytes, 6);
  feed(CLIENT, 101, ACK, "hello ");
  assert.equal(recorder.text[0], "hello world!");
  assert.equal(reassembler.counters.outOfOrder, 2);
  assert.equal(reassembler.bufferedBytes, 0);
});

Deno.test("TcpReassembler keeps the first buffered copy when buffered segments overlap", () => {
  const { recorder, reassembler, feed } = setup();
  handshake(feed);
  feed(CLIENT, 104, ACK, "defg");
  feed(CLIENT, 104, ACK, "DEFGHI");
  feed(CLIENT, 101, ACK, "abc");
  assert.equal(recorder.text[0], "defgHI".replace(/^/, "abc"));
  assert.equal(reassembler.counters.overlap, 1);
});

Deno.test("TcpReassembler reports a missing segment as a gap when the connection resets", () => {
  const { recorder, feed } = setup();
  handshake(feed);
  feed(CLIENT, 101, ACK, "abc");
  feed(CLIENT, 110, ACK, "xyz");
  feed(SERVER, 501, RST);
  assert.equal(recorder.text[0], "abc[gap 6]xyz");
  assert.deepEqual(recorder.closes, [CloseReason.RST]);
});

Deno.test("TcpReassembler declares a gap when the out-of-order limits are reached", () => {
  const { recorder, reassembler, feed } = setup({ outOfOrderSegmentsMax: 2 });
  handshake(feed);
  feed(CLIENT, 111, ACK, "b");
  feed(CLIENT, 112, ACK, "c");
  feed(CLIENT, 120, ACK, "d");
  assert.equal(recorder.text[0], "[gap 10]bc");
  assert.equal(reassembler.counters.outOfOrderSegmentsMax, 1);
  assert.equal(reassembler.counters.gaps, 1);
  const bytes = setup({ bufferedBytesPerDirectionMax: 4 });
  handshake(bytes.feed);
  bytes.feed(CLIENT, 105, ACK, "efg");
  bytes.feed(CLIENT, 110, ACK, "jk");
  assert.equal(bytes.recorder.text[0], "[gap 4]efg");
  assert.equal(bytes.reassembler.counters.bufferedBytesPerDirectionMax, 1);
});

Deno.test("TcpReassembler follows sequence numbers across the 2^32 wrap-around", () => {
  const { recorder, feed } = setup();
  const isn = 0xfffffff0;
  handshake(feed, isn);
  feed(CLIENT, 0xfffffff1, ACK, "0123456789");
  feed(CLIENT, 0x00000005, ACK, "klmno");
  feed(CLIENT, 0xfffffffb, ACK, "abcdefghij");
  feed(CLIENT, 0xfffffffb, ACK, "abcdefghij");
  assert.equal(recorder.text[0], "0123456789abcdefghijklmno");
});

Deno.test("TcpReassembler picks up connections mid-stream", () => {
  const { recorder, reassembler, feed } = setup();
  feed(SERVER, 9000, ACK, "late ");
  feed(SERVER, 9005, ACK, "start");
  assert.equal(recorder.text[1], "late start", "without a SYN the lower port is the server");
  assert.equal(reassembler.counters.midstream, 1);
});

Deno.test("TcpReassembler takes the client from a SYN-ACK seen first", () => {
  const { recorder, feed } = setup();
  feed(SERVER, 500, SYN | ACK);
  feed(SERVER, 501, ACK, "banner");
  feed(CLIENT, 101, ACK, "hi");
  assert.deepEqual(recorder.text, ["hi", "banner"]);
});

Deno.test("TcpReassembler closes idle connections after idleTimeoutMs and flushes them", () => {
  const { recorder, reassembler, feed } = setup({ idleTimeoutMs: 1000 });
  handshake(feed);
  feed(CLIENT, 105, ACK, "late", 10);
  reassembler.expire(1009);
  assert.equal(reassembler.connections, 1);
  reassembler.expire(1010);
  assert.equal(reassembler.connections, 0);
  assert.equal(recorder.text[0], "[gap 4]late");
  assert.deepEqual(recorder.closes, [CloseReason.TIMEOUT]);
});

Deno.test("TcpReassembler stops tracking past connectionsMax and counts it", () => {
  const { reassembler, feed } = setup({ connectionsMax: 1 });
  handshake(feed);
  const other = segment(CLIENT, 1, SYN);
  other.data[other.srcAddressOffset + 3] = 9;
  reassembler.process(other, 0);
  assert.equal(reassembler.connections, 1);
  assert.equal(reassembler.counters.connectionsMax, 1);
});

Deno.test("TcpReassembler treats a new SYN on a known 4-tuple as a new connection", () => {
  const { recorder, reassembler, feed } = setup();
  handshake(feed);
  feed(CLIENT, 101, ACK, "one");
  feed(CLIENT, 100, SYN);
  assert.equal(reassembler.counters.connectionsOpened, 1, "a retransmitted SYN is the same connection");
  handshake(feed, 7000, 8000);
  feed(CLIENT, 7001, ACK, "two");
  assert.deepEqual(recorder.closes, [CloseReason.REUSED]);
  assert.equal(recorder.connections.size, 2);
  assert.equal(recorder.text[0], "onetwo");
  reassembler.closeAll();
  assert.deepEqual(recorder.closes, [CloseReason.REUSED, CloseReason.SHUTDOWN]);
});
