/**
 * PlainBuffer decoder.
 *
 * Hot path of the stream reader (one call per stream record), so it reads the
 * Buffer in place: no intermediate byte copies, checksums computed over byte
 * ranges, short ASCII strings built without going through the UTF-8 decoder.
 */
import {
  OP_DELETE_ALL_VERSIONS,
  OP_DELETE_ONE_VERSION,
  OP_INCREMENT,
  PB_HEADER,
  TAG_CELL,
  TAG_CELL_CHECKSUM,
  TAG_CELL_NAME,
  TAG_CELL_TIMESTAMP,
  TAG_CELL_TYPE,
  TAG_CELL_VALUE,
  TAG_DELETE_ROW_MARKER,
  TAG_EXTENSION,
  TAG_ROW_CHECKSUM,
  TAG_ROW_DATA,
  TAG_ROW_PK,
  TAG_SEQ_INFO,
  TAG_SEQ_INFO_EPOCH,
  TAG_SEQ_INFO_ROW_INDEX,
  TAG_SEQ_INFO_TS,
  VT_AUTO_INCREMENT,
  VT_BLOB,
  VT_BOOLEAN,
  VT_DOUBLE,
  VT_INF_MAX,
  VT_INF_MIN,
  VT_INTEGER,
  VT_STRING,
} from './constants';
import { crc8Byte, crc8Range } from './crc8';
import {
  Cell,
  CellOperation,
  ColumnType,
  ColumnValue,
  PlainBufferError,
  PlainBufferRow,
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

/** Decodes a buffer holding a header and any number of rows. */
export function decodeRows(buf: Buffer, options: DecodeOptions = {}): PlainBufferRow[] {
  const d = shared.reset(buf, 0, buf.length, options.verifyChecksums !== false);
  d.readHeader();
  const rows: PlainBufferRow[] = [];
  while (d.pos < d.end) rows.push(d.readRow());
  return rows;
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

  reset(buf: Buffer, start: number, end: number, verify: boolean): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.verify = verify;
    this.cellCrc = 0;
    return this;
  }

  readHeader(): void {
    this.need(4);
    const header = u32(this.buf, this.pos);
    if (header !== PB_HEADER) throw new PlainBufferError(`bad header 0x${header.toString(16)}, expected 0x75`, this.pos);
    this.pos += 4;
  }

  readRow(): PlainBufferRow {
    const buf = this.buf;
    this.expectTag(TAG_ROW_PK, 'TAG_ROW_PK');
    let rowCrc = 0;
    const primaryKey: WirePrimaryKeyColumn[] = [];
    while (this.pos < this.end && buf[this.pos] === TAG_CELL) {
      this.pos++;
      primaryKey.push(this.readPrimaryKeyCell());
      rowCrc = crc8Byte(rowCrc, this.cellCrc);
    }
    const cells: Cell[] = [];
    if (this.pos < this.end && buf[this.pos] === TAG_ROW_DATA) {
      this.pos++;
      while (this.pos < this.end && buf[this.pos] === TAG_CELL) {
        this.pos++;
        cells.push(this.readAttributeCell());
        rowCrc = crc8Byte(rowCrc, this.cellCrc);
      }
    }
    let deleteMarker = false;
    if (this.pos < this.end && buf[this.pos] === TAG_DELETE_ROW_MARKER) {
      this.pos++;
      deleteMarker = true;
    }
    rowCrc = crc8Byte(rowCrc, deleteMarker ? 1 : 0);
    let sequence: SequenceInfo | null = null;
    if (this.pos < this.end && buf[this.pos] === TAG_EXTENSION) {
      this.pos++;
      sequence = this.readExtension();
    }
    this.expectTag(TAG_ROW_CHECKSUM, 'TAG_ROW_CHECKSUM');
    this.need(1);
    const expected = buf[this.pos++];
    if (this.verify && expected !== rowCrc) {
      throw new PlainBufferError(`row checksum mismatch: stored ${expected}, computed ${rowCrc}`, this.pos - 1);
    }
    return { primaryKey, cells, deleteMarker, sequence };
  }

  /** Walks a row without materialising it and returns its sequence timestamp or -1. */
  skipRowToSequenceTimestamp(): number {
    const buf = this.buf;
    this.expectTag(TAG_ROW_PK, 'TAG_ROW_PK');
    while (this.pos < this.end) {
      const tag = buf[this.pos];
      if (tag === TAG_CELL || tag === TAG_ROW_DATA) {
        this.pos++;
        if (tag === TAG_CELL) this.skipCell();
        continue;
      }
      if (tag === TAG_DELETE_ROW_MARKER) {
        this.pos++;
        continue;
      }
      if (tag === TAG_EXTENSION) {
        this.pos++;
        const seq = this.readExtension();
        return seq ? seq.timestampMicros : -1;
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
        case TAG_CELL_NAME:
        case TAG_CELL_VALUE:
          this.need(4);
          this.pos += 4 + u32(buf, this.pos);
          break;
        case TAG_CELL_TYPE:
          this.pos += 1;
          break;
        case TAG_CELL_TIMESTAMP:
          this.pos += 8;
          break;
        case TAG_CELL_CHECKSUM:
          this.pos += 1;
          return;
        default:
          throw new PlainBufferError(`unexpected tag 0x${tag.toString(16)} inside a cell`, this.pos - 1);
      }
    }
    throw new PlainBufferError('cell runs past the end of the buffer', this.pos);
  }

  private readPrimaryKeyCell(): WirePrimaryKeyColumn {
    const buf = this.buf;
    const name = this.readCellName();
    let crc = this.cellCrc;
    this.expectTag(TAG_CELL_VALUE, 'TAG_CELL_VALUE');
    this.need(5);
    const len = u32(buf, this.pos);
    const valueStart = this.pos + 4;
    const valueEnd = valueStart + len;
    if (valueEnd > this.end || len < 1) throw new PlainBufferError(`primary key "${name}" value length ${len} out of range`, this.pos);
    const vt = buf[valueStart];
    let column: WirePrimaryKeyColumn;
    switch (vt) {
      case VT_INTEGER:
        if (len !== 9) throw new PlainBufferError(`INTEGER key "${name}" has length ${len}`, this.pos);
        column = { name, type: 'INTEGER', value: readInt64(buf, valueStart + 1) };
        break;
      case VT_STRING:
        column = { name, type: 'STRING', value: this.readLengthPrefixedString(valueStart + 1, valueEnd, name) };
        break;
      case VT_BLOB:
        column = { name, type: 'BINARY', value: this.readLengthPrefixedBytes(valueStart + 1, valueEnd, name) };
        break;
      case VT_INF_MIN:
        column = { name, type: 'INF_MIN', value: null };
        break;
      case VT_INF_MAX:
        column = { name, type: 'INF_MAX', value: null };
        break;
      case VT_AUTO_INCREMENT:
        column = { name, type: 'AUTO_INCREMENT', value: null };
        break;
      default:
        throw new PlainBufferError(`primary key "${name}" has unsupported variant type 0x${vt.toString(16)}`, valueStart);
    }
    if (this.verify) crc = crc8Range(crc, buf, valueStart, valueEnd);
    this.pos = valueEnd;
    this.finishCell(crc, name);
    return column;
  }

  private readAttributeCell(): Cell {
    const buf = this.buf;
    const name = this.readCellName();
    let crc = this.cellCrc;
    let type: ColumnType | null = null;
    let value: ColumnValue | null = null;
    if (this.pos < this.end && buf[this.pos] === TAG_CELL_VALUE) {
      this.pos++;
      this.need(5);
      const len = u32(buf, this.pos);
      const valueStart = this.pos + 4;
      const valueEnd = valueStart + len;
      if (valueEnd > this.end || len < 1) throw new PlainBufferError(`column "${name}" value length ${len} out of range`, this.pos);
      const vt = buf[valueStart];
      switch (vt) {
        case VT_INTEGER:
          if (len !== 9) throw new PlainBufferError(`INTEGER column "${name}" has length ${len}`, this.pos);
          type = 'INTEGER';
          value = readInt64(buf, valueStart + 1);
          break;
        case VT_DOUBLE:
          if (len !== 9) throw new PlainBufferError(`DOUBLE column "${name}" has length ${len}`, this.pos);
          type = 'DOUBLE';
          value = buf.readDoubleLE(valueStart + 1);
          break;
        case VT_BOOLEAN:
          if (len !== 2) throw new PlainBufferError(`BOOLEAN column "${name}" has length ${len}`, this.pos);
          type = 'BOOLEAN';
          value = buf[valueStart + 1] !== 0;
          break;
        case VT_STRING:
          type = 'STRING';
          value = this.readLengthPrefixedString(valueStart + 1, valueEnd, name);
          break;
        case VT_BLOB:
          type = 'BINARY';
          value = this.readLengthPrefixedBytes(valueStart + 1, valueEnd, name);
          break;
        default:
          throw new PlainBufferError(`column "${name}" has unsupported variant type 0x${vt.toString(16)}`, valueStart);
      }
      if (this.verify) crc = crc8Range(crc, buf, valueStart, valueEnd);
      this.pos = valueEnd;
    }
    let operation: CellOperation = 'PUT';
    let opByte = -1;
    if (this.pos < this.end && buf[this.pos] === TAG_CELL_TYPE) {
      this.need(2);
      opByte = buf[this.pos + 1];
      this.pos += 2;
      switch (opByte) {
        case OP_DELETE_ALL_VERSIONS:
          operation = 'DELETE_ALL_VERSIONS';
          break;
        case OP_DELETE_ONE_VERSION:
          operation = 'DELETE_ONE_VERSION';
          break;
        case OP_INCREMENT:
          operation = 'INCREMENT';
          break;
        default:
          throw new PlainBufferError(`column "${name}" has unknown cell type 0x${opByte.toString(16)}`, this.pos - 1);
      }
    }
    let timestampMillis: number | null = null;
    if (this.pos < this.end && buf[this.pos] === TAG_CELL_TIMESTAMP) {
      this.need(9);
      const at = this.pos + 1;
      timestampMillis = u32(buf, at) + i32(buf, at + 4) * TWO_POW_32;
      if (this.verify) crc = crc8Range(crc, buf, at, at + 8);
      this.pos += 9;
    }
    // The checksum covers the cell type after the timestamp, whatever their wire order.
    if (opByte >= 0) crc = crc8Byte(crc, opByte);
    this.finishCell(crc, name);
    return { name, operation, type, value, timestampMillis };
  }

  /** Reads TAG_CELL_NAME and the name; leaves the name's checksum in cellCrc. */
  private readCellName(): string {
    this.expectTag(TAG_CELL_NAME, 'TAG_CELL_NAME');
    this.need(4);
    const len = u32(this.buf, this.pos);
    const start = this.pos + 4;
    const end = start + len;
    if (end > this.end) throw new PlainBufferError(`cell name length ${len} runs past the buffer`, this.pos);
    this.pos = end;
    this.cellCrc = this.verify ? crc8Range(0, this.buf, start, end) : 0;
    return internName(this.buf, start, end);
  }

  private finishCell(crc: number, name: string): void {
    this.expectTag(TAG_CELL_CHECKSUM, 'TAG_CELL_CHECKSUM');
    this.need(1);
    const stored = this.buf[this.pos++];
    if (this.verify && stored !== crc) {
      throw new PlainBufferError(`cell "${name}" checksum mismatch: stored ${stored}, computed ${crc}`, this.pos - 1);
    }
    this.cellCrc = stored;
  }

  private readLengthPrefixedString(at: number, valueEnd: number, name: string): string {
    const len = u32(this.buf, at);
    if (at + 4 + len !== valueEnd) throw new PlainBufferError(`string "${name}" length ${len} disagrees with the cell length`, at);
    return decodeUtf8(this.buf, at + 4, valueEnd);
  }

  private readLengthPrefixedBytes(at: number, valueEnd: number, name: string): Buffer {
    const len = u32(this.buf, at);
    if (at + 4 + len !== valueEnd) throw new PlainBufferError(`binary "${name}" length ${len} disagrees with the cell length`, at);
    return this.buf.subarray(at + 4, valueEnd);
  }

  private readExtension(): SequenceInfo | null {
    const buf = this.buf;
    this.need(4);
    const extLen = u32(buf, this.pos);
    this.pos += 4;
    const extEnd = this.pos + extLen;
    if (extEnd > this.end) throw new PlainBufferError(`extension length ${extLen} runs past the buffer`, this.pos - 4);
    let sequence: SequenceInfo | null = null;
    while (this.pos < extEnd) {
      const tag = buf[this.pos++];
      this.need(4);
      const len = u32(buf, this.pos);
      this.pos += 4;
      if (tag === TAG_SEQ_INFO) {
        if (len !== 19 || this.pos + 19 > extEnd) throw new PlainBufferError(`sequence info length ${len}, expected 19`, this.pos - 4);
        if (buf[this.pos] !== TAG_SEQ_INFO_EPOCH || buf[this.pos + 5] !== TAG_SEQ_INFO_TS || buf[this.pos + 14] !== TAG_SEQ_INFO_ROW_INDEX) {
          throw new PlainBufferError('sequence info tags out of order', this.pos);
        }
        const epoch = u32(buf, this.pos + 1);
        const timestampMicros = u32(buf, this.pos + 6) + i32(buf, this.pos + 10) * TWO_POW_32;
        const rowIndex = u32(buf, this.pos + 15);
        sequence = { epoch, timestampMicros, rowIndex };
      }
      // Unknown extension entries are skipped by their length, as the SDKs do.
      this.pos += len;
    }
    if (this.pos !== extEnd) throw new PlainBufferError('extension entries overrun the extension length', this.pos);
    return sequence;
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
function u32(buf: Buffer, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16)) + buf[at + 3] * 0x1000000;
}

function i32(buf: Buffer, at: number): number {
  return buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24);
}

/**
 * int64 little-endian as bigint. Values within ±2^53 (nearly all) take one
 * BigInt conversion instead of the shift-and-add readBigInt64LE performs.
 */
function readInt64(buf: Buffer, at: number): bigint {
  const lo = u32(buf, at);
  const hi = i32(buf, at + 4);
  if (hi >= -0x200000 && hi < 0x200000) return BigInt(hi * TWO_POW_32 + lo);
  return (BigInt(hi) << 32n) + BigInt(lo);
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
 * returns the same string for the same bytes instead of decoding again.
 */
const NAME_CACHE_SLOTS = 1024;
const NAME_MAX_BYTES = 32;
const nameBytes = Buffer.alloc(NAME_CACHE_SLOTS * NAME_MAX_BYTES);
const nameLengths = new Int16Array(NAME_CACHE_SLOTS).fill(-1);
const nameStrings: string[] = new Array<string>(NAME_CACHE_SLOTS).fill('');

function internName(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len > NAME_MAX_BYTES) return decodeUtf8(buf, start, end);
  if (len === 0) return '';
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
    if (same) return nameStrings[slot];
  }
  const s = decodeUtf8(buf, start, end);
  buf.copy(nameBytes, base, start, end);
  nameLengths[slot] = len;
  nameStrings[slot] = s;
  return s;
}
