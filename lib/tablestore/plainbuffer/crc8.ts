/**
 * CRC-8 (polynomial x^8 + x^2 + x + 1, init 0, no reflection) as PlainBuffer uses it
 * for cell and row checksums.
 */
const TABLE = buildTable();
/**
 * Slicing by 8: SLICES[k * 256 + x] is TABLE applied k + 1 times to x, so that (the CRC being linear) eight bytes
 * take eight independent lookups instead of a chain of eight dependent ones.
 */
const SLICES = buildSlices();

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

function buildSlices(): Uint8Array {
  const slices = new Uint8Array(8 * 256);
  slices.set(TABLE);
  for (let k = 1; k < 8; k++) {
    for (let x = 0; x < 256; x++) slices[k * 256 + x] = TABLE[slices[(k - 1) * 256 + x]];
  }
  return slices;
}

export function crc8Byte(crc: number, byte: number): number {
  return TABLE[(crc ^ byte) & 0xff];
}

/** CRC over buf[start, end). */
export function crc8Range(crc: number, buf: Uint8Array, start: number, end: number): number {
  const s = SLICES;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    crc = s[1792 + (crc ^ buf[i])] ^ s[1536 + buf[i + 1]] ^ s[1280 + buf[i + 2]] ^ s[1024 + buf[i + 3]]
      ^ s[768 + buf[i + 4]] ^ s[512 + buf[i + 5]] ^ s[256 + buf[i + 6]] ^ s[buf[i + 7]];
  }
  for (; i < end; i++) crc = TABLE[crc ^ buf[i]];
  return crc;
}

/** CRC of a 32-bit value, little-endian byte order. */
export function crc8Uint32(crc: number, value: number): number {
  crc = TABLE[crc ^ (value & 0xff)];
  crc = TABLE[crc ^ ((value >>> 8) & 0xff)];
  crc = TABLE[crc ^ ((value >>> 16) & 0xff)];
  return TABLE[crc ^ ((value >>> 24) & 0xff)];
}
