/**
 * Compact append-only log of a table's writes.
 *
 * Each entry is one applied row write, stored as its encoded stream-record
 * PlainBuffer (sequence info included) in large shared chunks, plus a few
 * numbers in growable typed arrays. No per-write JS objects, so millions of
 * writes cost little more than their bytes.
 *
 * Records are stored framed as a GetStreamRecordResponse frames them, each shard's in chunks of its own (a lane),
 * so that a page of consecutive records is one slice of a chunk, sent without copying.
 */
import { streamRecordFrameBytes, writeStreamRecordFrame } from '../../tablestore/protocol/stream-wire';

const CHUNK_BYTES = 8 * 1024 * 1024;
/** A lane's first chunk; each next one is twice as large, up to the chunk size (tests write little per shard). */
const FIRST_CHUNK_BYTES = 64 * 1024;

/** Action codes as in the stream protocol: 1 PUT_ROW, 2 UPDATE_ROW, 3 DELETE_ROW. */
export type ActionCode = 1 | 2 | 3;

/**
 * Append-only bytes in large shared chunks: a byte range is named by a chunk number and an offset, so that many
 * small records cost no JS object each. Each lane fills chunks of its own, so one lane's bytes stay contiguous.
 */
export class ChunkedBytes {
  private readonly chunks: Buffer[] = [];
  /** Per lane: its current chunk number and the bytes used in it. */
  private readonly lanes = new Map<number, { chunk: number; used: number }>();
  /** Chunk number and offset of the bytes reserved last. */
  lastChunk = 0;
  lastOffset = 0;

  constructor(private readonly chunkBytes: number = CHUNK_BYTES) {}

  /** Bytes held by the chunks. */
  get dataBytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** Reserves `n` contiguous bytes of a lane (at lastChunk, lastOffset) and returns their chunk, for the caller to fill. */
  reserve(n: number, lane = 0): Buffer {
    let at = this.lanes.get(lane);
    let chunk = at ? this.chunks[at.chunk] : undefined;
    if (!at || !chunk || at.used + n > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(n, Math.min(this.chunkBytes, chunk ? chunk.length * 2 : FIRST_CHUNK_BYTES)));
      this.chunks.push(chunk);
      at = { chunk: this.chunks.length - 1, used: 0 };
      this.lanes.set(lane, at);
    }
    this.lastChunk = at.chunk;
    this.lastOffset = at.used;
    at.used += n;
    return chunk;
  }

  chunk(i: number): Buffer {
    return this.chunks[i];
  }
}

export class WriteLog {
  private readonly data = new ChunkedBytes();
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
    return this.data.dataBytes;
  }

  /** Appends a record, framed, to a lane (its shard's; 0 without a stream); returns its entry id. */
  append(action: ActionCode, writeTimeMicros: number, record: Buffer, lane: number): number {
    if (this.size === this.timestamps.length) this.grow();
    const frame = streamRecordFrameBytes(record.length);
    const chunk = this.data.reserve(frame + record.length, lane);
    const start = writeStreamRecordFrame(chunk, this.data.lastOffset, action, record.length);
    record.copy(chunk, start);
    const id = this.size++;
    this.timestamps[id] = writeTimeMicros;
    this.chunkIndex[id] = this.data.lastChunk;
    this.offsets[id] = start;
    this.lengths[id] = record.length;
    this.actions[id] = action;
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
    return this.data.chunk(this.chunkIndex[id]);
  }

  /** Number of the chunk holding entry `id` (entries of one lane written one after the other are adjacent in it). */
  chunkNumberOf(id: number): number {
    return this.chunkIndex[id];
  }

  /** Where the entry's StreamRecord framing starts in its chunk (the record follows it). */
  framedOffsetOf(id: number): number {
    return this.offsets[id] - streamRecordFrameBytes(this.lengths[id]);
  }

  offsetOf(id: number): number {
    return this.offsets[id];
  }

  /** A view of the entry's bytes (no copy). */
  bytesOf(id: number): Buffer {
    const off = this.offsets[id];
    return this.data.chunk(this.chunkIndex[id]).subarray(off, off + this.lengths[id]);
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

export function growUint32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

function growFloat(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
