/**
 * PlainBuffer decoder.
 *
 * Hot path of the stream reader (one call per stream record), so it reads the
 * Buffer in place: no intermediate byte copies, checksums computed over byte
 * ranges, short ASCII strings built without going through the UTF-8 decoder.
 */
import * as pb from './constants';
import { crc8Byte, crc8Range } from './crc8';
import {
  Cell,
  CellOperation,
  ColumnType,
  ColumnValue,
  PlainBufferError,
  PlainBufferRow,
  PrimaryKeyPlaceholder,
  PrimaryKeyType,
  PrimaryKeyValue,
  SequenceInfo,
  WirePrimaryKeyColumn,
} from './types';

export interface DecodeOptions {
  /** Verify cell and row CRC-8 checksums (default true). */
  readonly verifyChecksums?: boolean;
  /**
   * Accept zero bytes after the single row (decodeRow only). The official Node
   * SDK over-allocates UpdateRow buffers whose PUT cells carry a timestamp and
   * sends the zero padding along; a server must tolerate it.
   */
  readonly allowTrailingZeros?: boolean;
}

const TWO_POW_32 = 4294967296;
/** Marks a variant type read in a column cell (readValue's switch: which types keys and columns take). */
const COLUMN_ONLY = 0x100;

/** Decodes a buffer holding a header and any number of rows. */
export function decodeRows(buf: Buffer, options: DecodeOptions = {}): PlainBufferRow[] {
  const d = shared.reset(buf, 0, buf.length, options.verifyChecksums !== false);
  d.readHeader();
  const rows: PlainBufferRow[] = [];
  while (d.pos < d.end) rows.push(d.readRow());
  return rows;
}

/**
 * decodeRows one row at a time, with a decoder of its own (other decodes may run between two rows): a reader of a
 * large page keeps one row alive, not the whole page.
 */
export function* iterateRows(buf: Buffer, options: DecodeOptions = {}): Generator<PlainBufferRow> {
  const d = new Decoder().reset(buf, 0, buf.length, options.verifyChecksums !== false);
  d.readHeader();
  while (d.pos < d.end) yield d.readRow();
}

/** Decodes a buffer holding a header and exactly one row (a stream record, a primary key). */
export function decodeRow(buf: Buffer, options: DecodeOptions = {}): PlainBufferRow {
  return decodeRowAt(buf, 0, buf.length, options.verifyChecksums !== false, options.allowTrailingZeros === true);
}

/** Same as decodeRow for buf[start, end), without an options object. */
export function decodeRowAt(buf: Buffer, start: number, end: number, verifyChecksums: boolean, allowTrailingZeros = false): PlainBufferRow {
  const d = shared.reset(buf, start, end, verifyChecksums);
  d.readHeader();
  const row = d.readRow();
  if (d.pos !== d.end) {
    let padding = allowTrailingZeros;
    for (let i = d.pos; padding && i < d.end; i++) padding = buf[i] === 0;
    if (!padding) throw new PlainBufferError(`expected exactly one row, ${d.end - d.pos} trailing bytes`, d.pos);
  }
  return row;
}

/** Bytes from TAG_EXTENSION to the end of a row whose extension holds only the sequence info (as the service writes it). */
const SEQUENCE_TAIL_BYTES = 1 + 4 + 1 + 4 + 19 + 2;

/**
 * The sequence-info timestamp of a one-row buffer read from its last bytes, where a stream record carries it
 * (extension of one sequence entry, then the row checksum); -1 when the tail is not laid out so (then
 * readSequenceTimestamp walks the row). O(1): a guess that whoever decodes the row must confirm (visitStreamRecordAt
 * returns the timestamp it read).
 */
export function peekSequenceTimestamp(buf: Buffer, start: number, end: number): number {
  const at = end - SEQUENCE_TAIL_BYTES;
  if (at < start + 5) return -1;
  if (buf[at] !== pb.TAG_EXTENSION || u32(buf, at + 1) !== 24 || buf[at + 5] !== pb.TAG_SEQ_INFO || u32(buf, at + 6) !== 19) return -1;
  if (buf[at + 10] !== pb.TAG_SEQ_INFO_EPOCH || buf[at + 15] !== pb.TAG_SEQ_INFO_TS || buf[at + 24] !== pb.TAG_SEQ_INFO_ROW_INDEX || buf[end - 2] !== pb.TAG_ROW_CHECKSUM) return -1;
  return u32(buf, at + 16) + i32(buf, at + 20) * TWO_POW_32;
}

/**
 * Reads only the sequence-info timestamp (microseconds) of a one-row buffer,
 * skipping cells by their lengths; -1 when the row has no sequence info.
 * Lets the reader drop records outside its window without decoding them.
 */
export function readSequenceTimestamp(buf: Buffer, start: number, end: number): number {
  const d = shared.reset(buf, start, end, false);
  d.readHeader();
  return d.skipRowToSequenceTimestamp();
}

/** Receives a row's key columns and cells in wire order (see visitStreamRecordAt). */
export interface RowVisitor {
  key(name: string, type: PrimaryKeyType | PrimaryKeyPlaceholder, value: PrimaryKeyValue | null): void;
  cell(name: string, operation: CellOperation, type: ColumnType | null, value: ColumnValue | null, timestampMillis: number | null): void;
}

/**
 * Receives a row's key columns and cells in wire order as byte ranges of the buffer (see
 * visitStreamRecordBytesAt): `vt` is the PlainBuffer variant type (VT_INTEGER, VT_DOUBLE, VT_BOOLEAN, VT_STRING,
 * VT_BLOB; -1 for a cell without a value) and buf[start, end) its payload: an integer's or a double's 8
 * little-endian bytes, a boolean's byte, a string's UTF-8 bytes (not validated), a binary's bytes. A cell's
 * timestamp is the 8 little-endian bytes at buf[timestampAt] (-1: none), its name's UTF-8 bytes buf[nameStart, nameEnd).
 */
export interface RowBytesVisitor {
  keyBytes(name: string, vt: number, buf: Buffer, start: number, end: number): void;
  cellBytes(name: string, operation: CellOperation, vt: number, buf: Buffer, start: number, end: number, timestampAt: number, nameStart: number, nameEnd: number): void;
}

/**
 * Decodes the one-row stream record buf[start, end) into `visitor` without building the row: no column objects or
 * arrays, names interned. Refuses key placeholders and increments (a stream record never carries them). Returns
 * the sequence-info timestamp, -1 when there is none.
 */
export function visitStreamRecordAt(buf: Buffer, start: number, end: number, verifyChecksums: boolean, visitor: RowVisitor): number {
  return shared.reset(buf, start, end, verifyChecksums).walkStreamRecord(visitor, null);
}

/**
 * visitStreamRecordAt handing out byte ranges instead of values (no value is built): the same checks, checksums
 * included. Returns the sequence-info timestamp, -1 when there is none.
 */
export function visitStreamRecordBytesAt(buf: Buffer, start: number, end: number, verifyChecksums: boolean, visitor: RowBytesVisitor): number {
  return shared.reset(buf, start, end, verifyChecksums).walkStreamRecord(null, visitor);
}

/** The sequence info of a one-row buffer (epoch, write time, row index), or null. */
export function readSequenceInfo(buf: Buffer, start: number, end: number): SequenceInfo | null {
  const d = shared.reset(buf, start, end, false);
  d.readHeader();
  d.skipRowToSequenceTimestamp();
  return d.hasSequence ? { epoch: d.seqEpoch, timestampMicros: d.seqTimestamp, rowIndex: d.seqRowIndex } : null;
}

/** Builds the key columns and cells of a PlainBufferRow. */
class RowBuilder implements RowVisitor {
  readonly primaryKey: WirePrimaryKeyColumn[] = [];
  readonly cells: Cell[] = [];

  key(name: string, type: PrimaryKeyType | PrimaryKeyPlaceholder, value: PrimaryKeyValue | null): void {
    this.primaryKey.push({ name, type, value } as WirePrimaryKeyColumn);
  }

  cell(name: string, operation: CellOperation, type: ColumnType | null, value: ColumnValue | null, timestampMillis: number | null): void {
    this.cells.push({ name, operation, type, value, timestampMillis });
  }
}

/**
 * Decoding state. One instance is reused for every call (decoding is
 * synchronous), which saves an allocation per stream record.
 */
class Decoder {
  buf: Buffer = EMPTY;
  pos = 0;
  end = 0;
  private verify = true;
  /** Checksum of the cell read last. */
  private cellCrc = 0;
  /** Type and value of the variant read last (readValue). */
  private valueType: PrimaryKeyType | PrimaryKeyPlaceholder | ColumnType = 'INTEGER';
  private value: ColumnValue | null = null;
  /** Variant type byte and payload range of the value read last (readValue). */
  private vt = 0;
  private payloadStart = 0;
  private payloadEnd = 0;
  private nameStart = 0;
  private nameEnd = 0;
  /** Set while walkStreamRecord hands out byte ranges: readValue then builds no value. */
  private bytesVisitor: RowBytesVisitor | null = null;
  /** What walkRow read after the cells. */
  deleteMarker = false;
  hasSequence = false;
  seqEpoch = 0;
  seqTimestamp = 0;
  seqRowIndex = 0;

  reset(buf: Buffer, start: number, end: number, verify: boolean): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.verify = verify;
    this.cellCrc = 0;
    this.hasSequence = false;
    this.bytesVisitor = null;
    return this;
  }

  readHeader(): void {
    this.need(4);
    const header = u32(this.buf, this.pos);
    if (header !== pb.PB_HEADER) throw new PlainBufferError(`bad header 0x${header.toString(16)}, expected 0x75`, this.pos);
    this.pos += 4;
  }

  /** Reads the one row of a stream record into `visitor`, or as byte ranges into `bytesVisitor`; returns its sequence timestamp or -1. */
  walkStreamRecord(visitor: RowVisitor | null, bytesVisitor: RowBytesVisitor | null): number {
    this.readHeader();
    // reset() clears it again for whatever decodes next, even after a throw.
    this.bytesVisitor = bytesVisitor;
    this.walkRow(visitor as RowVisitor, true);
    this.bytesVisitor = null;
    if (this.pos !== this.end) throw new PlainBufferError(`expected exactly one row, ${this.end - this.pos} trailing bytes`, this.pos);
    return this.hasSequence ? this.seqTimestamp : -1;
  }

  readRow(): PlainBufferRow {
    const builder = new RowBuilder();
    this.walkRow(builder, false);
    const sequence = this.hasSequence ? { epoch: this.seqEpoch, timestampMicros: this.seqTimestamp, rowIndex: this.seqRowIndex } : null;
    return { primaryKey: builder.primaryKey, cells: builder.cells, deleteMarker: this.deleteMarker, sequence };
  }

  /**
   * Reads a row, handing each key column and cell to `visitor` as it goes; the delete marker and the sequence info
   * are left in the decoder's fields. `streamRecord` refuses what only requests carry (key placeholders, increments).
   */
  walkRow(visitor: RowVisitor, streamRecord: boolean): void {
    const buf = this.buf;
    this.expectTag(pb.TAG_ROW_PK, 'TAG_ROW_PK');
    let rowCrc = 0;
    while (this.pos < this.end && buf[this.pos] === pb.TAG_CELL) {
      this.pos++;
      this.readPrimaryKeyCell(visitor, streamRecord);
      rowCrc = crc8Byte(rowCrc, this.cellCrc);
    }
    if (this.pos < this.end && buf[this.pos] === pb.TAG_ROW_DATA) {
      this.pos++;
      while (this.pos < this.end && buf[this.pos] === pb.TAG_CELL) {
        this.pos++;
        this.readAttributeCell(visitor, streamRecord);
        rowCrc = crc8Byte(rowCrc, this.cellCrc);
      }
    }
    this.deleteMarker = false;
    if (this.pos < this.end && buf[this.pos] === pb.TAG_DELETE_ROW_MARKER) {
      this.pos++;
      this.deleteMarker = true;
    }
    rowCrc = crc8Byte(rowCrc, this.deleteMarker ? 1 : 0);
    this.hasSequence = false;
    if (this.pos < this.end && buf[this.pos] === pb.TAG_EXTENSION) {
      this.pos++;
      this.readExtension();
    }
    this.expectTag(pb.TAG_ROW_CHECKSUM, 'TAG_ROW_CHECKSUM');
    this.need(1);
    const expected = buf[this.pos++];
    if (this.verify && expected !== rowCrc) {
      throw new PlainBufferError(`row checksum mismatch: stored ${expected}, computed ${rowCrc}`, this.pos - 1);
    }
  }

  /** Walks a row without materialising it and returns its sequence timestamp or -1. */
  skipRowToSequenceTimestamp(): number {
    const buf = this.buf;
    this.expectTag(pb.TAG_ROW_PK, 'TAG_ROW_PK');
    while (this.pos < this.end) {
      const tag = buf[this.pos];
      if (tag === pb.TAG_CELL || tag === pb.TAG_ROW_DATA) {
        this.pos++;
        if (tag === pb.TAG_CELL) this.skipCell();
        continue;
      }
      if (tag === pb.TAG_DELETE_ROW_MARKER) {
        this.pos++;
        continue;
      }
      if (tag === pb.TAG_EXTENSION) {
        this.pos++;
        this.readExtension();
        return this.hasSequence ? this.seqTimestamp : -1;
      }
      return -1;
    }
    return -1;
  }

  private skipCell(): void {
    const buf = this.buf;
    while (this.pos < this.end) {
      const tag = buf[this.pos++];
      switch (tag) {
        case pb.TAG_CELL_NAME:
        case pb.TAG_CELL_VALUE:
          this.need(4);
          this.pos += 4 + u32(buf, this.pos);
          break;
        case pb.TAG_CELL_TYPE:
          this.pos += 1;
          break;
        case pb.TAG_CELL_TIMESTAMP:
          this.pos += 8;
          break;
        case pb.TAG_CELL_CHECKSUM:
          this.pos += 1;
          return;
        default:
          throw new PlainBufferError(`unexpected tag 0x${tag.toString(16)} inside a cell`, this.pos - 1);
      }
    }
    throw new PlainBufferError('cell runs past the end of the buffer', this.pos);
  }

  private readPrimaryKeyCell(visitor: RowVisitor, streamRecord: boolean): void {
    const name = this.readCellName();
    this.expectTag(pb.TAG_CELL_VALUE, 'TAG_CELL_VALUE');
    const at = this.pos;
    const crc = this.readValue(name, true, this.cellCrc);
    const type = this.valueType as PrimaryKeyType | PrimaryKeyPlaceholder;
    if (streamRecord && this.payloadStart < 0) throw new PlainBufferError(`primary key column ${name} is a ${type} placeholder`, at + 4);
    this.finishCell(crc, name);
    if (this.bytesVisitor !== null) this.bytesVisitor.keyBytes(name, this.vt, this.buf, this.payloadStart, this.payloadEnd);
    else visitor.key(name, type, this.value as PrimaryKeyValue | null);
  }

  private readAttributeCell(visitor: RowVisitor, streamRecord: boolean): void {
    const buf = this.buf;
    const name = this.readCellName();
    let crc = this.cellCrc;
    let type: ColumnType | null = null;
    let value: ColumnValue | null = null;
    let vt = -1;
    if (this.pos < this.end && buf[this.pos] === pb.TAG_CELL_VALUE) {
      this.pos++;
      crc = this.readValue(name, false, crc);
      type = this.valueType as ColumnType;
      value = this.value;
      vt = this.vt;
    }
    let operation: CellOperation = 'PUT';
    let opByte = -1;
    if (this.pos < this.end && buf[this.pos] === pb.TAG_CELL_TYPE) {
      this.need(2);
      opByte = buf[this.pos + 1];
      this.pos += 2;
      switch (opByte) {
        case pb.OP_DELETE_ALL_VERSIONS:
          operation = 'DELETE_ALL_VERSIONS';
          break;
        case pb.OP_DELETE_ONE_VERSION:
          operation = 'DELETE_ONE_VERSION';
          break;
        case pb.OP_INCREMENT:
          if (streamRecord) throw new PlainBufferError(`column ${name} is an increment`, this.pos - 1);
          operation = 'INCREMENT';
          break;
        default:
          throw new PlainBufferError(`column "${name}" has unknown cell type 0x${opByte.toString(16)}`, this.pos - 1);
      }
    }
    let timestampMillis: number | null = null;
    let timestampAt = -1;
    if (this.pos < this.end && buf[this.pos] === pb.TAG_CELL_TIMESTAMP) {
      this.need(9);
      const at = this.pos + 1;
      timestampAt = at;
      timestampMillis = u32(buf, at) + i32(buf, at + 4) * TWO_POW_32;
      if (this.verify) crc = crc8Range(crc, buf, at, at + 8);
      this.pos += 9;
    }
    // The checksum covers the cell type after the timestamp, whatever their wire order.
    if (opByte >= 0) crc = crc8Byte(crc, opByte);
    this.finishCell(crc, name);
    if (this.bytesVisitor !== null) this.bytesVisitor.cellBytes(name, operation, vt, buf, this.payloadStart, this.payloadEnd, timestampAt, this.nameStart, this.nameEnd);
    else visitor.cell(name, operation, type, value, timestampMillis);
  }

  /**
   * Reads the variant that follows TAG_CELL_VALUE into valueType, vt, the payload range (-1 for a key placeholder)
   * and value (null for a key placeholder; not built while a bytes visitor walks) and returns `crc` with the
   * value's bytes added. Keys take INTEGER, STRING, BINARY and the placeholders; columns INTEGER, DOUBLE, BOOLEAN,
   * STRING and BINARY.
   */
  private readValue(name: string, key: boolean, crc: number): number {
    const buf = this.buf;
    this.need(5);
    const len = u32(buf, this.pos);
    const valueStart = this.pos + 4;
    const valueEnd = valueStart + len;
    if (valueEnd > this.end || len < 1) throw new PlainBufferError(`${key ? 'primary key' : 'column'} "${name}" value length ${len} out of range`, this.pos);
    const vt = buf[valueStart];
    const build = this.bytesVisitor === null;
    this.value = null;
    this.vt = vt;
    this.payloadStart = valueStart + 1;
    this.payloadEnd = valueEnd;
    switch (key ? vt : vt | COLUMN_ONLY) {
      case pb.VT_INTEGER:
      case pb.VT_INTEGER | COLUMN_ONLY:
        this.fixedLength('INTEGER', 9, len, name, key);
        if (build) this.value = readInt64(buf, valueStart + 1);
        break;
      case pb.VT_DOUBLE | COLUMN_ONLY:
        this.fixedLength('DOUBLE', 9, len, name, key);
        if (build) this.value = buf.readDoubleLE(valueStart + 1);
        break;
      case pb.VT_BOOLEAN | COLUMN_ONLY:
        this.fixedLength('BOOLEAN', 2, len, name, key);
        if (build) this.value = buf[valueStart + 1] !== 0;
        break;
      case pb.VT_STRING:
      case pb.VT_STRING | COLUMN_ONLY:
        this.valueType = 'STRING';
        this.lengthPrefixed('string', valueStart + 1, valueEnd, name);
        if (build) this.value = decodeUtf8(buf, this.payloadStart, valueEnd);
        break;
      case pb.VT_BLOB:
      case pb.VT_BLOB | COLUMN_ONLY:
        this.valueType = 'BINARY';
        this.lengthPrefixed('binary', valueStart + 1, valueEnd, name);
        if (build) this.value = buf.subarray(this.payloadStart, valueEnd);
        break;
      case pb.VT_INF_MIN:
        this.valueType = 'INF_MIN';
        this.payloadStart = -1;
        break;
      case pb.VT_INF_MAX:
        this.valueType = 'INF_MAX';
        this.payloadStart = -1;
        break;
      case pb.VT_AUTO_INCREMENT:
        this.valueType = 'AUTO_INCREMENT';
        this.payloadStart = -1;
        break;
      default:
        throw new PlainBufferError(`${key ? 'primary key' : 'column'} "${name}" has unsupported variant type 0x${vt.toString(16)}`, valueStart);
    }
    this.pos = valueEnd;
    return this.verify ? crc8Range(crc, buf, valueStart, valueEnd) : crc;
  }

  private fixedLength(type: ColumnType, expected: number, len: number, name: string, key: boolean): void {
    if (len !== expected) throw new PlainBufferError(`${type} ${key ? 'key' : 'column'} "${name}" has length ${len}`, this.pos);
    this.valueType = type;
  }

  /** Reads TAG_CELL_NAME and the name; leaves the name's checksum in cellCrc, its bytes' range in nameStart and nameEnd. */
  private readCellName(): string {
    this.expectTag(pb.TAG_CELL_NAME, 'TAG_CELL_NAME');
    this.need(4);
    const len = u32(this.buf, this.pos);
    const start = this.pos + 4;
    const end = start + len;
    if (end > this.end) throw new PlainBufferError(`cell name length ${len} runs past the buffer`, this.pos);
    this.pos = end;
    this.nameStart = start;
    this.nameEnd = end;
    const name = internName(this.buf, start, end);
    this.cellCrc = this.verify ? internedCrc : 0;
    return name;
  }

  private finishCell(crc: number, name: string): void {
    this.expectTag(pb.TAG_CELL_CHECKSUM, 'TAG_CELL_CHECKSUM');
    this.need(1);
    const stored = this.buf[this.pos++];
    if (this.verify && stored !== crc) {
      throw new PlainBufferError(`cell "${name}" checksum mismatch: stored ${stored}, computed ${crc}`, this.pos - 1);
    }
    this.cellCrc = stored;
  }

  /** Checks the inner length of a string or binary at `at` and sets the payload to the bytes after it. */
  private lengthPrefixed(what: string, at: number, valueEnd: number, name: string): void {
    const len = u32(this.buf, at);
    if (at + 4 + len !== valueEnd) throw new PlainBufferError(`${what} "${name}" length ${len} disagrees with the cell length`, at);
    this.payloadStart = at + 4;
  }

  /** Reads the extension; the sequence info, if any, goes to hasSequence and the seq* fields. */
  private readExtension(): void {
    const buf = this.buf;
    this.need(4);
    const extLen = u32(buf, this.pos);
    this.pos += 4;
    const extEnd = this.pos + extLen;
    if (extEnd > this.end) throw new PlainBufferError(`extension length ${extLen} runs past the buffer`, this.pos - 4);
    while (this.pos < extEnd) {
      const tag = buf[this.pos++];
      this.need(4);
      const len = u32(buf, this.pos);
      this.pos += 4;
      if (tag === pb.TAG_SEQ_INFO) {
        if (len !== 19 || this.pos + 19 > extEnd) throw new PlainBufferError(`sequence info length ${len}, expected 19`, this.pos - 4);
        if (buf[this.pos] !== pb.TAG_SEQ_INFO_EPOCH || buf[this.pos + 5] !== pb.TAG_SEQ_INFO_TS || buf[this.pos + 14] !== pb.TAG_SEQ_INFO_ROW_INDEX) {
          throw new PlainBufferError('sequence info tags out of order', this.pos);
        }
        this.hasSequence = true;
        this.seqEpoch = u32(buf, this.pos + 1);
        this.seqTimestamp = u32(buf, this.pos + 6) + i32(buf, this.pos + 10) * TWO_POW_32;
        this.seqRowIndex = u32(buf, this.pos + 15);
      }
      // Unknown extension entries are skipped by their length, as the SDKs do.
      this.pos += len;
    }
    if (this.pos !== extEnd) throw new PlainBufferError('extension entries overrun the extension length', this.pos);
  }

  private expectTag(tag: number, what: string): void {
    if (this.pos >= this.end) throw new PlainBufferError(`expected ${what}, found end of buffer`, this.pos);
    const found = this.buf[this.pos];
    if (found !== tag) throw new PlainBufferError(`expected ${what} (0x${tag.toString(16)}), found 0x${found.toString(16)}`, this.pos);
    this.pos++;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new PlainBufferError(`truncated: need ${n} bytes, ${this.end - this.pos} left`, this.pos);
  }
}

const EMPTY = Buffer.alloc(0);

// Buffer#readUInt32LE and co. validate their argument on every call; offsets here are range-checked already.
function u32(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16)) + buf[at + 3] * 0x1000000;
}

function i32(buf: Uint8Array, at: number): number {
  return buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24);
}

/** The little-endian int64 at buf[at] as a number when it is within ±2^53 (so exact), NaN beyond. */
export function readSafeInt64(buf: Uint8Array, at: number): number {
  const hi = i32(buf, at + 4);
  return hi >= -0x200000 && hi < 0x200000 ? hi * TWO_POW_32 + u32(buf, at) : NaN;
}

/**
 * int64 little-endian as bigint. Values within ±2^53 (nearly all) take one
 * BigInt conversion instead of the shift-and-add readBigInt64LE performs.
 */
export function readInt64(buf: Buffer, at: number): bigint {
  const safe = readSafeInt64(buf, at);
  if (!Number.isNaN(safe)) return BigInt(safe);
  return (BigInt(i32(buf, at + 4)) << 32n) + BigInt(u32(buf, at));
}
const shared = new Decoder();

type SliceFn = (this: Buffer, start: number, end: number) => string;
/** Buffer's own UTF-8 slicer (what toString('utf8') ends in) without the argument checks. */
const utf8Slice: SliceFn | undefined = (Buffer.prototype as unknown as { utf8Slice?: SliceFn }).utf8Slice;

/** UTF-8 decode of buf[start, end). */
export function decodeUtf8(buf: Buffer, start: number, end: number): string {
  if (start === end) return '';
  return utf8Slice !== undefined ? utf8Slice.call(buf, start, end) : buf.toString('utf8', start, end);
}

/*
 * Column and key names repeat in every record: a small direct-mapped cache
 * returns the same string (and checksum) for the same bytes instead of decoding
 * (and checksumming) again.
 */
const NAME_CACHE_SLOTS = 1024;
const NAME_MAX_BYTES = 32;
const nameBytes = Buffer.alloc(NAME_CACHE_SLOTS * NAME_MAX_BYTES);
const nameLengths = new Int16Array(NAME_CACHE_SLOTS).fill(-1);
const nameStrings: string[] = new Array<string>(NAME_CACHE_SLOTS).fill('');
const nameCrcs = new Uint8Array(NAME_CACHE_SLOTS);
/** CRC-8 of the bytes of the name internName returned last. */
let internedCrc = 0;

function internName(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len > NAME_MAX_BYTES || len === 0) {
    internedCrc = crc8Range(0, buf, start, end);
    return decodeUtf8(buf, start, end);
  }
  // Slot from the length and three bytes: cheaper than hashing every byte, and a table's few names rarely collide.
  const h = Math.imul(len ^ (buf[start] << 8) ^ (buf[start + (len >> 1)] << 16) ^ (buf[end - 1] << 24), 0x9e3779b1);
  const slot = (h >>> 22) & (NAME_CACHE_SLOTS - 1);
  const base = slot * NAME_MAX_BYTES;
  if (nameLengths[slot] === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (nameBytes[base + i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      internedCrc = nameCrcs[slot];
      return nameStrings[slot];
    }
  }
  const s = decodeUtf8(buf, start, end);
  buf.copy(nameBytes, base, start, end);
  nameLengths[slot] = len;
  nameStrings[slot] = s;
  internedCrc = nameCrcs[slot] = crc8Range(0, buf, start, end);
  return s;
}
