/**
 * Parquet files of layout rows. Column types map to Parquet as: string -> BYTE_ARRAY (STRING), int64 -> INT64,
 * double -> DOUBLE, boolean -> BOOLEAN, binary -> BYTE_ARRAY, variant (cell mode's column_value) -> BYTE_ARRAY
 * (STRING) holding the value's CSV text form (integers in decimal, doubles as Java prints them, binaries base64).
 * Every column is OPTIONAL. Compression is applied per page (the file itself is never gzipped as a whole).
 */
import type { StreamRecord } from '../reader/types';
import type { EncodeResult, RecordEncoder } from './encoder';
import type { FieldType, FieldValue, OutputLayout } from './layout';
import { ParquetColumnKind, ParquetFileWriter, ParquetWriterOptions } from './parquet/writer';
import { javaDoubleText } from './text';

const KINDS: Record<FieldType, ParquetColumnKind> = {
  string: 'utf8',
  int64: 'int64',
  double: 'double',
  boolean: 'boolean',
  binary: 'bytes',
  variant: 'utf8',
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

export type ParquetEncoderOptions = Omit<ParquetWriterOptions, 'createdBy'> & { readonly createdBy?: string };

export class ParquetEncoder implements RecordEncoder {
  readonly format = 'parquet' as const;
  readonly extension = 'parquet';
  readonly contentType = 'application/vnd.apache.parquet';
  readonly columns;
  private writer: ParquetFileWriter | undefined;
  private readonly row: FieldValue[];
  private readonly variantSlots: number[];
  private readonly emit: () => void;
  private pending: Buffer[] = [];
  private size = 0;

  constructor(private readonly layout: OutputLayout, private readonly options: ParquetEncoderOptions = {}) {
    this.columns = layout.columns;
    this.row = new Array<FieldValue>(layout.columns.length).fill(null);
    this.variantSlots = layout.columns.flatMap((c, i) => (c.type === 'variant' ? [i] : []));
    this.emit = () => {
      for (const i of this.variantSlots) this.row[i] = variantText(this.row[i]);
      const { size, bytes } = this.writer!.appendRow(this.row);
      this.size += size;
      if (bytes) this.pending.push(bytes);
    };
  }

  /** Uncompressed size of the file finished last (pages counted before compression). */
  get uncompressedSize(): number {
    return this.writer?.uncompressedSize ?? 0;
  }

  begin(): Buffer | null {
    this.writer = new ParquetFileWriter(
      this.layout.columns.map((c) => ({ name: c.name, kind: KINDS[c.type] })),
      this.options,
    );
    return this.writer.start();
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
    if (!this.writer) throw new Error('ParquetEncoder.finish called before begin()');
    return this.writer.finish();
  }
}
