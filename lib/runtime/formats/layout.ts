/**
 * Output layouts: how stream records become rows of a flat table, following the Data Integration
 * Tablestore Stream reader (DataX `otsstreamreader`).
 *
 * `cells` (the reader's default, multi-version "column mode"): one row per cell change,
 *   | <pk columns...> | column_name | timestamp | column_value | op_type | [seq_id] |
 *   op_type: U (cell written), DO (one version deleted), DA (all versions deleted), DR (row deleted).
 *   A PUT record is a DR row followed by one U row per column (PutRow replaces the whole row); a DELETE record
 *   is one DR row; an UPDATE record is one row per column operation. `timestamp` is the cell version in ms
 *   (null for DA and DR), `column_value` is null except for U rows.
 *
 * `rows` (the reader's `mode: single_version_and_update_only`): one row per PUT/UPDATE record with the
 *   configured columns (primary key and attribute names) and their new values; DELETE records and column
 *   deletions are skipped, as is a record that carries none of the configured columns. For time series tables
 *   the columns `_m_name`, `_data_source`, `_tags` and `_time` name the data point's identity fields.
 *
 * `rows` with `operations: true` (this project's addition, the runtime engine's default) appends `_op` (PUT, UPDATE
 *   or DELETE: what the record did to the row) and `_deleted_columns` (comma-separated configured columns an UPDATE
 *   deleted, else null; a deleted version counts as a deleted column, exact for single-version tables). A DELETE record then becomes a tombstone line carrying the primary key, and an UPDATE that
 *   only deletes exported columns is kept, so that replaying the lines in order rebuilds the rows exactly.
 *
 * `seq_id` (the reader's `isExportSequenceInfo: true`) is `%010d_%020d_%010d_<shard>` of epoch, write time
 * (µs) and row index, with `:%010d` column index appended in cell mode.
 */
import { VT_INTEGER, VT_STRING } from '../../tablestore/plainbuffer/constants';
import type { CellOperation, ColumnType, ColumnValue, PrimaryKeyValue } from '../../tablestore/plainbuffer/types';
import { readSafeInt64, type RowBytesVisitor, type RowVisitor } from '../../tablestore/plainbuffer/decode';
import { EncodedStreamRecord } from '../reader/record-decoder';
import type { StreamRecord } from '../reader/types';

/** A value in an output row. int64 columns carry bigint (values) or integral numbers (timestamps). */
export type FieldValue = string | bigint | number | boolean | Buffer | null;

/**
 * Column types. `variant` holds values of differing types (cell mode's column_value): text formats print them
 * as they are, Parquet stores their text form.
 */
export type FieldType = 'string' | 'int64' | 'double' | 'boolean' | 'binary' | 'variant';

/** Kinds of a BytesRow field besides the PlainBuffer variant types: null, or a value held in `values`. */
export const FIELD_NULL = -1;
export const FIELD_VALUE = -2;

/**
 * An output row as byte ranges of a record's PlainBuffer bytes (see OutputLayout.encodedRowsOf): per column,
 * `types[i]` is a PlainBuffer variant type (VT_INTEGER, VT_DOUBLE, VT_BOOLEAN, VT_STRING, VT_BLOB) whose payload
 * is buf[starts[i], ends[i]) (see RowBytesVisitor), FIELD_NULL, or FIELD_VALUE with the value in `values[i]` (what
 * the layout computes: `_op`, `_deleted_columns`, `seq_id`).
 */
export class BytesRow {
  buf: Buffer = Buffer.alloc(0);
  readonly types: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly values: FieldValue[];

  constructor(width: number) {
    this.types = new Int32Array(width).fill(FIELD_NULL);
    this.starts = new Int32Array(width);
    this.ends = new Int32Array(width);
    this.values = new Array<FieldValue>(width).fill(null);
  }

  setBytes(i: number, vt: number, buf: Buffer, start: number, end: number): void {
    this.types[i] = vt;
    this.buf = buf;
    this.starts[i] = start;
    this.ends[i] = end;
  }

  setValue(i: number, value: FieldValue): void {
    this.types[i] = value === null ? FIELD_NULL : FIELD_VALUE;
    this.values[i] = value;
  }
}

export interface OutputColumn {
  readonly name: string;
  readonly type: FieldType;
}

export interface OutputLayout {
  readonly kind: 'cells' | 'rows';
  readonly columns: readonly OutputColumn[];
  /**
   * Writes each output row of `record` into `row` (length `columns.length`, reused between rows) and calls
   * `emit` once per row; `emit` must consume the row before returning. Returns the number of rows.
   */
  rowsOf(record: StreamRecord, row: FieldValue[], emit: () => void): number;
  /**
   * rowsOf for a record kept encoded, the row given as byte ranges of its bytes (no value per cell), for the
   * text formats to copy. Absent where the layout has no such path (they then use rowsOf).
   */
  encodedRowsOf?(record: EncodedStreamRecord, row: BytesRow, emit: () => void): number;
}

/** A primary key column as the table schema declares it. */
export interface KeyColumnSpec {
  readonly name: string;
  readonly type: 'Integer' | 'String' | 'Binary';
}

export interface CellsLayoutOptions {
  readonly primaryKey: readonly KeyColumnSpec[];
  /** Append the `seq_id` column (Data Integration `isExportSequenceInfo`). Default false. */
  readonly sequenceInfo?: boolean;
}

const KEY_FIELD_TYPES: Record<KeyColumnSpec['type'], FieldType> = { Integer: 'int64', String: 'string', Binary: 'binary' };

function pad(value: number, width: number): string {
  const s = String(value);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** DataX's `%010d_%020d_%010d_%s`. */
function sequenceId(record: StreamRecord): string {
  return `${pad(record.epoch, 10)}_${pad(record.writeTimeMicros, 20)}_${pad(record.rowIndex, 10)}_${record.shardId}`;
}

export function cellsLayout(options: CellsLayoutOptions): OutputLayout {
  const pk = options.primaryKey;
  if (pk.length === 0) throw new Error('cellsLayout: primaryKey must name at least one column');
  const withSeq = options.sequenceInfo ?? false;
  const columns: OutputColumn[] = [
    ...pk.map((c) => ({ name: c.name, type: KEY_FIELD_TYPES[c.type] })),
    { name: 'column_name', type: 'string' },
    { name: 'timestamp', type: 'int64' },
    { name: 'column_value', type: 'variant' },
    { name: 'op_type', type: 'string' },
  ];
  if (withSeq) columns.push({ name: 'seq_id', type: 'string' });
  const names = new Set<string>();
  for (const c of columns) {
    if (names.has(c.name)) throw new Error(`cellsLayout: output column '${c.name}' appears twice (a primary key column may not be named like a cell-mode column)`);
    names.add(c.name);
  }
  const nPk = pk.length;
  const iName = nPk;
  const iTs = nPk + 1;
  const iValue = nPk + 2;
  const iOp = nPk + 3;
  const iSeq = nPk + 4;
  const checkKey = (record: StreamRecord, keyColumns: number): void => {
    if (keyColumns !== nPk) {
      const key = record.primaryKey;
      throw new Error(`Stream record from shard ${record.shardId} has ${key.length} primary key columns (${key.map((k) => k.name).join(', ')}); the layout expects ${nPk} (${pk.map((k) => k.name).join(', ')})`);
    }
  };
  const cells = new CellCollector();

  return {
    kind: 'cells',
    columns,
    rowsOf(record, row, emit) {
      const key = record.primaryKey;
      checkKey(record, key.length);
      for (let k = 0; k < nPk; k++) row[k] = key[k].value;
      const seqBase = withSeq ? sequenceId(record) : '';
      let colIdx = 0;
      let rows = 0;
      if (record.action === 'PUT' || record.action === 'DELETE') {
        row[iName] = null;
        row[iTs] = null;
        row[iValue] = null;
        row[iOp] = 'DR';
        if (withSeq) row[iSeq] = `${seqBase}:${pad(colIdx, 10)}`;
        colIdx++;
        emit();
        rows++;
        if (record.action === 'DELETE') return rows;
      }
      for (const col of record.columns) {
        row[iName] = col.name;
        switch (col.operation) {
          case 'PUT':
            row[iTs] = col.timestampMillis;
            row[iValue] = col.value;
            row[iOp] = 'U';
            break;
          case 'DELETE_ONE_VERSION':
            row[iTs] = col.timestampMillis;
            row[iValue] = null;
            row[iOp] = 'DO';
            break;
          case 'DELETE_ALL_VERSIONS':
            row[iTs] = null;
            row[iValue] = null;
            row[iOp] = 'DA';
            break;
          default:
            throw new Error(`Unknown column operation ${String((col as { operation: unknown }).operation)} for column ${col.name}`);
        }
        if (withSeq) row[iSeq] = `${seqBase}:${pad(colIdx, 10)}`;
        colIdx++;
        emit();
        rows++;
      }
      return rows;
    },
    encodedRowsOf(record, row, emit) {
      // The whole record is walked (and its checksums verified) before its first row is written.
      cells.begin(row, nPk);
      record.visitBytes(cells);
      checkKey(record, cells.keyColumns);
      const seqBase = withSeq ? sequenceId(record) : '';
      let rows = 0;
      if (record.action === 'PUT' || record.action === 'DELETE') {
        row.setValue(iName, null);
        row.setValue(iTs, null);
        row.setValue(iValue, null);
        row.setValue(iOp, 'DR');
        if (withSeq) row.setValue(iSeq, `${seqBase}:${pad(rows, 10)}`);
        emit();
        rows++;
        if (record.action === 'DELETE') return rows;
      }
      const buf = row.buf;
      for (let c = 0; c < cells.count; c++) {
        row.setBytes(iName, VT_STRING, buf, cells.nameStarts[c], cells.nameEnds[c]);
        const op = cells.operations[c];
        if (op === 'DELETE_ALL_VERSIONS') row.setValue(iTs, null);
        else cells.timestampInto(row, iTs, c);
        if (op === 'PUT' && cells.types[c] >= 0) row.setBytes(iValue, cells.types[c], buf, cells.starts[c], cells.ends[c]);
        else row.setValue(iValue, null);
        row.setValue(iOp, op === 'PUT' ? 'U' : op === 'DELETE_ONE_VERSION' ? 'DO' : 'DA');
        if (withSeq) row.setValue(iSeq, `${seqBase}:${pad(rows, 10)}`);
        emit();
        rows++;
      }
      return rows;
    },
  };
}

/**
 * Gathers an encoded record's key columns into a BytesRow (slots 0 to nPk - 1) and its cells as byte ranges, for
 * the `cells` layout (whose rows come after the whole record is read).
 */
class CellCollector implements RowBytesVisitor {
  keyColumns = 0;
  count = 0;
  nameStarts = new Int32Array(16);
  nameEnds = new Int32Array(16);
  types = new Int32Array(16);
  starts = new Int32Array(16);
  ends = new Int32Array(16);
  timestampsAt = new Int32Array(16);
  operations: CellOperation[] = [];
  private row: BytesRow | null = null;
  private nPk = 0;

  begin(row: BytesRow, nPk: number): void {
    this.row = row;
    this.nPk = nPk;
    this.keyColumns = 0;
    this.count = 0;
  }

  keyBytes(_name: string, vt: number, buf: Buffer, start: number, end: number): void {
    if (this.keyColumns < this.nPk) this.row!.setBytes(this.keyColumns, vt, buf, start, end);
    this.keyColumns++;
  }

  cellBytes(_name: string, operation: CellOperation, vt: number, buf: Buffer, start: number, end: number, timestampAt: number, nameStart: number, nameEnd: number): void {
    const c = this.count++;
    if (c === this.types.length) this.grow();
    this.row!.buf = buf;
    this.nameStarts[c] = nameStart;
    this.nameEnds[c] = nameEnd;
    this.types[c] = vt;
    this.starts[c] = start;
    this.ends[c] = end;
    this.timestampsAt[c] = timestampAt;
    this.operations[c] = operation;
  }

  /**
   * Sets slot `i` to cell c's timestamp: its bytes, or null, or (beyond ±2^53, where the decoded value is a
   * rounded double) that double, so that the text is the decoded value's.
   */
  timestampInto(row: BytesRow, i: number, c: number): void {
    const at = this.timestampsAt[c];
    if (at < 0) {
      row.setValue(i, null);
      return;
    }
    const buf = row.buf;
    if (!Number.isNaN(readSafeInt64(buf, at))) row.setBytes(i, VT_INTEGER, buf, at, at + 8);
    else row.setValue(i, buf.readUInt32LE(at) + buf.readInt32LE(at + 4) * 4294967296);
  }

  private grow(): void {
    const wider = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.nameStarts = wider(this.nameStarts);
    this.nameEnds = wider(this.nameEnds);
    this.types = wider(this.types);
    this.starts = wider(this.starts);
    this.ends = wider(this.ends);
    this.timestampsAt = wider(this.timestampsAt);
  }
}

export interface RowColumnSpec {
  readonly name: string;
  /** Column type when known (Parquet uses it); `variant` (text in Parquet) otherwise. */
  readonly type?: FieldType;
  /** Data Integration's `dataType`; only `new` (the value the write set) is available from the stream. */
  readonly dataType?: 'new' | 'old' | 'latest';
}

export interface RowsLayoutOptions {
  readonly columns: readonly RowColumnSpec[];
  /** Append `_op` and `_deleted_columns` and write DELETE records as tombstone lines. Default false. */
  readonly operations?: boolean;
  /** Append the `seq_id` column. Default false. */
  readonly sequenceInfo?: boolean;
}

/** Names of the columns `operations: true` appends, in order. */
export const OPERATION_COLUMNS = ['_op', '_deleted_columns'] as const;

/** Types of the time series identity columns, used when a column spec gives none. */
const TIMESERIES_FIELD_TYPES: ReadonlyMap<string, FieldType> = new Map<string, FieldType>([['_m_name', 'string'], ['_data_source', 'string'], ['_tags', 'string'], ['_time', 'int64']]);

/** `_tags` of a time series point as Tablestore prints it: `["k=v",...]` sorted by tag name. */
function tagsText(tags: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`));
}

export function rowsLayout(options: RowsLayoutOptions): OutputLayout {
  if (options.columns.length === 0) throw new Error('rowsLayout: columns must name at least one column (row mode exports nothing otherwise)');
  const slots = new Map<string, number>();
  options.columns.forEach((c, i) => {
    if (c.dataType !== undefined && c.dataType !== 'new') {
      throw new Error(`rowsLayout: column '${c.name}' asks for dataType '${c.dataType}'; the stream only carries the new value ('new')`);
    }
    if (slots.has(c.name)) throw new Error(`rowsLayout: column '${c.name}' is listed twice`);
    slots.set(c.name, i);
  });
  const withSeq = options.sequenceInfo ?? false;
  const withOps = options.operations ?? false;
  const columns: OutputColumn[] = options.columns.map((c) => ({ name: c.name, type: c.type ?? TIMESERIES_FIELD_TYPES.get(c.name) ?? 'variant' }));
  if (withOps) {
    for (const name of OPERATION_COLUMNS) {
      if (slots.has(name)) throw new Error(`rowsLayout: column '${name}' clashes with the operation columns`);
    }
    columns.push({ name: OPERATION_COLUMNS[0], type: 'string' }, { name: OPERATION_COLUMNS[1], type: 'string' });
  }
  if (withSeq) {
    if (slots.has('seq_id')) throw new Error("rowsLayout: column 'seq_id' clashes with the sequence info column");
    columns.push({ name: 'seq_id', type: 'string' });
  }
  const n = options.columns.length;
  const seqSlot = n + (withOps ? 2 : 0);
  const tsSlots = {
    measurement: slots.get('_m_name'),
    dataSource: slots.get('_data_source'),
    tags: slots.get('_tags'),
    time: slots.get('_time'),
  };

  const filler = new RowFiller(slots, withOps);

  return {
    kind: 'rows',
    columns,
    rowsOf(record, row, emit) {
      if (record.action === 'DELETE' && !withOps) return 0;
      for (let i = 0; i < n; i++) row[i] = null;
      filler.begin(row);
      const ts = record.timeseries;
      if (ts) {
        if (tsSlots.measurement !== undefined) { row[tsSlots.measurement] = ts.measurement; filler.found = true; }
        if (tsSlots.dataSource !== undefined) { row[tsSlots.dataSource] = ts.dataSource; filler.found = true; }
        if (tsSlots.tags !== undefined) { row[tsSlots.tags] = tagsText(ts.tags); filler.found = true; }
        if (tsSlots.time !== undefined) { row[tsSlots.time] = ts.timeMicros; filler.found = true; }
        for (const f of ts.fields) {
          const slot = slots.get(f.name);
          if (slot !== undefined && f.operation === 'PUT') { row[slot] = f.value; filler.found = true; }
        }
      } else if (record instanceof EncodedStreamRecord) {
        // Straight from the PlainBuffer bytes into the row: no column objects.
        record.visit(filler);
      } else {
        const key = record.primaryKey;
        for (let j = 0; j < key.length; j++) filler.key(key[j].name, key[j].type, key[j].value);
        const cols = record.columns;
        for (let j = 0; j < cols.length; j++) {
          const c = cols[j];
          filler.cell(c.name, c.operation, c.type, c.value);
        }
      }
      if (!filler.found) return 0;
      if (withOps) {
        row[n] = record.action;
        row[n + 1] = filler.deleted;
      }
      if (withSeq) row[seqSlot] = sequenceId(record);
      emit();
      return 1;
    },
    encodedRowsOf(record, row, emit) {
      if (record.action === 'DELETE' && !withOps) return 0;
      for (let i = 0; i < n; i++) row.types[i] = FIELD_NULL;
      filler.beginBytes(row);
      record.visitBytes(filler);
      if (!filler.found) return 0;
      if (withOps) {
        row.setValue(n, record.action);
        row.setValue(n + 1, filler.deleted);
      }
      if (withSeq) row.setValue(seqSlot, sequenceId(record));
      emit();
      return 1;
    },
  };
}

/**
 * Fills a `rows` output row from a record's key columns and cells, in record order (a RowVisitor, so that encoded
 * records walk their bytes straight into it, or a RowBytesVisitor filling a BytesRow): a configured column gets
 * the value a PUT wrote; with operations, a configured column an UPDATE deleted (every version, or one version of
 * a single-version table) joins `_deleted_columns`.
 */
class RowFiller implements RowVisitor, RowBytesVisitor {
  found = false;
  deleted: string | null = null;
  private row: FieldValue[] = [];
  private bytesRow: BytesRow | null = null;
  private keyIndex = 0;
  private cellIndex = 0;
  private readonly keySlots: SlotMemo;
  private readonly cellSlots: SlotMemo;

  constructor(slots: ReadonlyMap<string, number>, private readonly withOps: boolean) {
    this.keySlots = new SlotMemo(slots);
    this.cellSlots = new SlotMemo(slots);
  }

  begin(row: FieldValue[]): void {
    this.row = row;
    this.found = false;
    this.deleted = null;
    this.keyIndex = 0;
    this.cellIndex = 0;
  }

  beginBytes(row: BytesRow): void {
    this.bytesRow = row;
    this.found = false;
    this.deleted = null;
    this.keyIndex = 0;
    this.cellIndex = 0;
  }

  key(name: string, _type: string, value: PrimaryKeyValue | null): void {
    const slot = this.keySlot(name);
    if (slot >= 0) this.row[slot] = value;
  }

  keyBytes(name: string, vt: number, buf: Buffer, start: number, end: number): void {
    const slot = this.keySlot(name);
    if (slot >= 0) this.bytesRow!.setBytes(slot, vt, buf, start, end);
  }

  cell(name: string, operation: CellOperation, _type: ColumnType | null, value: ColumnValue | null): void {
    const slot = this.putSlot(name, operation);
    if (slot >= 0) this.row[slot] = value;
  }

  cellBytes(name: string, operation: CellOperation, vt: number, buf: Buffer, start: number, end: number): void {
    const slot = this.putSlot(name, operation);
    if (slot >= 0) this.bytesRow!.setBytes(slot, vt, buf, start, end);
  }

  /** Output slot of the next key column, -1 if not exported. */
  private keySlot(name: string): number {
    const slot = this.keySlots.slotAt(this.keyIndex++, name);
    if (slot >= 0) this.found = true;
    return slot;
  }

  /** Output slot the next cell's value goes to (a PUT of an exported column), else -1; notes deletions. */
  private putSlot(name: string, operation: CellOperation): number {
    const slot = this.cellSlots.slotAt(this.cellIndex++, name);
    if (slot < 0) return -1;
    if (operation === 'PUT') {
      this.found = true;
      return slot;
    }
    if (this.withOps) {
      this.deleted = this.deleted === null ? name : `${this.deleted},${name}`;
      this.found = true;
    }
    return -1;
  }
}

/**
 * Output slot of the column named `name` at position `j` of a record, -1 if not exported. Records of a table
 * mostly carry the same names in the same places (the decoder hands out one string per name), so the answer for
 * the name last seen at `j` is kept and an identity check replaces the map lookup.
 */
class SlotMemo {
  private readonly names: string[] = [];
  private readonly found: number[] = [];

  constructor(private readonly slots: ReadonlyMap<string, number>) {}

  slotAt(j: number, name: string): number {
    if (this.names[j] === name) return this.found[j];
    const slot = this.slots.get(name) ?? -1;
    this.names[j] = name;
    this.found[j] = slot;
    return slot;
  }
}
