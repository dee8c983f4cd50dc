/**
 * PlainBuffer encoder: rows with checksums, optional delete marker and stream
 * sequence info. Produces what the official SDKs produce and parse.
 */
import { GrowableBuffer } from '../../common/growable-buffer';
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
import { CellOperation, ColumnType, ColumnValue, PrimaryKeyPlaceholder, PrimaryKeyType, PrimaryKeyValue, SequenceInfo } from './types';

export interface EncodablePrimaryKeyColumn {
  readonly name: string;
  readonly type: PrimaryKeyType | PrimaryKeyPlaceholder;
  /** bigint or a safe-integer number for INTEGER; ignored for placeholders. */
  readonly value: PrimaryKeyValue | number | null;
}

export interface EncodableCell {
  readonly name: string;
  /** Default PUT. */
  readonly operation?: CellOperation;
  /** Required when value is set. */
  readonly type?: ColumnType | null;
  /** bigint or a safe-integer number for INTEGER. */
  readonly value?: ColumnValue | null;
  readonly timestampMillis?: number | null;
}

export interface EncodableRow {
  readonly primaryKey: readonly EncodablePrimaryKeyColumn[];
  readonly cells?: readonly EncodableCell[];
  readonly deleteMarker?: boolean;
  readonly sequence?: SequenceInfo | null;
}

/** Encodes rows (with the 0x75 header) into one buffer. */
export function encodeRows(rows: readonly EncodableRow[]): Buffer {
  const w = new PlainBufferWriter();
  w.writeHeader();
  for (const row of rows) w.writeRow(row);
  return w.finish();
}

/** Encodes one row with its header: a PutRow/UpdateRow row, a stream record, a key. */
export function encodeRow(row: EncodableRow): Buffer {
  return encodeRows([row]);
}

/** Infers the column type of a JS value (number -> DOUBLE; use bigint for INTEGER). */
export function columnTypeOf(value: ColumnValue): ColumnType {
  switch (typeof value) {
    case 'bigint':
      return 'INTEGER';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'string':
      return 'STRING';
    default:
      if (Buffer.isBuffer(value)) return 'BINARY';
      throw new TypeError(`cannot infer a Tablestore column type for ${String(value)}`);
  }
}

export class PlainBufferWriter extends GrowableBuffer {
  constructor(initialSize = 256) {
    super(initialSize);
  }

  writeHeader(): void {
    this.ensure(4);
    this.buf.writeUInt32LE(PB_HEADER, this.pos);
    this.pos += 4;
  }

  writeRow(row: EncodableRow): void {
    let rowCrc = 0;
    this.byte(TAG_ROW_PK);
    for (const pk of row.primaryKey) rowCrc = crc8Byte(rowCrc, this.writePrimaryKeyCell(pk));
    if (row.cells && row.cells.length > 0) {
      this.byte(TAG_ROW_DATA);
      for (const cell of row.cells) rowCrc = crc8Byte(rowCrc, this.writeAttributeCell(cell));
    }
    if (row.deleteMarker) this.byte(TAG_DELETE_ROW_MARKER);
    rowCrc = crc8Byte(rowCrc, row.deleteMarker ? 1 : 0);
    if (row.sequence) this.writeSequence(row.sequence);
    this.byte(TAG_ROW_CHECKSUM);
    this.byte(rowCrc);
  }

  /** The bytes written so far (a view: copy it before the writer is reused). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Empties the writer, keeping its buffer for the next rows. */
  reset(): void {
    this.pos = 0;
  }

  private writePrimaryKeyCell(pk: EncodablePrimaryKeyColumn): number {
    this.byte(TAG_CELL);
    let crc = this.writeName(pk.name);
    this.byte(TAG_CELL_VALUE);
    const valueStart = this.pos + 4;
    switch (pk.type) {
      case 'INTEGER':
        this.u32(9);
        this.byte(VT_INTEGER);
        this.int64Value(pk.value, pk.name);
        break;
      case 'STRING':
        if (typeof pk.value !== 'string') throw new TypeError(`primary key "${pk.name}" is STRING but its value is ${typeof pk.value}`);
        this.lengthPrefixedString(pk.value);
        break;
      case 'BINARY':
        if (!Buffer.isBuffer(pk.value)) throw new TypeError(`primary key "${pk.name}" is BINARY but its value is not a Buffer`);
        this.lengthPrefixedBytes(pk.value);
        break;
      case 'INF_MIN':
        this.u32(1);
        this.byte(VT_INF_MIN);
        break;
      case 'INF_MAX':
        this.u32(1);
        this.byte(VT_INF_MAX);
        break;
      case 'AUTO_INCREMENT':
        this.u32(1);
        this.byte(VT_AUTO_INCREMENT);
        break;
    }
    crc = crc8Range(crc, this.buf, valueStart, this.pos);
    this.byte(TAG_CELL_CHECKSUM);
    this.byte(crc);
    return crc;
  }

  private writeAttributeCell(cell: EncodableCell): number {
    this.byte(TAG_CELL);
    let crc = this.writeName(cell.name);
    const hasValue = cell.value !== undefined && cell.value !== null;
    if (hasValue) {
      const value = cell.value as ColumnValue;
      const type = cell.type ?? columnTypeOf(value);
      this.byte(TAG_CELL_VALUE);
      const valueStart = this.pos + 4;
      switch (type) {
        case 'INTEGER':
          this.u32(9);
          this.byte(VT_INTEGER);
          this.int64Value(value, cell.name);
          break;
        case 'DOUBLE':
          if (typeof value !== 'number') throw new TypeError(`column "${cell.name}" is DOUBLE but its value is ${typeof value}`);
          this.u32(9);
          this.byte(VT_DOUBLE);
          this.ensure(8);
          this.buf.writeDoubleLE(value, this.pos);
          this.pos += 8;
          break;
        case 'BOOLEAN':
          if (typeof value !== 'boolean') throw new TypeError(`column "${cell.name}" is BOOLEAN but its value is ${typeof value}`);
          this.u32(2);
          this.byte(VT_BOOLEAN);
          this.byte(value ? 1 : 0);
          break;
        case 'STRING':
          if (typeof value !== 'string') throw new TypeError(`column "${cell.name}" is STRING but its value is ${typeof value}`);
          this.lengthPrefixedString(value);
          break;
        case 'BINARY':
          if (!Buffer.isBuffer(value)) throw new TypeError(`column "${cell.name}" is BINARY but its value is not a Buffer`);
          this.lengthPrefixedBytes(value);
          break;
      }
      crc = crc8Range(crc, this.buf, valueStart, this.pos);
    }
    const op = cell.operation ?? 'PUT';
    let opByte = -1;
    if (op === 'DELETE_ALL_VERSIONS') opByte = OP_DELETE_ALL_VERSIONS;
    else if (op === 'DELETE_ONE_VERSION') opByte = OP_DELETE_ONE_VERSION;
    else if (op === 'INCREMENT') opByte = OP_INCREMENT;
    if (opByte >= 0) {
      this.byte(TAG_CELL_TYPE);
      this.byte(opByte);
    }
    if (cell.timestampMillis !== undefined && cell.timestampMillis !== null) {
      this.byte(TAG_CELL_TIMESTAMP);
      const at = this.pos;
      this.i64Number(cell.timestampMillis, cell.name);
      crc = crc8Range(crc, this.buf, at, this.pos);
    }
    if (opByte >= 0) crc = crc8Byte(crc, opByte);
    this.byte(TAG_CELL_CHECKSUM);
    this.byte(crc);
    return crc;
  }

  private writeSequence(seq: SequenceInfo): void {
    // TAG_SEQ_INFO u32(19) | TAG_EPOCH u32 | TAG_TS i64 | TAG_ROW_INDEX u32
    this.byte(TAG_EXTENSION);
    this.u32(1 + 4 + 19);
    this.byte(TAG_SEQ_INFO);
    this.u32(19);
    this.byte(TAG_SEQ_INFO_EPOCH);
    this.u32(seq.epoch);
    this.byte(TAG_SEQ_INFO_TS);
    this.i64Number(seq.timestampMicros, 'sequence timestamp');
    this.byte(TAG_SEQ_INFO_ROW_INDEX);
    this.u32(seq.rowIndex);
  }

  /** Writes TAG_CELL_NAME + name, returns the name's checksum. */
  private writeName(name: string): number {
    this.byte(TAG_CELL_NAME);
    const len = Buffer.byteLength(name, 'utf8');
    this.u32(len);
    this.ensure(len);
    this.buf.write(name, this.pos, len, 'utf8');
    const crc = crc8Range(0, this.buf, this.pos, this.pos + len);
    this.pos += len;
    return crc;
  }

  private lengthPrefixedString(value: string): void {
    const len = Buffer.byteLength(value, 'utf8');
    this.u32(len + 5);
    this.byte(VT_STRING);
    this.u32(len);
    this.ensure(len);
    this.buf.write(value, this.pos, len, 'utf8');
    this.pos += len;
  }

  private lengthPrefixedBytes(value: Buffer): void {
    this.u32(value.length + 5);
    this.byte(VT_BLOB);
    this.u32(value.length);
    this.ensure(value.length);
    value.copy(this.buf, this.pos);
    this.pos += value.length;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  private u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  /** An INTEGER value: a bigint, or a safe-integer number. */
  private int64Value(v: unknown, name: string): void {
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      this.i64Number(v, name);
      return;
    }
    if (typeof v !== 'bigint') throw new TypeError(`"${name}" is INTEGER but its value ${String(v)} is neither a bigint nor a safe integer`);
    if (v >= -9007199254740991n && v <= 9007199254740991n) {
      this.i64Number(Number(v), name);
      return;
    }
    if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new RangeError(`"${name}" value ${v} is outside the int64 range`);
    this.ensure(8);
    this.buf.writeBigInt64LE(v, this.pos);
    this.pos += 8;
  }

  /** int64 from a safe integer without going through BigInt. */
  private i64Number(v: number, what: string): void {
    if (!Number.isSafeInteger(v)) throw new TypeError(`${what}: ${v} is not a safe integer`);
    this.ensure(8);
    const hi = Math.floor(v / 4294967296);
    this.buf.writeUInt32LE(v - hi * 4294967296, this.pos);
    this.buf.writeInt32LE(hi, this.pos + 4);
    this.pos += 8;
  }
}
