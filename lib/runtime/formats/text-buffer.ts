/**
 * UTF-8 output buffer for the text encoders: each line is written straight into the page's Buffer, which gives
 * exact byte counts per record without Buffer.byteLength calls and avoids building (and flattening) one large
 * string per page. One native write per line: a write per field costs more than the string concatenation.
 */
import type { StreamRecord } from '../reader/types';
import type { EncodeResult } from './encoder';
import type { FieldValue, OutputLayout } from './layout';

type Utf8Writer = (this: Buffer, text: string, offset: number) => number;

/**
 * Node's Buffer.prototype.utf8Write: the binding behind buf.write(s, offset, 'utf8') without its argument
 * normalisation, which costs more than the copy for line-sized strings. Falls back to buf.write elsewhere.
 */
const nativeUtf8Write = (Buffer.prototype as unknown as { utf8Write?: Utf8Writer }).utf8Write;

function utf8Write(buf: Buffer, text: string, offset: number): number {
  return nativeUtf8Write ? nativeUtf8Write.call(buf, text, offset) : buf.write(text, offset, 'utf8');
}

export class TextBuffer {
  private buf: Buffer;
  length = 0;

  constructor(private readonly initialSize = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** Appends a string as UTF-8. */
  text(s: string): void {
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
    if (this.length + 3 * s.length > this.buf.length) this.grow(3 * s.length);
    this.length += utf8Write(this.buf, s, this.length);
  }

  /**
   * Hands out the bytes written so far and starts a fresh buffer (the caller may keep the returned bytes, e.g.
   * queued in a compressor, while the next page is written). Null when nothing was written.
   */
  take(): Buffer | null {
    if (this.length === 0) return null;
    const out = this.buf.subarray(0, this.length);
    this.buf = Buffer.allocUnsafe(Math.max(this.initialSize, Math.ceil(this.length * 1.25)));
    this.length = 0;
    return out;
  }
}

/**
 * The loop shared by the line-oriented encoders (CSV, JSON Lines): lays records out into rows, each row written to
 * `out` by `emit`, until the range ends or the text added reaches `sizeBudget`.
 */
export function encodeLines(
  layout: OutputLayout,
  row: FieldValue[],
  emit: () => void,
  out: TextBuffer,
  records: readonly StreamRecord[],
  start: number,
  end: number,
  sizeBudget: number,
): EncodeResult {
  let size = 0;
  let rows = 0;
  let i = start;
  while (i < end) {
    const before = out.length;
    rows += layout.rowsOf(records[i], row, emit);
    i++;
    size += out.length - before;
    if (size >= sizeBudget) break;
  }
  return { records: i - start, rows, bytes: out.take(), size };
}
