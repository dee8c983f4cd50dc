/**
 * UTF-8 output buffer for the text encoders: lines are gathered into one string and written into the page's Buffer
 * in a single native write (a write per line cost more than the copy), which also avoids building one large string
 * per page. encodeLines flushes often enough to keep exact byte counts per record where they matter. Records kept
 * encoded skip the strings: their lines are written as bytes, copied from the PlainBuffer bytes where the text is
 * the same (see BytesRow).
 */
import { isUtf8 } from 'node:buffer';
import { GrowableBuffer } from '../../common/growable-buffer';
import { readSafeInt64 } from '../../tablestore/plainbuffer/decode';
import { EncodedStreamRecord } from '../reader/record-decoder';
import type { StreamRecord } from '../reader/types';
import type { EncodeResult } from './encoder';
import type { BytesRow, FieldValue, OutputLayout } from './layout';

type Utf8Writer = (this: Buffer, text: string, offset: number) => number;

/**
 * Node's Buffer.prototype.utf8Write: the binding behind buf.write(s, offset, 'utf8') without its argument
 * normalisation, which costs more than the copy for line-sized strings. Falls back to buf.write elsewhere.
 */
const nativeUtf8Write = (Buffer.prototype as unknown as { utf8Write?: Utf8Writer }).utf8Write;

function utf8Write(buf: Buffer, text: string, offset: number): number {
  return nativeUtf8Write ? nativeUtf8Write.call(buf, text, offset) : buf.write(text, offset, 'utf8');
}

/** Decimal digits of 0 <= v < 1e10. */
function digitCount(v: number): number {
  if (v < 1e5) return v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 1e4 ? 4 : 5;
  return v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
}

/** Writes 0 <= v < 2^31 as `width` decimal digits (zero-padded) at buf[p]; returns the position after them. */
function writeDigits(buf: Buffer, p: number, v: number, width: number): number {
  const end = p + width;
  for (let q = end - 1; q >= p; q--) {
    const next = (v / 10) | 0;
    buf[q] = 48 + v - next * 10;
    v = next;
  }
  return end;
}

/**
 * Whether buf[start, end) is well-formed UTF-8, i.e. decoding it and encoding the text again gives the same bytes
 * (the decoder replaces malformed sequences). Called for the rare strings that are not ASCII.
 */
export function isWellFormedUtf8(buf: Buffer, start: number, end: number): boolean {
  return isUtf8(buf.subarray(start, end));
}

/** Smallest buffer started after a take. */
const MIN_NEXT_BUFFER = 16 * 1024;

/** Characters gathered before a write, whatever the byte budget. */
const FLUSH_CHARS = 64 * 1024;

/** Text gathered as a string, written as UTF-8 into a growable page buffer (`pos`: bytes written, gathered text not included). */
export class TextBuffer extends GrowableBuffer {
  private pending = '';

  constructor(initialSize = 256 * 1024) {
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

  /** Bytes written since the last take, gathered text not included. */
  get written(): number {
    return this.pos;
  }

  /*
   * Direct writes, for lines written as bytes: they go in after the bytes written so far, so gathered text must
   * be flushed first (encodeLines does it).
   */

  /** Copies src[start, end). */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    // A loop beats the native copy for the short values of a line.
    if (n <= 64) {
      for (let k = start; k < end; k++) buf[p++] = src[k];
    } else {
      buf.set(src.subarray(start, end), p);
      p += n;
    }
    this.pos = p;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Writes `s` as UTF-8 (a loop for ASCII, the native encoder otherwise). */
  string(s: string): void {
    const n = s.length;
    this.ensure(3 * n);
    const buf = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) {
        this.pos += utf8Write(buf, s, this.pos);
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /**
   * Writes the decimal text of the little-endian int64 at src[at] (what bigint's toString gives) and returns true,
   * or returns false (writing nothing) when it is beyond ±2^53.
   */
  int64(src: Uint8Array, at: number): boolean {
    let v = readSafeInt64(src, at);
    if (Number.isNaN(v)) return false;
    this.ensure(20);
    const buf = this.buf;
    let p = this.pos;
    if (v < 0) {
      buf[p++] = 45; // -
      v = -v;
    }
    if (v < 1e9) {
      p = writeDigits(buf, p, v, digitCount(v));
    } else {
      // Both halves below 2^31: integer arithmetic.
      const high = Math.floor(v / 1e9);
      p = writeDigits(buf, p, high, digitCount(high));
      p = writeDigits(buf, p, v - high * 1e9, 9);
    }
    this.pos = p;
    return true;
  }

  /**
   * Writes a double whose magnitude is in [1e-3, 1e7) and that is integral or has at most six decimals, as its
   * shortest round-trip text in plain notation (String(v), and what javaDoubleText gives: see fewDecimals there),
   * an integral one with `.0` appended when `javaStyle`; returns false (writing nothing) for any other double.
   */
  plainDouble(v: number, javaStyle: boolean): boolean {
    const abs = v < 0 ? -v : v;
    if (!(abs >= 1e-3 && abs < 1e7)) return false;
    const whole = Math.floor(abs);
    let fraction = 0;
    let width = 6;
    if (whole !== abs) {
      const m = Math.round(abs * 1e6);
      if (m / 1e6 !== abs) return false;
      fraction = m - whole * 1e6;
      while (fraction % 10 === 0) {
        fraction /= 10;
        width--;
      }
    }
    this.ensure(16);
    const buf = this.buf;
    let p = this.pos;
    if (v < 0) buf[p++] = 45; // -
    p = writeDigits(buf, p, whole, digitCount(whole));
    if (fraction !== 0) {
      buf[p++] = 46; // .
      p = writeDigits(buf, p, fraction, width);
    } else if (javaStyle) {
      buf[p++] = 46;
      buf[p++] = 48;
    }
    this.pos = p;
    return true;
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
    // Sized after what was just handed out (a page's text, usually): allocating the initial size for every page
    // of a few tens of KB made most of the runtime's external memory churn.
    this.buf = Buffer.allocUnsafe(Math.max(MIN_NEXT_BUFFER, Math.ceil(this.pos * 1.25)));
    this.pos = 0;
    return out;
  }
}

/** How a line-oriented encoder writes a row: as values (`row`, `emit`) or as bytes (`bytesRow`, `emitBytes`). */
export interface LineRows {
  readonly row: FieldValue[];
  /** Writes `row` to the encoder's TextBuffer (gathered text). */
  readonly emit: () => void;
  readonly bytesRow: BytesRow;
  /** Writes `bytesRow` to the encoder's TextBuffer (direct writes). */
  readonly emitBytes: () => void;
}

/**
 * The loop shared by the line-oriented encoders (CSV, JSON Lines): lays records out into rows, each row written to
 * `out`, until the range ends or the bytes added reach `sizeBudget`. Records kept encoded go through the layout's
 * encodedRowsOf where it has one.
 */
export function encodeLines(
  layout: OutputLayout,
  lines: LineRows,
  out: TextBuffer,
  records: readonly StreamRecord[],
  start: number,
  end: number,
  sizeBudget: number,
): EncodeResult {
  const base = out.written;
  let rows = 0;
  let i = start;
  while (i < end) {
    const record = records[i];
    if (layout.encodedRowsOf !== undefined && record instanceof EncodedStreamRecord) {
      if (out.pendingChars !== 0) out.flush();
      rows += layout.encodedRowsOf(record, lines.bytesRow, lines.emitBytes);
    } else {
      rows += layout.rowsOf(record, lines.row, lines.emit);
    }
    i++;
    // The budget cannot have been reached while even 3 bytes per gathered character stay below it; once they do
    // not, every record is flushed, so the one that reaches the budget is always the last one flushed.
    if (out.written - base + 3 * out.pendingChars >= sizeBudget || out.pendingChars >= FLUSH_CHARS) {
      out.flush();
      if (out.written - base >= sizeBudget) break;
    }
  }
  out.flush();
  const size = out.written - base;
  return { records: i - start, rows, bytes: out.take(), size };
}
