/**
 * JSON Lines: one object per output row, keys in layout column order. Integers (int64) are written as JSON
 * number literals with every digit (readers that parse into doubles lose precision above 2^53, the text does
 * not); doubles use JavaScript's shortest round-trip form, with NaN and infinities as the strings "NaN",
 * "Infinity", "-Infinity"; binaries are base64 strings; nulls are null.
 */
import type { StreamRecord } from '../reader/types';
import type { EncodeResult, RecordEncoder } from './encoder';
import type { FieldValue, OutputLayout } from './layout';
import { encodeLines, TextBuffer } from './text-buffer';

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
  /** Last value and JSON text per column: a record's key and timestamp repeat on each of its rows. */
  private readonly lastValue: Array<FieldValue | undefined>;
  private readonly lastText: string[];
  private readonly out = new TextBuffer();

  constructor(private readonly layout: OutputLayout) {
    this.columns = layout.columns;
    this.keyPrefixes = layout.columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
    this.row = new Array<FieldValue>(layout.columns.length).fill(null);
    this.lastValue = layout.columns.map(() => undefined);
    this.lastText = layout.columns.map(() => '');
    this.emit = () => this.out.text(this.line(this.row));
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

  begin(): Buffer | null {
    return null;
  }

  encode(records: readonly StreamRecord[], start: number, end: number, sizeBudget: number): EncodeResult {
    return encodeLines(this.layout, this.row, this.emit, this.out, records, start, end, sizeBudget);
  }

  finish(): Buffer | null {
    return null;
  }
}
