/**
 * CSV as the Data Integration OSS writer (`fileFormat: csv`) writes it: DataX's CsvWriter with `"` as text
 * qualifier, doubled quotes as escape, `\n` record delimiter, the configured field delimiter, and nulls printed
 * as `nullFormat` (which then follows the same quoting rules). A value whose text is the null text is quoted (`""` for
 * an empty string when nulls are empty), so that a restore can tell it from a null; DataX writes both alike.
 *
 * A field is quoted when it contains the qualifier, the delimiter, CR or LF, when it is the first field of a line
 * and is empty or starts with `#` (CsvWriter's comment character), or when it starts or ends with a space or tab.
 * That is CsvWriter's behaviour with `preserveSpaces`; DataX calls it without, which trims every field. Trimming
 * loses data in a backup, so values are kept verbatim and quoted instead. CsvWriter leaves a lone CR unquoted
 * when a custom record delimiter is set; it is quoted here so that RFC 4180 readers see one line per row.
 */
import { decodeUtf8, readInt64 } from '../../tablestore/plainbuffer/decode';
import { VT_BLOB, VT_BOOLEAN, VT_DOUBLE, VT_INTEGER, VT_STRING } from '../../tablestore/plainbuffer/constants';
import type { StreamRecord } from '../reader/types';
import type { EncodeResult, RecordEncoder } from './encoder';
import { BytesRow, FIELD_NULL, FieldValue, OutputLayout } from './layout';
import { BinaryTextEncoding, binaryText, javaDoubleText } from './text';
import { encodeLines, isWellFormedUtf8, LineRows, TextBuffer } from './text-buffer';

export interface CsvOptions {
  /** One character (DataX reads the first character of `fieldDelimiter`). Default `,`. */
  readonly fieldDelimiter?: string;
  /** Text written for null values. Default `\N`. */
  readonly nullFormat?: string;
  /** Write the column names as the first line (DataX `writeHeader`). Default false. */
  readonly header?: boolean;
  /** Default base64 (lossless); `utf8` matches DataX without `byteEncoding`. */
  readonly binaryEncoding?: BinaryTextEncoding;
}

/**
 * Decimal text of an integral number. Above 2^31 V8 formats numbers through its double printer; splitting off
 * the low nine digits keeps both halves on the small-integer fast path (about twice as fast for µs/ms times).
 */
function integerText(v: number): string {
  if (v < 2147483648 && v > -2147483648) return String(v);
  if (v < 0 || v > Number.MAX_SAFE_INTEGER) return String(v);
  const hi = Math.floor(v / 1e9);
  const lo = String(v - hi * 1e9);
  return String(hi) + '000000000'.slice(lo.length) + lo;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

export class CsvEncoder implements RecordEncoder {
  readonly format = 'csv' as const;
  readonly extension = 'csv';
  readonly contentType = 'text/csv; charset=utf-8';
  readonly columns;
  private readonly delimiter: string;
  private readonly nullFormat: string;
  private readonly header: boolean;
  private readonly binary: BinaryTextEncoding;
  private readonly needsQuote: RegExp;
  /** Whether numbers and booleans can never need quoting (their text cannot contain the delimiter). */
  private readonly scalarsSafe: boolean;
  private readonly lines: LineRows;
  /** The delimiter's UTF-8 bytes, and the byte itself when it is ASCII (else -1). */
  private readonly delimiterBytes: Buffer;
  private readonly delimiterByte: number;
  /** Per column, the bytes of a null. */
  private readonly nullBytes: readonly Buffer[];
  private readonly nullFormatBytes: Buffer;
  private readonly int64Columns: readonly boolean[];
  private readonly lastValue: Array<FieldValue | undefined>;
  private readonly lastText: string[];
  private readonly out = new TextBuffer();

  constructor(private readonly layout: OutputLayout, options: CsvOptions = {}) {
    const delimiter = options.fieldDelimiter ?? ',';
    if ([...delimiter].length !== 1) {
      throw new Error(`CSV fieldDelimiter must be exactly one character, got ${JSON.stringify(delimiter)}`);
    }
    if (delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new Error(`CSV fieldDelimiter ${JSON.stringify(delimiter)} collides with the quote character or a line break`);
    }
    this.delimiter = delimiter;
    this.nullFormat = options.nullFormat ?? '\\N';
    this.header = options.header ?? false;
    this.binary = options.binaryEncoding ?? 'base64';
    this.columns = layout.columns;
    this.needsQuote = new RegExp(`["\\r\\n${escapeRegExp(delimiter)}]|^[ \\t]|[ \\t]$`);
    this.scalarsSafe = !/[0-9A-Za-z.+-]/.test(delimiter);
    this.delimiterBytes = Buffer.from(delimiter, 'utf8');
    this.delimiterByte = this.delimiterBytes.length === 1 ? this.delimiterBytes[0] : -1;
    this.nullBytes = layout.columns.map((_, i) => Buffer.from(this.field(this.nullFormat, i === 0), 'utf8'));
    this.nullFormatBytes = Buffer.from(this.nullFormat, 'utf8');
    this.int64Columns = layout.columns.map((c) => c.type === 'int64');
    this.lastValue = layout.columns.map(() => undefined);
    this.lastText = layout.columns.map(() => '');
    const row = new Array<FieldValue>(layout.columns.length).fill(null);
    const bytesRow = new BytesRow(layout.columns.length);
    this.lines = { row, emit: () => this.writeRow(row), bytesRow, emitBytes: () => this.writeBytesRow(bytesRow) };
  }

  private field(text: string, first: boolean): string {
    const quote = (first && (text.length === 0 || text.charCodeAt(0) === 35 /* # */)) || this.needsQuote.test(text);
    return quote ? quoted(text) : text;
  }

  /** A string or binary value's field: quoted when it would otherwise read as a null. */
  private valueField(text: string, first: boolean): string {
    return text === this.nullFormat ? quoted(text) : this.field(text, first);
  }

  /**
   * Text of one cell. Consecutive rows repeat many values (a record's key on each of its cell rows, its write
   * timestamp, op types), so the last value and text of each column are kept and reused.
   */
  private cellText(v: FieldValue, i: number): string {
    if (v === this.lastValue[i]) return this.lastText[i];
    const text = this.formatCell(v, i);
    this.lastValue[i] = v;
    this.lastText[i] = text;
    return text;
  }

  private formatCell(v: FieldValue, i: number): string {
    switch (typeof v) {
      case 'string':
        return this.valueField(v, i === 0);
      case 'bigint':
        return this.scalarsSafe ? v.toString() : this.field(v.toString(), i === 0);
      case 'number': {
        // int64 columns carry integral numbers (timestamps); doubles print as Java does.
        const text = this.int64Columns[i] && Number.isInteger(v) ? integerText(v) : javaDoubleText(v);
        return this.scalarsSafe ? text : this.field(text, i === 0);
      }
      case 'boolean':
        return this.scalarsSafe ? (v ? 'true' : 'false') : this.field(v ? 'true' : 'false', i === 0);
      default:
        return v === null ? this.field(this.nullFormat, i === 0) : this.valueField(binaryText(v, this.binary), i === 0);
    }
  }

  private writeRow(row: readonly FieldValue[]): void {
    // One string and one native write per line: measured cheaper than a write per field.
    let line = this.cellText(row[0], 0);
    for (let i = 1; i < row.length; i++) line += this.delimiter + this.cellText(row[i], i);
    this.out.text(line + '\n');
  }

  /**
   * Whether the string bytes buf[start, end) are written as they are: well-formed UTF-8 (what decoding and
   * encoding again would give) that needs no quotes and is not the null text. Anything else goes through `valueField`.
   */
  private plainBytes(buf: Buffer, start: number, end: number, first: boolean): boolean {
    const nul = this.nullFormatBytes;
    if (end - start === nul.length && buf.compare(nul, 0, nul.length, start, end) === 0) return false;
    if (start === end) return !first;
    const b0 = buf[start];
    const last = buf[end - 1];
    if (b0 === 32 || b0 === 9 || last === 32 || last === 9 || (first && b0 === 35)) return false;
    const d = this.delimiterByte;
    let ascii = true;
    for (let k = start; k < end; k++) {
      const b = buf[k];
      if (b === 34 || b === 10 || b === 13 || b === d) return false;
      if (b >= 0x80) ascii = false;
    }
    // A delimiter beyond ASCII could hide in the non-ASCII bytes: `field` decides then.
    return ascii || (d >= 0 && isWellFormedUtf8(buf, start, end));
  }

  /** writeRow for a row of byte ranges: bytes copied or printed where that gives the same text, `cellText` else. */
  private writeBytesRow(row: BytesRow): void {
    const out = this.out;
    const { types, starts, ends, buf } = row;
    for (let i = 0; i < types.length; i++) {
      if (i > 0) {
        if (this.delimiterByte >= 0) out.byte(this.delimiterByte);
        else out.copy(this.delimiterBytes, 0, this.delimiterBytes.length);
      }
      const start = starts[i];
      switch (types[i]) {
        case VT_STRING:
          if (this.plainBytes(buf, start, ends[i], i === 0)) out.copy(buf, start, ends[i]);
          else out.string(this.cellText(decodeUtf8(buf, start, ends[i]), i));
          break;
        case VT_INTEGER:
          if (!this.scalarsSafe || !out.int64(buf, start)) out.string(this.cellText(readInt64(buf, start), i));
          break;
        case VT_DOUBLE: {
          const v = buf.readDoubleLE(start);
          if (this.int64Columns[i] || !this.scalarsSafe || !out.plainDouble(v, true)) out.string(this.cellText(v, i));
          break;
        }
        case VT_BOOLEAN:
          out.string(this.cellText(buf[start] !== 0, i));
          break;
        case VT_BLOB:
          out.string(this.cellText(buf.subarray(start, ends[i]), i));
          break;
        case FIELD_NULL: {
          const text = this.nullBytes[i];
          out.copy(text, 0, text.length);
          break;
        }
        default:
          out.string(this.cellText(row.values[i], i));
      }
    }
    out.byte(10);
  }

  begin(): Buffer | null {
    if (!this.header) return null;
    this.writeRow(this.columns.map((c) => c.name));
    return this.out.take();
  }

  encode(records: readonly StreamRecord[], start: number, end: number, sizeBudget: number): EncodeResult {
    return encodeLines(this.layout, this.lines, this.out, records, start, end, sizeBudget);
  }

  finish(): Buffer | null {
    return null;
  }
}

/** A field in the text qualifier, embedded qualifiers doubled. */
function quoted(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}
