/**
 * Media endpoint → call bindings learnt from SDP offers and answers (RFC 3264): each `m=` line with an RTP profile
 * binds its (address, port) for RTP and its RTCP endpoint (`a=rtcp:`, else port + 1; none with `a=rtcp-mux`). A newer
 * SDP of the same party (same `o=` session) for the same media line replaces the old endpoints, which expire after
 * `ttlMs`. Bindings also expire `ttlMs` after their call ended and after `idleMs` without packets; at most
 * `bindingsMax` live at once (the oldest is evicted and counted).
 * @module
 */
import type { SdpSession } from "../sdp/mod.ts";
import { CodecMap } from "../rtp/codec.ts";
import { type EndpointKey, endpointKeyFromText } from "./endpoint.ts";
import type { MediaSession } from "./media_session.ts";

/** One bound endpoint. */
export interface MediaBinding {
  key: EndpointKey;
  /** The port of `key`. */
  port: number;
  session: MediaSession;
  /** "rtp" (with `mux`, RTCP may arrive too) or "rtcp". */
  kind: "rtp" | "rtcp";
  mux: boolean;
  media: string;
  codecs: CodecMap;
  lastUsedMs: number;
  /** Infinity while the binding is current. */
  expiresAtMs: number;
  /**
   * Another live call announced the same endpoint (e.g. a media server or an echo UAS answering every call on one
   * port): the packet's other endpoint decides which call a packet belongs to.
   */
  shared: boolean;
}

/** Limits of a `MediaBindings` table. */
export interface MediaBindingsOptions {
  /** @default 40000 */
  bindingsMax?: number;
  /** Life of a binding after its call ended or a newer SDP replaced it. @default 5000 */
  ttlMs?: number;
  /** Life of a binding without packets. @default 600000 (10 min: calls on hold send nothing) */
  idleMs?: number;
}

/** Counters of a `MediaBindings` table. */
export interface MediaBindingsStats {
  bound: number;
  evicted: number;
  expired: number;
  /** `c=` addresses that are host names or malformed, skipped. */
  unresolvable: number;
}

/** The endpoint → binding map. */
export class MediaBindings {
  readonly stats: MediaBindingsStats = { bound: 0, evicted: 0, expired: 0, unresolvable: 0 };
  readonly #bindings = new Map<EndpointKey, MediaBinding>();
  // Bindings per port: most UDP packets a capture sees touch no bound port, and this answers them without making
  // their endpoint keys (heap numbers) or hashing them.
  readonly #portBindings = new Uint32Array(65536);
  // Per SDP party and media line, the keys it bound last, so a re-offer can retire them.
  readonly #slots = new Map<string, EndpointKey[]>();
  readonly #bindingsMax: number;
  readonly ttlMs: number;
  readonly #idleMs: number;

  /** Creates an empty table. */
  constructor(options: MediaBindingsOptions = {}) {
    this.#bindingsMax = Math.max(1, options.bindingsMax ?? 40_000);
    this.ttlMs = options.ttlMs ?? 5_000;
    this.#idleMs = options.idleMs ?? 600_000;
  }

  /** Bindings in the table. */
  get size(): number {
    return this.#bindings.size;
  }

  /** Whether some binding is on `port` (any address): when not, no key with that port has a binding. */
  hasPort(port: number): boolean {
    return this.#portBindings[port] !== 0;
  }

  /** The binding of an endpoint key; the per-packet lookup. */
  get(key: EndpointKey): MediaBinding | undefined {
    return this.#bindings.get(key);
  }

  /** Binds the media of one SDP body (offer or answer) to `session`, at `nowMs`. `partyId` names who sent it. */
  bindSdp(sdp: SdpSession, session: MediaSession, partyId: string, nowMs: number): void {
    const origin = sdp.origin === undefined ? partyId : `${sdp.origin.sessionId}@${sdp.origin.address}`;
    sdp.media.forEach((media, index) => {
      const slot = `${session.callId}|${origin}|${index}`;
      const keys: EndpointKey[] = [];
      const address = media.connection?.address;
      if (media.port !== 0 && media.proto.toUpperCase().includes("RTP") && address !== undefined) {
        const codecs = new CodecMap(media.rtpmaps);
        const rtpKey = this.#bindOne(address, media.port, {
          session,
          kind: "rtp",
          mux: media.rtcpMux,
          media: media.media,
          codecs,
        }, nowMs);
        if (rtpKey !== undefined) keys.push(rtpKey);
        if (!media.rtcpMux) {
          const rtcpAddress = media.rtcp?.connection?.address ?? address;
          const rtcpPort = media.rtcp?.port ?? media.port + 1;
          const rtcpKey = this.#bindOne(rtcpAddress, rtcpPort, {
            session,
            kind: "rtcp",
            mux: false,
            media: media.media,
            codecs,
          }, nowMs);
          if (rtcpKey !== undefined) keys.push(rtcpKey);
        }
      }
      this.#retire(this.#slots.get(slot), keys, session, nowMs);
      this.#slots.set(slot, keys);
    });
  }

  /** Binds one endpoint by hand (a port known to carry RTP, like tshark's decode-as). */
  bindStatic(address: string, port: number, kind: "rtp" | "rtcp", session: MediaSession, nowMs: number): boolean {
    return this.#bindOne(
      address,
      port,
      { session, kind, mux: kind === "rtp", media: "", codecs: new CodecMap() },
      nowMs,
    ) !== undefined;
  }

  #bindOne(
    address: string,
    port: number,
    binding: Pick<MediaBinding, "session" | "kind" | "mux" | "media" | "codecs">,
    nowMs: number,
  ): EndpointKey | undefined {
    const key = endpointKeyFromText(address, port);
    if (key === undefined || port <= 0 || port > 65535) {
      this.stats.unresolvable++;
      return undefined;
    }
    const previous = this.#bindings.get(key);
    const shared = previous !== undefined && previous.session !== binding.session &&
      previous.expiresAtMs === Infinity;
    this.#delete(key);
    if (this.#bindings.size >= this.#bindingsMax) {
      this.#delete(this.#bindings.keys().next().value as EndpointKey);
      this.stats.evicted++;
    }
    this.#bindings.set(key, { ...binding, key, port, lastUsedMs: nowMs, expiresAtMs: Infinity, shared });
    this.#portBindings[port]++;
    this.stats.bound++;
    return key;
  }

  #retire(old: EndpointKey[] | undefined, current: EndpointKey[], session: MediaSession, nowMs: number): void {
    for (const key of old ?? []) {
      const binding = this.#bindings.get(key);
      if (binding === undefined || binding.session !== session || current.includes(key)) continue;
      binding.expiresAtMs = Math.min(binding.expiresAtMs, nowMs + this.ttlMs);
    }
  }

  /** Starts the end-of-call TTL of every binding of `session`. */
  endSession(session: MediaSession, nowMs: number): void {
    for (const binding of this.#bindings.values()) {
      if (binding.session === session) binding.expiresAtMs = Math.min(binding.expiresAtMs, nowMs + this.ttlMs);
    }
    for (const slot of this.#slots.keys()) if (slot.startsWith(`${session.callId}|`)) this.#slots.delete(slot);
  }

  /** Removes the binding of `key`, if any, and its port's count. */
  #delete(key: EndpointKey): void {
    const binding = this.#bindings.get(key);
    if (binding === undefined) return;
    this.#bindings.delete(key);
    this.#portBindings[binding.port]--;
  }

  /** Removes bindings past their TTL or idle time at `nowMs`; call about once a second. */
  expire(nowMs: number): void {
    for (const [key, binding] of this.#bindings) {
      if (nowMs >= binding.expiresAtMs || nowMs - binding.lastUsedMs >= this.#idleMs) {
        this.#delete(key);
        this.stats.expired++;
      }
    }
    if (this.#slots.size > this.#bindingsMax) this.#slots.clear(); // Slots only retire old keys; losing them is safe.
  }
}
