/**
 * JSON Lines: one object per output row, keys in layout column order. Integers (int64) are written as JSON
 * number literals with every digit (readers that parse into doubles lose precision above 2^53, the text does
 * not); doubles use JavaScript's shortest round-trip form, with NaN and infinities as the strings "NaN",
 * "Infinity", "-Infinity"; binaries are base64 strings; nulls are null.
 */
import { decodeUtf8, readInt64 } from '../../tablestore/plainbuffer/decode';
import { VT_BLOB, VT_BOOLEAN, VT_DOUBLE, VT_INTEGER, VT_STRING } from '../../tablestore/plainbuffer/constants';
import type { StreamRecord } from '../reader/types';
import type { EncodeResult, RecordEncoder } from './encoder';
import { BytesRow, FIELD_NULL, FieldValue, OutputLayout } from './layout';
import { encodeLines, isWellFormedUtf8, LineRows, TextBuffer } from './text-buffer';

function jsonDouble(v: number): string {
  return Number.isFinite(v) ? String(v) : `"${String(v)}"`;
}

/**
 * Whether the string bytes buf[start, end) are their own JSON.stringify text between the quotes: well-formed UTF-8
 * without `"`, `\\` or control characters (JSON.stringify leaves the rest of Unicode as it is).
 */
function plainJsonBytes(buf: Buffer, start: number, end: number): boolean {
  let ascii = true;
  for (let k = start; k < end; k++) {
    const b = buf[k];
    if (b < 0x20 || b === 34 || b === 92) return false;
    if (b >= 0x80) ascii = false;
  }
  return ascii || isWellFormedUtf8(buf, start, end);
}

export class JsonLinesEncoder implements RecordEncoder {
  readonly format = 'jsonl' as const;
  readonly extension = 'jsonl';
  readonly contentType = 'application/x-ndjson';
  readonly columns;
  /** `{"name":` for the first key, `,"name":` for the rest. */
  private readonly keyPrefixes: readonly string[];
  private readonly keyPrefixBytes: readonly Buffer[];
  private readonly lines: LineRows;
  /** Last value and JSON text per column: a record's key and timestamp repeat on each of its rows. */
  private readonly lastValue: Array<FieldValue | undefined>;
  private readonly lastText: string[];
  private readonly out = new TextBuffer();

  constructor(private readonly layout: OutputLayout) {
    this.columns = layout.columns;
    this.keyPrefixes = layout.columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
    this.keyPrefixBytes = this.keyPrefixes.map((p) => Buffer.from(p, 'utf8'));
    this.lastValue = layout.columns.map(() => undefined);
    this.lastText = layout.columns.map(() => '');
    const row = new Array<FieldValue>(layout.columns.length).fill(null);
    const bytesRow = new BytesRow(layout.columns.length);
    this.lines = { row, emit: () => this.out.text(this.line(row)), bytesRow, emitBytes: () => this.writeBytesRow(bytesRow) };
  }

  private valueText(v: FieldValue, i: number): string {
    if (v === this.lastValue[i]) return this.lastText[i];
    let text: string;
    switch (typeof v) {
      case 'string': text = JSON.stringify(v); break;
      case 'bigint': text = v.toString(); break;
      case 'number': text = jsonDouble(v); break;
      case 'boolean': text = v ? 'true' : 'false'; break;
      default: text = v === null ? 'null' : `"${v.toString('base64')}"`;
    }
    this.lastValue[i] = v;
    this.lastText[i] = text;
    return text;
  }

  private line(row: readonly FieldValue[]): string {
    let out = '';
    for (let i = 0; i < row.length; i++) out += this.keyPrefixes[i] + this.valueText(row[i], i);
    return out + '}\n';
  }

  /** line() for a row of byte ranges: bytes copied or printed where that gives the same text, `valueText` else. */
  private writeBytesRow(row: BytesRow): void {
    const out = this.out;
    const { types, starts, ends, buf } = row;
    for (let i = 0; i < types.length; i++) {
      const prefix = this.keyPrefixBytes[i];
      out.copy(prefix, 0, prefix.length);
      const start = starts[i];
      switch (types[i]) {
        case VT_STRING:
          if (plainJsonBytes(buf, start, ends[i])) {
            out.byte(34);
            out.copy(buf, start, ends[i]);
            out.byte(34);
          } else {
            out.string(this.valueText(decodeUtf8(buf, start, ends[i]), i));
          }
          break;
        case VT_INTEGER:
          if (!out.int64(buf, start)) out.string(this.valueText(readInt64(buf, start), i));
          break;
        case VT_DOUBLE: {
          const v = buf.readDoubleLE(start);
          if (!out.plainDouble(v, false)) out.string(this.valueText(v, i));
          break;
        }
        case VT_BOOLEAN:
          out.string(buf[start] !== 0 ? 'true' : 'false');
          break;
        case VT_BLOB:
          out.string(this.valueText(buf.subarray(start, ends[i]), i));
          break;
        case FIELD_NULL:
          out.string('null');
          break;
        default:
          out.string(this.valueText(row.values[i], i));
      }
    }
    out.byte(125); // }
    out.byte(10);
  }

  begin(): Buffer | null {
    return null;
  }

  encode(records: readonly StreamRecord[], start: number, end: number, sizeBudget: number): EncodeResult {
    return encodeLines(this.layout, this.lines, this.out, records, start, end, sizeBudget);
  }

  finish(): Buffer | null {
    return null;
  }
}
