/**
 * One HEP collector: a connected UDP socket, or a TCP/TLS stream of back-to-back HEPv3 frames (the length field
 * frames them). Health: a TCP/TLS collector is up while connected and reconnects after `retryMs`; a UDP collector
 * is down for `retryMs` after a local send error only (UDP has no acknowledgement to tell a dead collector).
 *
 * Frames sent while a stream is still connecting wait in a bounded pending list; if the connection fails they are
 * handed back (`onReroute`) so the output can send them to another collector instead of losing them.
 *
 * @module
 */
import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";

/** How frames reach a collector. */
export type HepTransport = "udp" | "tcp" | "tls";

/** One collector's address and transport. */
export interface HepCollectorOptions {
  host: string;
  port: number;
  transport: HepTransport;
  /** Down time after a failure before trying again. */
  retryMs: number;
  /** Bytes waiting (pending plus in the socket) beyond which new frames are refused. */
  queueBytesMax: number;
  /** TLS: trusted CA certificates (PEM); the system store when absent. */
  ca?: string;
  /** TLS: name checked against the certificate. @default host */
  serverName?: string;
  /** TLS: accept any certificate (tests only). @default false */
  insecure?: boolean;
}

/** Callbacks into the owning output. */
export interface HepCollectorEvents {
  sent(bytes: number): void;
  failed(frames: number): void;
  /** Pending frames of a connection that failed; the output sends them elsewhere or counts them failed. */
  onReroute(frames: Uint8Array[]): void;
}

/** Connection state. */
export type HepCollectorState = "connecting" | "up" | "down";

type Stream = net.Socket | tls.TLSSocket;

/** See the module documentation. */
export class HepCollector {
  readonly options: HepCollectorOptions;
  state: HepCollectorState = "connecting";
  /** Frames handed to the socket and not yet confirmed written. */
  inflight = 0;
  #inflightBytes = 0;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #udp: dgram.Socket | null = null;
  #stream: Stream | null = null;
  #retryAtMs = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #events: HepCollectorEvents;

  constructor(options: HepCollectorOptions, events: HepCollectorEvents) {
    this.options = options;
    this.#events = events;
    this.#connect();
  }

  /** Frames wait for the connection. */
  get hasPending(): boolean {
    return this.#pending.length > 0;
  }

  /** `host:port/transport`, for logs and errors. */
  get label(): string {
    return `${this.options.host}:${this.options.port}/${this.options.transport}`;
  }

  /** May take frames now (a UDP collector past its down time counts as healthy: the next send tests it). */
  healthy(nowMs: number): boolean {
    if (this.#closed) return false;
    if (this.state !== "down") return true;
    return this.options.transport === "udp" && nowMs >= this.#retryAtMs;
  }

  /** Takes ownership of `frame`; false when the queue is full (the caller counts it). */
  send(frame: Uint8Array): boolean {
    if (this.#inflightBytes + this.#pendingBytes + frame.length > this.options.queueBytesMax) return false;
    if (this.state !== "up" && this.options.transport !== "udp") {
      this.#pending.push(frame);
      this.#pendingBytes += frame.length;
      return true;
    }
    this.#write(frame);
    return true;
  }

  /** Closes the socket; frames not yet written are counted failed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#events.failed(this.#pending.length);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#udp?.close();
    this.#stream?.end();
    this.#stream = null;
  }

  #write(frame: Uint8Array): void {
    this.inflight++;
    this.#inflightBytes += frame.length;
    const done = (error?: Error | null) => {
      this.inflight--;
      this.#inflightBytes -= frame.length;
      if (error) {
        this.#events.failed(1);
        this.#markDown();
      } else {
        if (this.state === "down" && this.#udp !== null) this.state = "up";
        this.#events.sent(frame.length);
      }
    };
    if (this.#udp !== null) this.#udp.send(frame, this.options.port, this.options.host, done);
    else if (this.#stream !== null) this.#stream.write(frame, done);
    else done(new Error("not connected"));
  }

  #connect(): void {
    if (this.#closed) return;
    this.state = "connecting";
    const { host, port, transport } = this.options;
    if (transport === "udp") {
      // Unconnected: Deno's node:dgram has no connected send, so a refused port is not seen (UDP has no health).
      const socket = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
      socket.on("error", () => this.#markDown());
      this.#udp = socket;
      this.state = "up";
      return;
    }
    const stream: Stream = transport === "tls"
      ? tls.connect({
        host,
        port,
        ca: this.options.ca,
        servername: this.options.serverName ?? (net.isIP(host) ? undefined : host),
        rejectUnauthorized: !this.options.insecure,
      })
      : net.connect({ host, port });
    stream.setNoDelay(true);
    stream.on(transport === "tls" ? "secureConnect" : "connect", () => this.#onConnected(stream));
    stream.on("error", () => {}); // "close" follows and decides.
    stream.on("close", () => this.#onStreamClosed(stream));
    this.#stream = stream;
  }

  #onConnected(stream: Stream): void {
    if (stream !== this.#stream) return;
    this.state = "up";
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const frame of pending) this.#write(frame);
  }

  #onStreamClosed(stream: Stream): void {
    if (stream !== this.#stream || this.#closed) return;
    this.#stream = null;
    this.#markDown();
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (pending.length > 0) this.#events.onReroute(pending);
    const timer = setTimeout(() => this.#connect(), this.options.retryMs);
    Deno.unrefTimer(timer as unknown as number); // A retry alone must not keep the process alive.
    this.#timer = timer;
  }

  #markDown(): void {
    this.state = "down";
    this.#retryAtMs = Date.now() + this.options.retryMs;
  }
}
