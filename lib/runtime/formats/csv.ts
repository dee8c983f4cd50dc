/**
 * CSV as the Data Integration OSS writer (`fileFormat: csv`) writes it: DataX's CsvWriter with `"` as text
 * qualifier, doubled quotes as escape, `\n` record delimiter, the configured field delimiter, and nulls printed
 * as `nullFormat` (which then follows the same quoting rules).
 *
 * A field is quoted when it contains the qualifier, the delimiter, CR or LF, when it is the first field of a line
 * and is empty or starts with `#` (CsvWriter's comment character), or when it starts or ends with a space or tab.
 * That is CsvWriter's behaviour with `preserveSpaces`; DataX calls it without, which trims every field. Trimming
 * loses data in a backup, so values are kept verbatim and quoted instead. CsvWriter leaves a lone CR unquoted
 * when a custom record delimiter is set; it is quoted here so that RFC 4180 readers see one line per row.
 */
import type { StreamRecord } from '../reader/types';
import type { EncodeResult, RecordEncoder } from './encoder';
import type { FieldValue, OutputLayout } from './layout';
import { BinaryTextEncoding, binaryText, javaDoubleText } from './text';

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
  private readonly row: FieldValue[];
  private readonly emit: () => void;
  private text = '';

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
    this.row = new Array<FieldValue>(layout.columns.length).fill(null);
    this.emit = () => {
      this.text += this.line(this.row);
    };
  }

  private field(text: string, first: boolean): string {
    if (first && (text.length === 0 || text.charCodeAt(0) === 35 /* # */)) return `"${text.replace(/"/g, '""')}"`;
    if (!this.needsQuote.test(text)) return text;
    return `"${text.replace(/"/g, '""')}"`;
  }

  private line(row: readonly FieldValue[]): string {
    let out = '';
    const d = this.delimiter;
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      let text: string;
      switch (typeof v) {
        case 'string':
          text = this.field(v, i === 0);
          break;
        case 'bigint':
          text = this.scalarsSafe ? v.toString() : this.field(v.toString(), i === 0);
          break;
        case 'number':
          // int64 columns carry integral numbers (timestamps); doubles print as Java does.
          text = Number.isInteger(v) && this.layout.columns[i].type === 'int64' ? String(v) : javaDoubleText(v);
          if (!this.scalarsSafe) text = this.field(text, i === 0);
          break;
        case 'boolean':
          text = v ? 'true' : 'false';
          if (!this.scalarsSafe) text = this.field(text, i === 0);
          break;
        default:
          text = v === null ? this.field(this.nullFormat, i === 0) : this.field(binaryText(v, this.binary), i === 0);
      }
      out += i === 0 ? text : d + text;
    }
    return out + '\n';
  }

  begin(): Buffer | null {
    if (!this.header) return null;
    return Buffer.from(this.line(this.columns.map((c) => c.name)), 'utf8');
  }

  encode(records: readonly StreamRecord[], start: number, end: number, sizeBudget: number): EncodeResult {
    let chunk = '';
    let size = 0;
    let rows = 0;
    let i = start;
    while (i < end) {
      this.text = '';
      rows += this.layout.rowsOf(records[i], this.row, this.emit);
      i++;
      if (this.text.length > 0) {
        size += Buffer.byteLength(this.text, 'utf8');
        chunk += this.text;
      }
      if (size >= sizeBudget) break;
    }
    this.text = '';
    return { records: i - start, rows, bytes: chunk.length > 0 ? Buffer.from(chunk, 'utf8') : null, size };
  }

  finish(): Buffer | null {
    return null;
  }
}
