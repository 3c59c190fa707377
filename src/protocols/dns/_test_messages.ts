/**
 * Crafted DNS messages shared by the unit tests of this folder.
 * @module
 */

const encoder = new TextEncoder();

/** Wire form of a dotted name without compression. */
export function name(dotted: string): number[] {
  if (dotted === ".") return [0];
  return [...dotted.split(".").flatMap((label) => [label.length, ...encoder.encode(label)]), 0];
}

function u16(value: number): number[] {
  return [value >> 8, value & 0xff];
}

/** A record: name bytes, type, class IN, TTL, RDATA. */
export function record(nameBytes: number[], type: number, ttl: number, rdata: number[]): number[] {
  return [
    ...nameBytes,
    ...u16(type),
    ...u16(1),
    ...u16(ttl >>> 16),
    ...u16(ttl & 0xffff),
    ...u16(rdata.length),
    ...rdata,
  ];
}

/** A query for `qname` (type A) with id `id`. */
export function query(id: number, qname = "example.com"): Uint8Array {
  return new Uint8Array([...u16(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...name(qname), 0, 1, 0, 1]);
}

/**
 * A response to `query(id)` with a CNAME (compressed, pointing at the question), an A and an AAAA answer, and an
 * EDNS OPT record with extended rcode bits.
 */
export function response(id: number): Uint8Array {
  const header = [...u16(id), 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 1];
  const question = [...name("example.com"), 0, 1, 0, 1];
  const www = [3, 0x77, 0x77, 0x77, 0xc0, 12]; // "www" + pointer to the question's name.
  const answers = [
    ...record([0xc0, 12], 5, 300, www),
    ...record([0xc0, 41], 1, 60, [93, 184, 216, 34]),
    ...record([0xc0, 41], 28, 60, [
      0x26,
      0x06,
      0x28,
      0,
      0x02,
      0x20,
      0,
      1,
      0x2,
      0x48,
      0x18,
      0x93,
      0x25,
      0xc8,
      0x19,
      0x46,
    ]),
  ];
  const opt = [0, 0, 41, 0x10, 0x00, 1, 0, 0x80, 0, 0, 0]; // Root name, OPT, 4096 bytes, ext-rcode 1, DO.
  return new Uint8Array([...header, ...question, ...answers, ...opt]);
}
