/**
 * The header lists the Kafka output shares between messages: per record type, task + agent + type, and the same plus
 * the key for recent keys (every packet of a call or flow has the same key). A shared list is frozen and carries its
 * record-batch form (record_batch.ts `shareHeaders()`), so a message holds no header objects of its own and a batch
 * copies its headers' bytes in one go.
 *
 * @module
 */
import { headersWire } from "./record_batch.ts";

/** A header: name and value bytes. */
export type Header = [string, Uint8Array];

/** Per-header and per-record overhead in a Kafka record batch, rounded up: varints and attributes. */
export const RECORD_OVERHEAD_BYTES = 32;
/** Keyed header lists kept (`KeyedHeaders`): a few thousand calls or flows at once, a few hundred KB. */
const keyedListsMax = 4096;
/** Keys longer than this are not cached (Call-IDs and flow keys are far shorter). */
const keyCachedBytesMax = 256;
/** Bytes of cached keys before the cache starts over. */
const keySlabBytes = 256 * 1024;

/** Bytes the output counts for `headers` (see `messageBytes()`). */
export function headersCountedBytes(headers: readonly Header[]): number {
  let bytes = 0;
  for (let i = 0; i < headers.length; i++) bytes += RECORD_OVERHEAD_BYTES + headers[i][0].length + headers[i][1].length;
  return bytes;
}

/** A header list, the key bytes it ends with, its counted size and its record form (record_batch.ts). */
export interface HeaderList {
  key: Uint8Array | null;
  headers: Header[];
  countedBytes: number;
  /** Header count and headers as a record batch holds them: copied whole for every message of the list. */
  wire: Uint8Array;
}

/**
 * The list of `headers` (ending with `key`'s header, or without a key header for null); `shared`: frozen and
 * pre-encoded, for lists many messages will hold.
 */
export function headerList(key: Uint8Array | null, headers: Header[], shared = true): HeaderList {
  if (shared) {
    for (const header of headers) Object.freeze(header);
    Object.freeze(headers);
  }
  return { key, headers, countedBytes: headersCountedBytes(headers), wire: headersWire(headers) };
}

/** The lists of one record type: without a key, and by recent key text (`KeyedHeaders` bounds them). */
export interface TypeHeaders {
  /** task, agent, type. */
  keyless: HeaderList;
  /** task, agent, type and key. */
  keyed: Map<string, HeaderList>;
}

/**
 * The keyed header lists of recent keys, across types. Keys come from traffic: past `keyedListsMax` lists, or when
 * their bytes fill the key slab, every list is forgotten and the cache starts over (messages keep theirs). Cached
 * keys get their bytes from a slab of their own, so a cached list holds no other buffer alive.
 */
export class KeyedHeaders {
  #lists = 0;
  #slab = new Uint8Array(keySlabBytes);
  #slabOffset = 0;
  readonly #types: TypeHeaders[] = [];

  /** The cached list of `key` for `type`. */
  get(type: TypeHeaders, key: string): HeaderList | undefined {
    return type.keyed.get(key);
  }

  /** A list for `key` (`bytes`: its UTF-8), cached unless the key is long. */
  add(type: TypeHeaders, key: string, bytes: Uint8Array): HeaderList {
    if (bytes.length > keyCachedBytesMax) return headerList(bytes, [...type.keyless.headers, ["key", bytes]], false);
    if (this.#lists >= keyedListsMax || this.#slabOffset + bytes.length > keySlabBytes) this.#clear();
    const own = this.#slab.subarray(this.#slabOffset, this.#slabOffset + bytes.length);
    own.set(bytes);
    this.#slabOffset += bytes.length;
    const list = headerList(own, [...type.keyless.headers, ["key", own]]);
    if (type.keyed.size === 0) this.#types.push(type);
    type.keyed.set(key, list);
    this.#lists++;
    return list;
  }

  #clear(): void {
    for (const type of this.#types) type.keyed.clear();
    this.#types.length = 0;
    this.#lists = 0;
    this.#slab = new Uint8Array(keySlabBytes);
    this.#slabOffset = 0;
  }
}
