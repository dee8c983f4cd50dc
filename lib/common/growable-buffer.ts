/**
 * A byte buffer appended to at `pos`, grown geometrically (at least doubled) when a write needs more room: the base of
 * the PlainBuffer row writer, the GetStreamRecord response writer and the text encoders' page buffer. Subclasses
 * write into `buf` directly after `ensure`, which keeps the hot paths free of calls.
 */
export class GrowableBuffer {
  protected buf: Buffer;
  /** Bytes written so far. */
  protected pos = 0;

  constructor(initialSize: number) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Makes room for `n` more bytes after `pos`. */
  protected ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
