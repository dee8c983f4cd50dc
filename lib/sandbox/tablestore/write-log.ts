/**
 * Compact append-only log of a table's writes.
 *
 * Each entry is one applied row write, stored as its encoded stream-record
 * PlainBuffer (sequence info included) in large shared chunks, plus a few
 * numbers in growable typed arrays. No per-write JS objects, so millions of
 * writes cost little more than their bytes.
 */

const CHUNK_BYTES = 8 * 1024 * 1024;

/** Action codes as in the stream protocol: 1 PUT_ROW, 2 UPDATE_ROW, 3 DELETE_ROW. */
export type ActionCode = 1 | 2 | 3;

export class WriteLog {
  private chunks: Buffer[] = [];
  private chunkUsed = 0;
  private size = 0;
  private timestamps: Float64Array = new Float64Array(1024);
  private chunkIndex: Uint32Array = new Uint32Array(1024);
  private offsets: Uint32Array = new Uint32Array(1024);
  private lengths: Uint32Array = new Uint32Array(1024);
  private actions = new Uint8Array(1024);

  get count(): number {
    return this.size;
  }

  /** Bytes held by record data chunks. */
  get dataBytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** Appends a record; returns its entry id. */
  append(action: ActionCode, writeTimeMicros: number, record: Buffer): number {
    if (this.size === this.timestamps.length) this.grow();
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || this.chunkUsed + record.length > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, record.length));
      this.chunks.push(chunk);
      this.chunkUsed = 0;
    }
    record.copy(chunk, this.chunkUsed);
    const id = this.size++;
    this.timestamps[id] = writeTimeMicros;
    this.chunkIndex[id] = this.chunks.length - 1;
    this.offsets[id] = this.chunkUsed;
    this.lengths[id] = record.length;
    this.actions[id] = action;
    this.chunkUsed += record.length;
    return id;
  }

  timestampOf(id: number): number {
    return this.timestamps[id];
  }

  actionOf(id: number): ActionCode {
    return this.actions[id] as ActionCode;
  }

  lengthOf(id: number): number {
    return this.lengths[id];
  }

  /** The chunk holding entry `id`; its bytes are [offsetOf(id), offsetOf(id) + lengthOf(id)). */
  chunkOf(id: number): Buffer {
    return this.chunks[this.chunkIndex[id]];
  }

  offsetOf(id: number): number {
    return this.offsets[id];
  }

  /** A view of the entry's bytes (no copy). */
  bytesOf(id: number): Buffer {
    const off = this.offsets[id];
    return this.chunks[this.chunkIndex[id]].subarray(off, off + this.lengths[id]);
  }

  private grow(): void {
    const n = this.timestamps.length * 2;
    this.timestamps = growFloat(this.timestamps, n);
    this.chunkIndex = growUint32(this.chunkIndex, n);
    this.offsets = growUint32(this.offsets, n);
    this.lengths = growUint32(this.lengths, n);
    const actions = new Uint8Array(n);
    actions.set(this.actions);
    this.actions = actions;
  }
}

/** Growable list of entry ids (a shard's records). */
export class EntryIdList {
  private ids: Uint32Array = new Uint32Array(256);
  private size = 0;

  get count(): number {
    return this.size;
  }

  push(id: number): void {
    if (this.size === this.ids.length) this.ids = growUint32(this.ids, this.ids.length * 2);
    this.ids[this.size++] = id;
  }

  at(i: number): number {
    return this.ids[i];
  }

  /** First index whose timestamp (by `timestampOf`) is >= micros, in [from, count]. */
  lowerBound(from: number, micros: number, timestampOf: (id: number) => number): number {
    let lo = from;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (timestampOf(this.ids[mid]) < micros) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function growUint32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

function growFloat(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
