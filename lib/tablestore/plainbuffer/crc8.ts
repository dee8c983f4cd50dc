/**
 * CRC-8 (polynomial x^8 + x^2 + x + 1, init 0, no reflection) as PlainBuffer uses it
 * for cell and row checksums.
 */
const TABLE = buildTable();

function buildTable(): Uint8Array {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    }
    table[i] = crc;
  }
  return table;
}

export function crc8Byte(crc: number, byte: number): number {
  return TABLE[(crc ^ byte) & 0xff];
}

/** CRC over buf[start, end). */
export function crc8Range(crc: number, buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) crc = TABLE[crc ^ buf[i]];
  return crc;
}

/** CRC of a 32-bit value, little-endian byte order. */
export function crc8Uint32(crc: number, value: number): number {
  crc = TABLE[crc ^ (value & 0xff)];
  crc = TABLE[crc ^ ((value >>> 8) & 0xff)];
  crc = TABLE[crc ^ ((value >>> 16) & 0xff)];
  return TABLE[crc ^ ((value >>> 24) & 0xff)];
}
