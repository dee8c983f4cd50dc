/**
 * CRC-64/XZ (ECMA-182 polynomial, reflected, all-ones init and final xor): the checksum OSS reports in
 * `x-oss-hash-crc64ecma` as an unsigned decimal string.
 *
 * JavaScript has no fast 64-bit integers, so the state is two uint32 halves and the table is split the
 * same way. Slicing-by-8 (eight tables, eight bytes per step) keeps it at several hundred MB/s.
 */

const POLY_LO = 0xd7870f42;
const POLY_HI = 0xc96c5795;
const SLICES = 8;

/** TABLE_LO[k * 256 + b] / TABLE_HI[...]: CRC of byte b followed by k zero bytes. */
const TABLE_LO = new Uint32Array(256 * SLICES);
const TABLE_HI = new Uint32Array(256 * SLICES);

(function buildTables(): void {
  for (let b = 0; b < 256; b++) {
    let lo = b;
    let hi = 0;
    for (let i = 0; i < 8; i++) {
      const lsb = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (lsb) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    TABLE_LO[b] = lo;
    TABLE_HI[b] = hi;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let b = 0; b < 256; b++) {
      const prevLo = TABLE_LO[(k - 1) * 256 + b];
      const prevHi = TABLE_HI[(k - 1) * 256 + b];
      const idx = prevLo & 0xff;
      TABLE_LO[k * 256 + b] = (((prevLo >>> 8) | (prevHi << 24)) ^ TABLE_LO[idx]) >>> 0;
      TABLE_HI[k * 256 + b] = ((prevHi >>> 8) ^ TABLE_HI[idx]) >>> 0;
    }
  }
})();

/** Incremental CRC-64/XZ. */
export class Crc64 {
  private lo = 0xffffffff;
  private hi = 0xffffffff;

  update(data: Uint8Array): this {
    let lo = this.lo;
    let hi = this.hi;
    const n = data.length;
    let i = 0;
    const end8 = n - (n % 8);
    const T = TABLE_LO;
    const H = TABLE_HI;
    for (; i < end8; i += 8) {
      const a = lo ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
      const b = hi ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24));
      const i7 = 7 * 256 + (a & 0xff);
      const i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff);
      const i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff);
      const i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = T[i7] ^ T[i6] ^ T[i5] ^ T[i4] ^ T[i3] ^ T[i2] ^ T[i1] ^ T[i0];
      hi = H[i7] ^ H[i6] ^ H[i5] ^ H[i4] ^ H[i3] ^ H[i2] ^ H[i1] ^ H[i0];
    }
    for (; i < n; i++) {
      const idx = (lo ^ data[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ T[idx];
      hi = (hi >>> 8) ^ H[idx];
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The checksum as OSS prints it: unsigned 64-bit decimal. */
  digest(): string {
    return this.value().toString();
  }

  value(): bigint {
    return (BigInt((this.hi ^ 0xffffffff) >>> 0) << 32n) | BigInt((this.lo ^ 0xffffffff) >>> 0);
  }
}

/** CRC-64/XZ of one or more buffers taken in order, as an unsigned decimal string. */
export function crc64(...chunks: readonly Uint8Array[]): string {
  const c = new Crc64();
  for (const chunk of chunks) c.update(chunk);
  return c.digest();
}

const MASK64 = (1n << 64n) - 1n;
const POLY_REFLECTED = (BigInt(POLY_HI) << 32n) | BigInt(POLY_LO);

function gf2Times(mat: readonly bigint[], vec: bigint): bigint {
  let sum = 0n;
  for (let i = 0; vec !== 0n; i++, vec >>= 1n) {
    if (vec & 1n) sum ^= mat[i];
  }
  return sum;
}

function gf2Square(mat: readonly bigint[]): bigint[] {
  const out = new Array<bigint>(64);
  for (let n = 0; n < 64; n++) out[n] = gf2Times(mat, mat[n]);
  return out;
}

/**
 * ZERO_BYTES[k]: the GF(2) matrix that advances a CRC over 2^k zero bytes. They depend on nothing but k, so each is
 * squared once per process, from the previous one, when a length first needs it.
 */
const ZERO_BYTES: bigint[][] = [];

function zeroBytesOperator(k: number): readonly bigint[] {
  if (ZERO_BYTES.length === 0) {
    const oneBit = new Array<bigint>(64); // one zero bit
    oneBit[0] = POLY_REFLECTED;
    let row = 1n;
    for (let n = 1; n < 64; n++) {
      oneBit[n] = row;
      row <<= 1n;
    }
    ZERO_BYTES.push(gf2Square(gf2Square(gf2Square(oneBit)))); // 8 zero bits
  }
  while (ZERO_BYTES.length <= k) ZERO_BYTES.push(gf2Square(ZERO_BYTES[ZERO_BYTES.length - 1]));
  return ZERO_BYTES[k];
}

/**
 * CRC of A‖B from crc(A), crc(B) and B's length (zlib's crc32_combine, widened to 64 bits): crc(A) advanced over
 * lengthB zero bytes, xor crc(B). Lets a multipart object's checksum be derived from its parts' without reading the
 * bytes again.
 */
export function crc64Combine(crcA: string | bigint, crcB: string | bigint, lengthB: number): string {
  let crc1 = BigInt(crcA);
  const crc2 = BigInt(crcB);
  if (lengthB <= 0) return crc1.toString();
  for (let k = 0, len = BigInt(lengthB); len !== 0n; k++, len >>= 1n) {
    if (len & 1n) crc1 = gf2Times(zeroBytesOperator(k), crc1);
  }
  return ((crc1 ^ crc2) & MASK64).toString();
}
