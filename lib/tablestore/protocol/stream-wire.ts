/**
 * Hand-written protobuf codec for GetStreamRecordResponse, the hot path of both
 * the reader (decode) and the sandbox (encode). Field numbers as in schema.ts:
 *
 *   GetStreamRecordResponse { repeated StreamRecord stream_records = 1;
 *     optional string next_shard_iterator = 2; optional ConsumedCapacity consumed = 3;
 *     optional bool may_more_record = 4; }
 *   StreamRecord { required ActionType action_type = 1; required bytes record = 2;
 *     optional bytes origin_record = 3; }
 *
 * Decoding does not copy record bytes: it returns their offsets in the body, in one pass.
 */
import { GrowableBuffer } from '../../common/growable-buffer';

export const ACTION_PUT_ROW = 1;
export const ACTION_UPDATE_ROW = 2;
export const ACTION_DELETE_ROW = 3;

export interface StreamRecordBatch {
  /** The response body the offsets point into. */
  readonly body: Buffer;
  readonly count: number;
  /** ActionType per record (1 PUT_ROW, 2 UPDATE_ROW, 3 DELETE_ROW). */
  readonly actions: Uint8Array;
  /** PlainBuffer of record i is body[starts[i], ends[i]). */
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  /** Absent when the shard is closed and fully read. */
  readonly nextShardIterator: string | null;
  readonly mayMoreRecord: boolean | null;
}

export class WireFormatError extends Error {
  constructor(message: string) {
    super(`GetStreamRecordResponse: ${message}`);
    this.name = 'WireFormatError';
  }
}

/** Records a decoded page has room for before its offset arrays grow (the runtime asks for 1000 per page). */
const INITIAL_RECORDS = 1024;

export function decodeGetStreamRecordResponse(body: Buffer): StreamRecordBatch {
  let actions = new Uint8Array(INITIAL_RECORDS);
  let starts = new Uint32Array(INITIAL_RECORDS);
  let ends = new Uint32Array(INITIAL_RECORDS);
  let nextShardIterator: string | null = null;
  let mayMoreRecord: boolean | null = null;
  let i = 0;
  const r = new WireReader(body, 0, body.length);
  while (r.pos < r.end) {
    const key = r.varint();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === 2) {
      const len = r.varint();
      const recEnd = r.pos + len;
      if (recEnd > r.end) throw new WireFormatError('stream record overruns the body');
      let action = 0;
      let start = -1;
      let end = -1;
      while (r.pos < recEnd) {
        const k = r.varint();
        if (k === 0x08) action = r.varint();
        else if (k === 0x12) {
          const n = r.varint();
          start = r.pos;
          end = r.pos + n;
          if (end > recEnd) throw new WireFormatError('record bytes overrun the stream record');
          r.pos = end;
        } else r.skip(k & 7);
      }
      if (action < 1 || action > 3) throw new WireFormatError(`stream record ${i} has action_type ${action}`);
      if (start < 0) throw new WireFormatError(`stream record ${i} has no record bytes`);
      if (i === actions.length) {
        actions = grown(actions, new Uint8Array(2 * i));
        starts = grown(starts, new Uint32Array(2 * i));
        ends = grown(ends, new Uint32Array(2 * i));
      }
      actions[i] = action;
      starts[i] = start;
      ends[i] = end;
      i++;
    } else if (field === 2 && wire === 2) {
      const len = r.varint();
      if (r.pos + len > r.end) throw new WireFormatError('next_shard_iterator overruns the body');
      nextShardIterator = body.toString('utf8', r.pos, r.pos + len);
      r.pos += len;
    } else if (field === 4 && wire === 0) {
      mayMoreRecord = r.varint() !== 0;
    } else {
      r.skip(wire);
    }
  }
  return { body, count: i, actions: actions.subarray(0, i), starts: starts.subarray(0, i), ends: ends.subarray(0, i), nextShardIterator, mayMoreRecord };
}

function grown<T extends Uint8Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Bytes of the StreamRecord framing (message tag and length, action, record tag and length) before a record. */
export function streamRecordFrameBytes(recordLength: number): number {
  const inner = 2 + 1 + varintSize(recordLength) + recordLength;
  return 1 + varintSize(inner) + 2 + 1 + varintSize(recordLength);
}

/**
 * Writes the framing of one StreamRecord of a GetStreamRecordResponse at buf[pos]; the record's `recordLength`
 * bytes go right after it (the returned position). Lets a server keep records framed and send them as they are.
 */
export function writeStreamRecordFrame(buf: Buffer, pos: number, action: number, recordLength: number): number {
  buf[pos++] = 0x0a;
  pos = putVarint(buf, pos, 2 + 1 + varintSize(recordLength) + recordLength);
  buf[pos++] = 0x08;
  buf[pos++] = action;
  buf[pos++] = 0x12;
  return putVarint(buf, pos, recordLength);
}

function putVarint(buf: Buffer, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Builds a GetStreamRecordResponse by appending records; sized up front by the
 * caller's estimate and grown geometrically when needed.
 */
export class StreamRecordResponseWriter extends GrowableBuffer {
  private recordBytes = 0;

  constructor(estimatedBytes = 4096) {
    super(Math.max(64, estimatedBytes));
  }

  add(action: number, src: Buffer, start: number, end: number): void {
    const len = end - start;
    this.ensure(streamRecordFrameBytes(len) + len);
    this.pos = writeStreamRecordFrame(this.buf, this.pos, action, len);
    src.copy(this.buf, this.pos, start, end);
    this.pos += len;
    this.recordBytes += len;
  }

  /**
   * Counts records already framed (writeStreamRecordFrame) and sent ahead of this writer's bytes, for the consumed
   * capacity of `finish`: the writer then holds only the response's tail.
   */
  countFramed(recordBytes: number): void {
    this.recordBytes += recordBytes;
  }

  finish(nextShardIterator: string | null, mayMoreRecord?: boolean): Buffer {
    if (nextShardIterator !== null) {
      const len = Buffer.byteLength(nextShardIterator);
      this.ensure(1 + varintSize(len) + len);
      this.buf[this.pos++] = 0x12;
      this.writeVarint(len);
      this.pos += this.buf.write(nextShardIterator, this.pos, 'utf8');
    }
    // consumed { capacity_unit { read = ceil(bytes / 4 KB) } }, as the service reports it.
    const read = Math.max(1, Math.ceil(this.recordBytes / 4096));
    const cu = 1 + varintSize(read);
    const consumed = 1 + varintSize(cu) + cu;
    this.ensure(1 + varintSize(consumed) + consumed + 2);
    this.buf[this.pos++] = 0x1a;
    this.writeVarint(consumed);
    this.buf[this.pos++] = 0x0a;
    this.writeVarint(cu);
    this.buf[this.pos++] = 0x08;
    this.writeVarint(read);
    if (mayMoreRecord !== undefined) {
      this.buf[this.pos++] = 0x20;
      this.buf[this.pos++] = mayMoreRecord ? 1 : 0;
    }
    return this.buf.subarray(0, this.pos);
  }

  private writeVarint(v: number): void {
    this.pos = putVarint(this.buf, this.pos, v);
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v > 0x7f) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

class WireReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireFormatError('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new WireFormatError('varint longer than 10 bytes');
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const len = this.varint();
        this.pos += len;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new WireFormatError(`unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) throw new WireFormatError('field overruns the body');
  }
}
