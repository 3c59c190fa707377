/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of spool records. Slice-by-8 tables: one
 * table lookup per byte is about 4x slower on long payloads.
 *
 * @module
 */

const polynomial = 0x82f63b78;
const tables = buildTables();

function buildTables(): Uint32Array {
  const table = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    table[n] = crc >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let slice = 1; slice < 8; slice++) {
      const previous = table[(slice - 1) * 256 + n];
      table[slice * 256 + n] = (previous >>> 8) ^ table[previous & 0xff];
    }
  }
  return table;
}

/**
 * Continues a CRC-32C over `bytes`; start with `crc` 0.
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  const t = tables;
  while (i < end8) {
    const lo = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c = t[7 * 256 + (lo & 0xff)] ^ t[6 * 256 + ((lo >>> 8) & 0xff)] ^ t[5 * 256 + ((lo >>> 16) & 0xff)] ^
      t[4 * 256 + (lo >>> 24)] ^ t[3 * 256 + bytes[i + 4]] ^ t[2 * 256 + bytes[i + 5]] ^ t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
    i += 8;
  }
  while (i < bytes.length) c = t[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
