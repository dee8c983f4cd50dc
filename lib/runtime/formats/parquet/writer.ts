/**
 * A minimal Parquet file writer: flat schema of OPTIONAL columns, PLAIN value encoding, RLE definition levels,
 * one v1 data page per column chunk, row groups bounded by rows and by buffered bytes, page compression GZIP,
 * SNAPPY or none. Output depends only on the rows written (no clocks, no randomness), so files are reproducible.
 *
 * Format reference: apache/parquet-format (parquet.thrift field ids and enum values used below).
 */
import { gzipSync } from 'node:zlib';
import { snappyCompress } from './snappy';
import { binary, encodeStruct, i32, i64, list, struct, ThriftStruct } from './thrift';

/** Physical types (parquet.thrift `Type`). */
const enum PhysicalType { BOOLEAN = 0, INT64 = 2, DOUBLE = 5, BYTE_ARRAY = 6 }
/** `FieldRepetitionType.OPTIONAL` */
const OPTIONAL = 1;
/** `ConvertedType.UTF8` */
const CONVERTED_UTF8 = 0;
/** `Encoding` */
const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
/** `PageType.DATA_PAGE` */
const DATA_PAGE = 0;

export type ParquetCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP';
const CODEC_IDS: Record<ParquetCodec, number> = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2 };

/** Logical column kinds this writer stores. `utf8` and `bytes` are both BYTE_ARRAY; `utf8` is annotated STRING. */
export type ParquetColumnKind = 'int64' | 'double' | 'boolean' | 'utf8' | 'bytes';

export interface ParquetColumnSpec {
  readonly name: string;
  readonly kind: ParquetColumnKind;
}

export interface ParquetWriterOptions {
  readonly codec?: ParquetCodec;
  /** zlib level for GZIP pages (default 6). */
  readonly gzipLevel?: number;
  /** Rows per row group at most (default 1,000,000). */
  readonly rowGroupRows?: number;
  /** Buffered (plain-encoded) bytes per row group at most (default 32 MiB). */
  readonly rowGroupBytes?: number;
  /** FileMetaData.created_by. */
  readonly createdBy?: string;
  /** Key/value pairs stored in the footer (FileMetaData.key_value_metadata). */
  readonly metadata?: Readonly<Record<string, string>>;
}

const MAGIC = Buffer.from('PAR1', 'ascii');
const TWO_POW_32 = 4294967296;

/** An append-only byte buffer that doubles as it grows. */
class GrowableBuffer {
  buf: Buffer;
  length = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

class ColumnBuffer {
  /** Definition level per row: 1 present, 0 null. */
  levels = new Uint8Array(1024);
  rows = 0;
  nulls = 0;
  readonly values = new GrowableBuffer();
  /** Booleans are bit-packed at flush time; until then one byte each. */
  readonly bools: GrowableBuffer | undefined;

  constructor(readonly spec: ParquetColumnSpec) {
    this.bools = spec.kind === 'boolean' ? new GrowableBuffer(1024) : undefined;
  }

  private level(present: boolean): void {
    if (this.rows === this.levels.length) {
      const next = new Uint8Array(this.levels.length * 2);
      next.set(this.levels);
      this.levels = next;
    }
    this.levels[this.rows++] = present ? 1 : 0;
    if (!present) this.nulls++;
  }

  /** Appends one value; returns the plain-encoded bytes it adds. */
  append(value: unknown): number {
    if (value === null || value === undefined) {
      this.level(false);
      return 1;
    }
    this.level(true);
    const v = this.values;
    switch (this.spec.kind) {
      case 'int64': {
        v.ensure(8);
        if (typeof value === 'bigint') {
          v.buf.writeBigInt64LE(BigInt.asIntN(64, value), v.length);
        } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
          const hi = Math.floor(value / TWO_POW_32);
          v.buf.writeUInt32LE(value - hi * TWO_POW_32, v.length);
          v.buf.writeInt32LE(hi, v.length + 4);
        } else {
          throw new Error(`Parquet column '${this.spec.name}' (INT64) cannot store ${typeof value} ${String(value)}`);
        }
        v.length += 8;
        return 9;
      }
      case 'double': {
        if (typeof value !== 'number') throw new Error(`Parquet column '${this.spec.name}' (DOUBLE) cannot store ${typeof value}`);
        v.ensure(8);
        v.buf.writeDoubleLE(value, v.length);
        v.length += 8;
        return 9;
      }
      case 'boolean': {
        if (typeof value !== 'boolean') throw new Error(`Parquet column '${this.spec.name}' (BOOLEAN) cannot store ${typeof value}`);
        const b = this.bools!;
        b.ensure(1);
        b.buf[b.length++] = value ? 1 : 0;
        return 2;
      }
      case 'utf8':
      case 'bytes': {
        if (typeof value === 'string') {
          const n = Buffer.byteLength(value, 'utf8');
          v.ensure(4 + n);
          v.buf.writeUInt32LE(n, v.length);
          v.buf.write(value, v.length + 4, n, 'utf8');
          v.length += 4 + n;
          return 5 + n;
        }
        if (Buffer.isBuffer(value)) {
          v.ensure(4 + value.length);
          v.buf.writeUInt32LE(value.length, v.length);
          value.copy(v.buf, v.length + 4);
          v.length += 4 + value.length;
          return 5 + value.length;
        }
        throw new Error(`Parquet column '${this.spec.name}' (BYTE_ARRAY) cannot store ${typeof value}`);
      }
    }
  }

  /** RLE/bit-packed hybrid encoding of the definition levels (bit width 1), as RLE runs only. */
  encodeLevels(): Buffer {
    const out = new GrowableBuffer(16 + (this.rows >> 3));
    const put = (b: number): void => {
      out.ensure(1);
      out.buf[out.length++] = b;
    };
    let i = 0;
    while (i < this.rows) {
      const value = this.levels[i];
      let j = i + 1;
      while (j < this.rows && this.levels[j] === value) j++;
      let header = (j - i) * 2; // run length << 1, low bit 0 = RLE run
      while (header >= 0x80) {
        put((header & 0x7f) | 0x80);
        header = Math.floor(header / 128);
      }
      put(header);
      put(value);
      i = j;
    }
    return out.bytes();
  }

  plainValues(): Buffer {
    if (!this.bools) return this.values.bytes();
    const n = this.bools.length;
    const packed = Buffer.alloc((n + 7) >> 3);
    for (let k = 0; k < n; k++) if (this.bools.buf[k]) packed[k >> 3] |= 1 << (k & 7);
    return packed;
  }

  reset(): void {
    this.rows = 0;
    this.nulls = 0;
    this.values.reset();
    this.bools?.reset();
  }
}

const PHYSICAL: Record<ParquetColumnKind, PhysicalType> = {
  int64: PhysicalType.INT64,
  double: PhysicalType.DOUBLE,
  boolean: PhysicalType.BOOLEAN,
  utf8: PhysicalType.BYTE_ARRAY,
  bytes: PhysicalType.BYTE_ARRAY,
};

/**
 * Writes one Parquet file. Call `start()` once, `appendRow()` per row (it returns the bytes of a completed row
 * group when the bounds are reached), and `finish()` for the last row group and the footer.
 */
export class ParquetFileWriter {
  private readonly columns: ColumnBuffer[];
  private readonly codec: ParquetCodec;
  private readonly gzipLevel: number;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private offset = 0;
  private bufferedRows = 0;
  private bufferedBytes = 0;
  private totalRows = 0;
  private uncompressedTotal = 0;
  private readonly rowGroups: ThriftStruct[] = [];

  constructor(readonly specs: readonly ParquetColumnSpec[], private readonly options: ParquetWriterOptions = {}) {
    if (specs.length === 0) throw new Error('A Parquet file needs at least one column');
    this.columns = specs.map((s) => new ColumnBuffer(s));
    this.codec = options.codec ?? 'GZIP';
    this.gzipLevel = options.gzipLevel ?? 6;
    this.maxRows = options.rowGroupRows ?? 1_000_000;
    this.maxBytes = options.rowGroupBytes ?? 32 * 1024 * 1024;
    if (!(this.maxRows >= 1) || !(this.maxBytes >= 1)) throw new Error('Parquet rowGroupRows and rowGroupBytes must be at least 1');
  }

  /** Bytes the file has when every page is counted uncompressed (for reporting). */
  get uncompressedSize(): number {
    return this.uncompressedTotal;
  }

  get rowCount(): number {
    return this.totalRows + this.bufferedRows;
  }

  /** The file's leading magic. */
  start(): Buffer {
    this.offset = MAGIC.length;
    this.uncompressedTotal = MAGIC.length;
    return MAGIC;
  }

  /**
   * Appends a row (values in column order). Returns `{ bytes, size }`: the plain-encoded size the row adds, and
   * the bytes of a row group flushed because this row filled it (or null).
   */
  appendRow(values: readonly unknown[]): { size: number; bytes: Buffer | null } {
    let size = 0;
    for (let c = 0; c < this.columns.length; c++) size += this.columns[c].append(values[c]);
    this.bufferedRows++;
    this.bufferedBytes += size;
    const full = this.bufferedRows >= this.maxRows || this.bufferedBytes >= this.maxBytes;
    return { size, bytes: full ? this.flushRowGroup() : null };
  }

  private compress(page: Buffer): Buffer {
    switch (this.codec) {
      case 'UNCOMPRESSED': return page;
      case 'GZIP': return gzipSync(page, { level: this.gzipLevel });
      case 'SNAPPY': return snappyCompress(page);
    }
  }

  private flushRowGroup(): Buffer | null {
    if (this.bufferedRows === 0) return null;
    const chunks: Buffer[] = [];
    const columnChunks: ThriftStruct[] = [];
    const groupOffset = this.offset;
    let groupUncompressed = 0;
    let groupCompressed = 0;
    for (const col of this.columns) {
      const levels = col.encodeLevels();
      const values = col.plainValues();
      const page = Buffer.allocUnsafe(4 + levels.length + values.length);
      page.writeUInt32LE(levels.length, 0);
      levels.copy(page, 4);
      values.copy(page, 4 + levels.length);
      const compressed = this.compress(page);
      const header = encodeStruct([
        [1, i32(DATA_PAGE)],
        [2, i32(page.length)],
        [3, i32(compressed.length)],
        [5, struct([
          [1, i32(col.rows)],
          [2, i32(ENCODING_PLAIN)],
          [3, i32(ENCODING_RLE)],
          [4, i32(ENCODING_RLE)],
        ])],
      ]);
      const pageOffset = this.offset;
      const chunkUncompressed = header.length + page.length;
      const chunkCompressed = header.length + compressed.length;
      chunks.push(header, compressed);
      this.offset += chunkCompressed;
      groupUncompressed += chunkUncompressed;
      groupCompressed += chunkCompressed;
      columnChunks.push([
        [2, i64(pageOffset)],
        [3, struct([
          [1, i32(PHYSICAL[col.spec.kind])],
          [2, list('i32', [ENCODING_PLAIN, ENCODING_RLE])],
          [3, list('binary', [col.spec.name])],
          [4, i32(CODEC_IDS[this.codec])],
          [5, i64(col.rows)],
          [6, i64(chunkUncompressed)],
          [7, i64(chunkCompressed)],
          [9, i64(pageOffset)],
          [12, struct([[3, i64(col.nulls)]])],
        ])],
      ]);
      col.reset();
    }
    this.rowGroups.push([
      [1, list('struct', columnChunks)],
      [2, i64(groupUncompressed)],
      [3, i64(this.bufferedRows)],
      [5, i64(groupOffset)],
      [6, i64(groupCompressed)],
      [7, { t: 'i32', v: this.rowGroups.length }],
    ]);
    this.uncompressedTotal += groupUncompressed;
    this.totalRows += this.bufferedRows;
    this.bufferedRows = 0;
    this.bufferedBytes = 0;
    return Buffer.concat(chunks, groupCompressed);
  }

  /** Flushes the last row group and returns it with the footer and trailing magic. */
  finish(): Buffer {
    const last = this.flushRowGroup();
    const schema: ThriftStruct[] = [
      [[4, binary('schema')], [5, i32(this.specs.length)]],
      ...this.specs.map((s): ThriftStruct => [
        [1, i32(PHYSICAL[s.kind])],
        [3, i32(OPTIONAL)],
        [4, binary(s.name)],
        [6, s.kind === 'utf8' ? i32(CONVERTED_UTF8) : undefined],
        [10, s.kind === 'utf8' ? struct([[1, struct([])]]) : undefined],
      ]),
    ];
    const kv = Object.entries(this.options.metadata ?? {}).map(([k, v]): ThriftStruct => [[1, binary(k)], [2, binary(v)]]);
    const footer = encodeStruct([
      [1, i32(1)],
      [2, list('struct', schema)],
      [3, i64(this.totalRows)],
      [4, list('struct', this.rowGroups)],
      [5, kv.length > 0 ? list('struct', kv) : undefined],
      [6, binary(this.options.createdBy ?? 'tablestore-oss-backup')],
    ]);
    const tail = Buffer.allocUnsafe(footer.length + 8);
    footer.copy(tail, 0);
    tail.writeUInt32LE(footer.length, footer.length);
    MAGIC.copy(tail, footer.length + 4);
    this.uncompressedTotal += tail.length;
    this.offset += tail.length;
    return last ? Buffer.concat([last, tail]) : tail;
  }
}
