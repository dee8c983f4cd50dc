/**
 * The sandbox's notion of "now" in microseconds: real time by default, or a
 * fixed value that tests set and advance so writes land "at" chosen instants.
 * Time never goes back before the last write, so every shard stays ordered.
 */
export class SandboxClock {
  private fixed: number | null;
  private lastIssued = 0;

  constructor(startMicros?: number) {
    this.fixed = startMicros ?? null;
    if (startMicros !== undefined) assertMicros(startMicros, 'startMicros');
  }

  /** Current time in microseconds since epoch. */
  nowMicros(): number {
    if (this.fixed !== null) return this.fixed;
    return Math.floor((performance.timeOrigin + performance.now()) * 1000);
  }

  /** True while the clock is fixed (set/advance), false on real time. */
  get isFixed(): boolean {
    return this.fixed !== null;
  }

  /** Fixes the clock at `micros`; it must not precede the last write. */
  set(micros: number): void {
    assertMicros(micros, 'micros');
    if (micros < this.lastIssued) {
      throw new RangeError(`clock cannot go back to ${micros}: a write already happened at ${this.lastIssued}`);
    }
    this.fixed = micros;
  }

  /** Moves a fixed clock forward (or fixes real time + delta). */
  advance(deltaMicros: number): void {
    if (!Number.isSafeInteger(deltaMicros) || deltaMicros < 0) throw new RangeError(`deltaMicros must be a non-negative integer, got ${deltaMicros}`);
    this.set(this.nowMicros() + deltaMicros);
  }

  /** Returns to real time (still never before the last write). */
  useRealTime(): void {
    this.fixed = null;
  }

  /** Timestamp for a write: now, but never earlier than a previous write. */
  issueWriteTimestamp(): number {
    const now = Math.max(this.nowMicros(), this.lastIssued);
    this.lastIssued = now;
    return now;
  }
}

function assertMicros(v: number, name: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative safe integer (microseconds), got ${v}`);
}
