/**
 * Limits and counters of IP fragment reassembly. Every limit has a default and every drop a named counter, so
 * an attack (fragment floods, overlapping "teardrop" fragments) costs bounded memory and shows up in metrics.
 * @module
 */

/** Bounds on reassembly state. */
export interface ReassemblyLimits {
  /** Datagrams being reassembled at once; the oldest is evicted to admit a new one. @default 1024 */
  datagramsMax: number;
  /** Fragments kept per datagram; one more drops the datagram. @default 64 */
  fragmentsPerDatagramMax: number;
  /** Reassembled payload bytes per datagram (IP limits it to 65535 - header). @default 65535 */
  datagramBytesMax: number;
  /** Payload bytes buffered over all datagrams; the oldest datagrams are evicted past it. @default 8 MiB */
  bufferedBytesMax: number;
  /** A datagram not completed this long after its first fragment is dropped (packet time). @default 30000 */
  timeoutMs: number;
}

/** The defaults: Linux-like timeout (30 s), room for 1024 datagrams of typical 1500-byte-MTU fragments. */
export const DEFAULT_REASSEMBLY_LIMITS: Readonly<ReassemblyLimits> = {
  datagramsMax: 1024,
  fragmentsPerDatagramMax: 64,
  datagramBytesMax: 65535,
  bufferedBytesMax: 8 * 1024 * 1024,
  timeoutMs: 30_000,
};

/** Counters of a reassembler; names are metric labels (snake case at export). */
export interface ReassemblyCounters {
  /** Fragments offered (including those then dropped). */
  fragments: number;
  datagramsCompleted: number;
  /** IPv6 fragment headers with offset 0 and M=0 (RFC 6946), passed through without buffering. */
  datagramsAtomic: number;
  /** Fragments whose bytes were all received before (dropped; first copy wins). */
  duplicate: number;
  /** Fragments overlapping received bytes (only the new bytes are kept; first copy wins). */
  overlap: number;
  /** Datagrams dropped because `timeoutMs` passed. */
  timeout: number;
  /** Datagrams evicted to admit a new one past `datagramsMax`. */
  datagramsMax: number;
  /** Datagrams dropped for exceeding `fragmentsPerDatagramMax`. */
  fragmentsPerDatagramMax: number;
  /** Datagrams dropped for exceeding `datagramBytesMax`. */
  datagramBytesMax: number;
  /** Datagrams evicted to stay under `bufferedBytesMax`. */
  bufferedBytesMax: number;
  /** Fragments contradicting a known datagram end (data past the last fragment, two different ends). */
  lengthConflict: number;
  /** Non-last fragments whose payload is not a multiple of 8 bytes, or empty fragments. */
  lengthInvalid: number;
  /** Fragments cut by the snap length (payload incomplete). */
  truncated: number;
  /** Headers that could not be read, or packets offered that are not fragments. */
  malformed: number;
}

/** Zeroed counters. */
export function createReassemblyCounters(): ReassemblyCounters {
  return {
    fragments: 0,
    datagramsCompleted: 0,
    datagramsAtomic: 0,
    duplicate: 0,
    overlap: 0,
    timeout: 0,
    datagramsMax: 0,
    fragmentsPerDatagramMax: 0,
    datagramBytesMax: 0,
    bufferedBytesMax: 0,
    lengthConflict: 0,
    lengthInvalid: 0,
    truncated: 0,
    malformed: 0,
  };
}
