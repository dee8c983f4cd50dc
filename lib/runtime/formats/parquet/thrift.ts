/**
 * Thrift compact protocol, write side only, for Parquet's page headers and file metadata.
 *
 * Structures are described as ordered field lists; a field whose value is undefined is omitted (Thrift
 * `optional`). Field ids must ascend within a struct, as Parquet's IDL numbers them.
 */

const enum CompactType {
  BOOLEAN_TRUE = 1,
  BOOLEAN_FALSE = 2,
  I32 = 5,
  I64 = 6,
  BINARY = 8,
  LIST = 9,
  STRUCT = 12,
}

export type ThriftValue =
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'i32'; readonly v: number }
  | { readonly t: 'i64'; readonly v: number | bigint }
  | { readonly t: 'binary'; readonly v: Buffer | string }
  | { readonly t: 'struct'; readonly v: ThriftStruct }
  | { readonly t: 'list'; readonly elem: 'i32' | 'binary' | 'struct'; readonly v: readonly (number | string | Buffer | ThriftStruct)[] };

/** [field id, value] pairs in ascending id order; undefined values are skipped. */
export type ThriftStruct = ReadonlyArray<readonly [number, ThriftValue | undefined]>;

export const i32 = (v: number): ThriftValue => ({ t: 'i32', v });
export const i64 = (v: number | bigint): ThriftValue => ({ t: 'i64', v });
export const bool = (v: boolean): ThriftValue => ({ t: 'bool', v });
export const binary = (v: Buffer | string): ThriftValue => ({ t: 'binary', v });
export const struct = (v: ThriftStruct): ThriftValue => ({ t: 'struct', v });
export const list = (elem: 'i32' | 'binary' | 'struct', v: readonly (number | string | Buffer | ThriftStruct)[]): ThriftValue => ({ t: 'list', elem, v });

class ByteWriter {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b & 0xff;
  }

  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
  }

  /** Unsigned LEB128 of a non-negative bigint. */
  varint(v: bigint): void {
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  /** Zigzag varint, as compact protocol encodes i16/i32/i64. */
  zigzag(v: bigint): void {
    this.varint(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

const ELEM_TYPE = { i32: CompactType.I32, binary: CompactType.BINARY, struct: CompactType.STRUCT } as const;

function typeOf(value: ThriftValue): number {
  switch (value.t) {
    case 'bool': return value.v ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE;
    case 'i32': return CompactType.I32;
    case 'i64': return CompactType.I64;
    case 'binary': return CompactType.BINARY;
    case 'struct': return CompactType.STRUCT;
    case 'list': return CompactType.LIST;
  }
}

function writeBinary(w: ByteWriter, v: Buffer | string): void {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  w.varint(BigInt(b.length));
  w.bytes(b);
}

function writeStruct(w: ByteWriter, fields: ThriftStruct): void {
  let lastId = 0;
  for (const [id, value] of fields) {
    if (value === undefined) continue;
    if (id <= lastId) throw new Error(`Thrift field ids must ascend: ${id} after ${lastId}`);
    const type = typeOf(value);
    const delta = id - lastId;
    if (delta <= 15) {
      w.byte((delta << 4) | type);
    } else {
      w.byte(type);
      w.zigzag(BigInt(id));
    }
    lastId = id;
    writeValue(w, value);
  }
  w.byte(0); // STOP
}

function writeValue(w: ByteWriter, value: ThriftValue): void {
  switch (value.t) {
    case 'bool':
      return; // carried in the field header's type nibble
    case 'i32':
      if (!Number.isInteger(value.v) || value.v < -0x80000000 || value.v > 0x7fffffff) throw new Error(`Thrift i32 out of range: ${value.v}`);
      w.zigzag(BigInt(value.v));
      return;
    case 'i64':
      w.zigzag(BigInt(value.v));
      return;
    case 'binary':
      writeBinary(w, value.v);
      return;
    case 'struct':
      writeStruct(w, value.v);
      return;
    case 'list': {
      const n = value.v.length;
      const elem = ELEM_TYPE[value.elem];
      if (n < 15) {
        w.byte((n << 4) | elem);
      } else {
        w.byte(0xf0 | elem);
        w.varint(BigInt(n));
      }
      for (const item of value.v) {
        if (value.elem === 'i32') w.zigzag(BigInt(item as number));
        else if (value.elem === 'binary') writeBinary(w, item as string | Buffer);
        else writeStruct(w, item as ThriftStruct);
      }
      return;
    }
  }
}

/** Serializes a struct (e.g. a Parquet PageHeader or FileMetaData). */
export function encodeStruct(fields: ThriftStruct): Buffer {
  const w = new ByteWriter();
  writeStruct(w, fields);
  return w.result();
}
