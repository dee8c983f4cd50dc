/**
 * Parquet files of layout rows, written with `hyparquet-writer`. Column types map to Parquet as: string ->
 * BYTE_ARRAY (STRING), int64 -> INT64, double -> DOUBLE, boolean -> BOOLEAN, binary -> BYTE_ARRAY, variant (cell
 * mode's column_value) -> BYTE_ARRAY (STRING) holding the value's CSV text form (integers in decimal, doubles as
 * Java prints them, binaries base64). Every column is OPTIONAL, dictionary-encoded where that pays, with min/max
 * statistics and column and offset indexes. Compression is per page (the file is never gzipped as a whole).
 *
 * Rows are buffered column by column and handed to the library one row group at a time, whose bytes the encoder
 * returns at once: memory is bounded by a row group. Output is a pure function of the rows (no clock).
 */
import { gzipSync } from 'node:zlib';
import type { ByteWriter, ColumnSource, ParquetWriter, SchemaElement } from 'hyparquet-writer';
import type { StreamRecord } from '../reader/types';
import type { EncodeResult, RecordEncoder } from './encoder';
import type { FieldType, FieldValue, OutputLayout } from './layout';
import { javaDoubleText } from './text';

export type ParquetCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP';

export interface ParquetEncoderOptions {
  /** Page compression. @default 'GZIP' */
  readonly codec?: ParquetCodec;
  /** zlib level of GZIP pages. @default 6 */
  readonly gzipLevel?: number;
  /** Rows per row group at most (row groups are buffered as JS values: this bounds memory). @default 32,768 */
  readonly rowGroupRows?: number;
  /** Plain-encoded bytes buffered per row group at most. @default 4 MiB */
  readonly rowGroupBytes?: number;
  /** Target uncompressed page size; a column chunk of several pages gets column and offset indexes. @default 1 MiB */
  readonly pageSize?: number;
  /** FileMetaData.created_by. @default 'otsbk-sync' */
  readonly createdBy?: string;
  /** Key/value pairs stored in the footer. @default none */
  readonly metadata?: Readonly<Record<string, string>>;
}

const PHYSICAL: Record<FieldType, Pick<SchemaElement, 'type' | 'converted_type'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int64: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  binary: { type: 'BYTE_ARRAY' },
  variant: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
};

function variantText(v: FieldValue): string | null {
  switch (typeof v) {
    case 'string': return v;
    case 'bigint': return v.toString();
    case 'number': return javaDoubleText(v);
    case 'boolean': return v ? 'true' : 'false';
    default: return v === null ? null : v.toString('base64');
  }
}

type ColumnValue = string | bigint | number | boolean | Uint8Array | null;

/** Converts one value for its column, checking its type; returns the value and its plain-encoded size. */
function columnValue(name: string, type: FieldType, v: FieldValue): [ColumnValue, number] {
  if (v === null || v === undefined) return [null, 1];
  switch (type) {
    case 'int64':
      if (typeof v === 'bigint') return [BigInt.asIntN(64, v), 9];
      if (typeof v === 'number' && Number.isSafeInteger(v)) return [BigInt(v), 9];
      throw new Error(`Parquet column '${name}' (INT64) cannot store ${typeof v} ${String(v)}`);
    case 'double':
      if (typeof v === 'number') return [v, 9];
      throw new Error(`Parquet column '${name}' (DOUBLE) cannot store ${typeof v}`);
    case 'boolean':
      if (typeof v === 'boolean') return [v, 2];
      throw new Error(`Parquet column '${name}' (BOOLEAN) cannot store ${typeof v}`);
    case 'variant': {
      const text = variantText(v)!;
      return [text, 5 + Buffer.byteLength(text, 'utf8')];
    }
    case 'string':
    case 'binary':
      if (typeof v === 'string') return [v, 5 + Buffer.byteLength(v, 'utf8')];
      if (Buffer.isBuffer(v)) return [type === 'string' ? v.toString('utf8') : new Uint8Array(v), 5 + v.length];
      throw new Error(`Parquet column '${name}' (BYTE_ARRAY) cannot store ${typeof v}`);
  }
}

/** The bytes a ByteWriter holds, taken out after each row group (and the header and footer). */
function drain(writer: ByteWriter): Buffer | null {
  if (writer.index === 0) return null;
  const out = Buffer.from(writer.buffer.slice(0, writer.index));
  writer.index = 0;
  return out;
}

/** hyparquet-writer, loaded by the first Parquet encoder: CSV and JSON Lines runs do not load it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hyparquetWriter = (): typeof import('hyparquet-writer') => require('hyparquet-writer');

export class ParquetEncoder implements RecordEncoder {
  readonly format = 'parquet' as const;
  readonly extension = 'parquet';
  readonly contentType = 'application/vnd.apache.parquet';
  readonly columns;
  private out: ByteWriter | undefined;
  private writer: ParquetWriter | undefined;
  private readonly schema: SchemaElement[];
  private readonly row: FieldValue[];
  private readonly emit: () => void;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private buffered: ColumnValue[][];
  private bufferedRows = 0;
  private bufferedBytes = 0;
  private pending: Buffer[] = [];
  private size = 0;

  constructor(private readonly layout: OutputLayout, private readonly options: ParquetEncoderOptions = {}) {
    this.columns = layout.columns;
    this.maxRows = options.rowGroupRows ?? 32_768;
    this.maxBytes = options.rowGroupBytes ?? 4 * 1024 * 1024;
    if (!(Number.isInteger(this.maxRows) && this.maxRows > 0)) throw new Error(`rowGroupRows must be a positive integer, got ${this.maxRows}`);
    const level = options.gzipLevel ?? 6;
    if (!(Number.isInteger(level) && level >= 0 && level <= 9)) throw new Error(`gzipLevel must be an integer from 0 to 9, got ${level}`);
    if (layout.columns.length === 0) throw new Error('A Parquet file needs at least one column');
    this.schema = [
      { name: 'schema', num_children: layout.columns.length },
      ...layout.columns.map((c): SchemaElement => ({ name: c.name, repetition_type: 'OPTIONAL', ...PHYSICAL[c.type] })),
    ];
    this.row = new Array<FieldValue>(layout.columns.length).fill(null);
    this.buffered = layout.columns.map(() => []);
    const cols = layout.columns;
    this.emit = () => {
      let bytes = 0;
      for (let i = 0; i < cols.length; i++) {
        const [value, size] = columnValue(cols[i].name, cols[i].type, this.row[i]);
        this.buffered[i].push(value);
        bytes += size;
      }
      this.bufferedRows++;
      this.bufferedBytes += bytes;
      this.size += bytes;
      if (this.bufferedRows >= this.maxRows || this.bufferedBytes >= this.maxBytes) this.flushRowGroup();
    };
  }

  /** Uncompressed size of the file finished last (pages counted before compression). */
  get uncompressedSize(): number {
    return Number((this.writer?.row_groups ?? []).reduce((n, g) => n + g.total_byte_size, 0n));
  }

  begin(): Buffer | null {
    const level = this.options.gzipLevel ?? 6;
    const { ByteWriter, ParquetWriter } = hyparquetWriter();
    this.out = new ByteWriter();
    this.writer = new ParquetWriter({
      writer: this.out,
      schema: this.schema,
      codec: this.options.codec ?? 'GZIP',
      compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input, { level })) },
      statistics: true,
      createdBy: this.options.createdBy ?? 'otsbk-sync',
      ...(this.options.metadata ? { kvMetadata: Object.entries(this.options.metadata).map(([key, value]) => ({ key, value })) } : {}),
    });
    this.buffered = this.layout.columns.map(() => []);
    this.bufferedRows = 0;
    this.bufferedBytes = 0;
    return drain(this.out);
  }

  encode(records: readonly StreamRecord[], start: number, end: number, sizeBudget: number): EncodeResult {
    if (!this.writer) throw new Error('ParquetEncoder.encode called before begin()');
    this.size = 0;
    let rows = 0;
    let i = start;
    while (i < end) {
      rows += this.layout.rowsOf(records[i], this.row, this.emit);
      i++;
      if (this.size >= sizeBudget) break;
    }
    const bytes = this.pending.length === 0 ? null : this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    return { records: i - start, rows, bytes, size: this.size };
  }

  finish(): Buffer | null {
    if (!this.writer || !this.out) throw new Error('ParquetEncoder.finish called before begin()');
    this.flushRowGroup();
    void this.writer.finish();
    const tail = drain(this.out);
    const all = tail ? [...this.pending, tail] : this.pending;
    this.pending = [];
    return all.length === 0 ? null : Buffer.concat(all);
  }

  private flushRowGroup(): void {
    if (this.bufferedRows === 0) return;
    const columnData: ColumnSource[] = this.layout.columns.map((c, i) => ({
      name: c.name, data: this.buffered[i] as ColumnSource['data'], columnIndex: true, offsetIndex: true,
    }));
    void this.writer!.write({ columnData, rowGroupSize: this.bufferedRows, ...(this.options.pageSize ? { pageSize: this.options.pageSize } : {}) });
    const bytes = drain(this.out!);
    if (bytes) this.pending.push(bytes);
    this.buffered = this.layout.columns.map(() => []);
    this.bufferedRows = 0;
    this.bufferedBytes = 0;
  }
}
