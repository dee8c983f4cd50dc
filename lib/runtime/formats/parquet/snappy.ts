/**
 * Snappy raw-format compressor (github.com/google/snappy format_description.txt): greedy matching over 64 KiB
 * blocks with a 4-byte hash table. Not as tight as the reference implementation, but valid, deterministic and
 * fast enough for Parquet pages.
 */

const BLOCK = 65536;
const HASH_BITS = 14;

export function snappyCompress(input: Buffer): Buffer {
  const n = input.length;
  const out = Buffer.allocUnsafe(32 + n + Math.ceil(n / 6));
  let o = 0;

  // Preamble: uncompressed length as a varint.
  let len = n;
  while (len >= 0x80) {
    out[o++] = (len & 0x7f) | 0x80;
    len = Math.floor(len / 128);
  }
  out[o++] = len;

  const emitLiteral = (from: number, to: number): void => {
    const count = to - from;
    if (count === 0) return;
    const m = count - 1;
    if (m < 60) {
      out[o++] = m << 2;
    } else if (m < 0x100) {
      out[o++] = 60 << 2;
      out[o++] = m;
    } else if (m < 0x10000) {
      out[o++] = 61 << 2;
      out[o++] = m & 0xff;
      out[o++] = m >>> 8;
    } else if (m < 0x1000000) {
      out[o++] = 62 << 2;
      out[o++] = m & 0xff;
      out[o++] = (m >>> 8) & 0xff;
      out[o++] = m >>> 16;
    } else {
      out[o++] = 63 << 2;
      out.writeUInt32LE(m, o);
      o += 4;
    }
    input.copy(out, o, from, to);
    o += count;
  };

  const emitCopy2 = (offset: number, length: number): void => {
    out[o++] = ((length - 1) << 2) | 2;
    out[o++] = offset & 0xff;
    out[o++] = offset >>> 8;
  };

  const emitCopy = (offset: number, length: number): void => {
    while (length >= 68) {
      emitCopy2(offset, 64);
      length -= 64;
    }
    if (length > 64) {
      emitCopy2(offset, 60);
      length -= 60;
    }
    if (length < 12 && offset < 2048) {
      out[o++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | 1;
      out[o++] = offset & 0xff;
    } else {
      emitCopy2(offset, length);
    }
  };

  const table = new Int32Array(1 << HASH_BITS);
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(start + BLOCK, n);
    table.fill(-1);
    let literalFrom = start;
    let i = start;
    while (i + 4 <= end) {
      const v = input.readUInt32LE(i);
      const h = Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
      const candidate = table[h];
      table[h] = i;
      if (candidate >= 0 && input.readUInt32LE(candidate) === v) {
        let length = 4;
        while (i + length < end && input[candidate + length] === input[i + length]) length++;
        emitLiteral(literalFrom, i);
        emitCopy(i - candidate, length);
        i += length;
        literalFrom = i;
      } else {
        i++;
      }
    }
    emitLiteral(literalFrom, end);
  }
  return out.subarray(0, o);
}
