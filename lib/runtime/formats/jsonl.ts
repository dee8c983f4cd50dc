/**
 * JSON Lines: one object per output row, keys in layout column order. Integers (int64) are written as JSON
 * number literals with every digit (readers that parse into doubles lose precision above 2^53, the text does
 * not); doubles use JavaScript's shortest round-trip form, with NaN and infinities as the strings "NaN",
 * "Infinity", "-Infinity"; binaries are base64 strings; nulls are null.
 */
import type { StreamRecord } from '../reader/types';
import type { EncodeResult, RecordEncoder } from './encoder';
import type { FieldValue, OutputLayout } from './layout';

function jsonDouble(v: number): string {
  return Number.isFinite(v) ? String(v) : `"${String(v)}"`;
}

export class JsonLinesEncoder implements RecordEncoder {
  readonly format = 'jsonl' as const;
  readonly extension = 'jsonl';
  readonly contentType = 'application/x-ndjson';
  readonly columns;
  /** `{"name":` for the first key, `,"name":` for the rest. */
  private readonly keyPrefixes: readonly string[];
  private readonly row: FieldValue[];
  private readonly emit: () => void;
  private text = '';

  constructor(private readonly layout: OutputLayout) {
    this.columns = layout.columns;
    this.keyPrefixes = layout.columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
    this.row = new Array<FieldValue>(layout.columns.length).fill(null);
    this.emit = () => {
      this.text += this.line(this.row);
    };
  }

  private line(row: readonly FieldValue[]): string {
    let out = '';
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      out += this.keyPrefixes[i];
      switch (typeof v) {
        case 'string': out += JSON.stringify(v); break;
        case 'bigint': out += v.toString(); break;
        case 'number': out += jsonDouble(v); break;
        case 'boolean': out += v ? 'true' : 'false'; break;
        default: out += v === null ? 'null' : `"${v.toString('base64')}"`;
      }
    }
    return out + '}\n';
  }

  begin(): Buffer | null {
    return null;
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
