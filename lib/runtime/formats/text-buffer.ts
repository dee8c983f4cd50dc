/**
 * UTF-8 output buffer for the text encoders: lines are gathered into one string and written into the page's Buffer
 * in a single native write (a write per line cost more than the copy), which also avoids building one large string
 * per page. encodeLines flushes often enough to keep exact byte counts per record where they matter.
 */
import { GrowableBuffer } from '../../common/growable-buffer';
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

/** Characters gathered before a write, whatever the byte budget. */
const FLUSH_CHARS = 64 * 1024;

/** Text gathered as a string, written as UTF-8 into a growable page buffer (`pos`: bytes written, gathered text not included). */
export class TextBuffer extends GrowableBuffer {
  private pending = '';

  constructor(private readonly initialSize = 256 * 1024) {
    super(initialSize);
  }

  /** Gathers text; written by the next flush. */
  text(s: string): void {
    this.pending += s;
  }

  /** UTF-16 code units gathered and not yet written: at most 3 UTF-8 bytes each. */
  get pendingChars(): number {
    return this.pending.length;
  }

  /** Writes the gathered text as UTF-8; returns its byte count. */
  flush(): number {
    const s = this.pending;
    if (s.length === 0) return 0;
    this.pending = '';
    this.ensure(3 * s.length);
    const n = utf8Write(this.buf, s, this.pos);
    this.pos += n;
    return n;
  }

  /**
   * Hands out the bytes written so far, gathered text included, and starts a fresh buffer (the caller may keep the
   * returned bytes, e.g. queued in a compressor, while the next page is written). Null when nothing was written.
   */
  take(): Buffer | null {
    this.flush();
    if (this.pos === 0) return null;
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(this.initialSize, Math.ceil(this.pos * 1.25)));
    this.pos = 0;
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
    rows += layout.rowsOf(records[i], row, emit);
    i++;
    // The budget cannot have been reached while even 3 bytes per gathered character stay below it; once they do
    // not, every record is flushed, so the one that reaches the budget is always the last one flushed.
    if (size + 3 * out.pendingChars >= sizeBudget || out.pendingChars >= FLUSH_CHARS) {
      size += out.flush();
      if (size >= sizeBudget) break;
    }
  }
  size += out.flush();
  return { records: i - start, rows, bytes: out.take(), size };
}
