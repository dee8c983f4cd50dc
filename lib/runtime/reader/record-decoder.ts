/**
 * Turns one GetStreamRecord batch into window-filtered StreamRecords.
 */
import { decodeRowAt, peekSequenceTimestamp, readSequenceInfo, readSequenceTimestamp, RowBytesVisitor, RowVisitor, visitStreamRecordAt, visitStreamRecordBytesAt } from '../../tablestore/plainbuffer/decode';
import { PlainBufferRow } from '../../tablestore/plainbuffer/types';
import { StreamRecordBatch } from '../../tablestore/protocol/stream-wire';
import { parseTimeseriesTags, timeseriesFieldName, TS_DATA_SOURCE_COLUMN, TS_HASH_COLUMN, TS_MEASUREMENT_COLUMN, TS_TAGS_COLUMN, TS_TIME_COLUMN } from '../../tablestore/timeseries';
import { PrimaryKeyColumn, StreamAction, StreamColumn, StreamRecord, TimeseriesPoint } from './types';

const ACTIONS: readonly StreamAction[] = ['PUT', 'PUT', 'UPDATE', 'DELETE'];

export class StreamRecordFormatError extends Error {
  constructor(shardId: string, index: number, message: string, options?: { cause?: unknown }) {
    super(`stream record ${index} of shard ${shardId}: ${message}`, options);
    this.name = 'StreamRecordFormatError';
  }
}

export interface BatchFilterResult {
  readonly records: StreamRecord[];
  /** A record at or after the window end was met: the shard is done for this window. */
  readonly reachedEnd: boolean;
}

export interface DecodeBatchOptions {
  readonly shardId: string;
  readonly startMicros: number;
  readonly endMicros: number;
  readonly isTimeseriesTable: boolean;
  readonly verifyChecksums: boolean;
}

/**
 * The records of `batch` whose write time is in [start, end). Records before the window are skipped without being
 * decoded; the first record at or after the end stops the scan (records in a shard are in write order). Records of
 * wide-column tables stay encoded (EncodedStreamRecord): their key and columns are decoded when first read, or
 * walked straight into an output row by the layouts; time series records are decoded here.
 */
export function decodeBatch(batch: StreamRecordBatch, o: DecodeBatchOptions): BatchFilterResult {
  const records: StreamRecord[] = [];
  const { body, starts, ends, actions } = batch;
  for (let i = 0; i < batch.count; i++) {
    const s = starts[i];
    const e = ends[i];
    // The write time from the record's tail; a record left out on its strength is walked to confirm it, a kept one
    // is confirmed when it is decoded.
    let ts = peekSequenceTimestamp(body, s, e);
    if (ts < o.startMicros || ts >= o.endMicros) {
      try {
        ts = readSequenceTimestamp(body, s, e);
      } catch (err) {
        throw new StreamRecordFormatError(o.shardId, i, (err as Error).message, { cause: err });
      }
      if (ts < 0) throw new StreamRecordFormatError(o.shardId, i, 'record has no sequence info');
      if (ts < o.startMicros) continue;
      if (ts >= o.endMicros) return { records, reachedEnd: true };
    }
    const action = ACTIONS[actions[i]];
    if (!o.isTimeseriesTable) {
      records.push(new EncodedStreamRecord(action, o.shardId, ts, body, s, e, o.verifyChecksums, i));
      continue;
    }
    let row: PlainBufferRow;
    try {
      row = decodeRowAt(body, s, e, o.verifyChecksums);
    } catch (err) {
      throw new StreamRecordFormatError(o.shardId, i, (err as Error).message, { cause: err });
    }
    records.push(toStreamRecord(row, action, o, i));
  }
  return { records, reachedEnd: false };
}

/**
 * A wide-column stream record kept as its PlainBuffer bytes (a view into the response body). `primaryKey`,
 * `columns`, `epoch` and `rowIndex` decode on first use; `visit` hands the key and cells to a RowVisitor without
 * building them, which is how the `rows` layout fills its output row (no per-cell objects), and `visitBytes` hands
 * them over as byte ranges (no value at all), which is how CSV and JSON Lines copy them. Malformed bytes surface
 * as StreamRecordFormatError from any of them.
 */
export class EncodedStreamRecord implements StreamRecord {
  readonly timeseries = null;
  private decoded: { primaryKey: readonly PrimaryKeyColumn[]; columns: readonly StreamColumn[]; epoch: number; rowIndex: number } | null = null;

  constructor(
    readonly action: StreamAction,
    readonly shardId: string,
    readonly writeTimeMicros: number,
    private readonly body: Buffer,
    private readonly start: number,
    private readonly end: number,
    private readonly verifyChecksums: boolean,
    /** Position in its GetStreamRecord page, for messages. */
    private readonly index: number,
  ) {}

  get primaryKey(): readonly PrimaryKeyColumn[] {
    return this.decode().primaryKey;
  }

  get columns(): readonly StreamColumn[] {
    return this.decode().columns;
  }

  get epoch(): number {
    return this.decode().epoch;
  }

  get rowIndex(): number {
    return this.decode().rowIndex;
  }

  /** Walks the key columns, then the cells, into `visitor`. */
  visit(visitor: RowVisitor): void {
    this.walk(visitor, null);
  }

  /** Walks the key columns, then the cells, into `visitor` as byte ranges of the response body. */
  visitBytes(visitor: RowBytesVisitor): void {
    this.walk(null, visitor);
  }

  private walk(visitor: RowVisitor | null, bytesVisitor: RowBytesVisitor | null): void {
    let ts: number;
    try {
      ts = bytesVisitor !== null
        ? visitStreamRecordBytesAt(this.body, this.start, this.end, this.verifyChecksums, bytesVisitor)
        : visitStreamRecordAt(this.body, this.start, this.end, this.verifyChecksums, visitor as RowVisitor);
    } catch (err) {
      throw this.formatError(err);
    }
    if (ts !== this.writeTimeMicros) throw this.formatError(new Error(`sequence info says ${ts} µs, the record's tail said ${this.writeTimeMicros} µs`));
  }

  private decode(): NonNullable<EncodedStreamRecord['decoded']> {
    if (this.decoded) return this.decoded;
    const primaryKey: PrimaryKeyColumn[] = [];
    const columns: StreamColumn[] = [];
    this.visit({
      key: (name, type, value) => primaryKey.push({ name, type, value } as PrimaryKeyColumn),
      cell: (name, operation, type, value, timestampMillis) => columns.push({ name, operation, type, value, timestampMillis } as StreamColumn),
    });
    const seq = readSequenceInfo(this.body, this.start, this.end);
    if (seq?.timestampMicros !== this.writeTimeMicros) throw this.formatError(new Error(`sequence info says ${seq?.timestampMicros} µs, the record's tail said ${this.writeTimeMicros} µs`));
    this.decoded = { primaryKey, columns, epoch: seq.epoch, rowIndex: seq.rowIndex };
    return this.decoded;
  }

  private formatError(err: unknown): StreamRecordFormatError {
    return err instanceof StreamRecordFormatError ? err : new StreamRecordFormatError(this.shardId, this.index, (err as Error).message, { cause: err });
  }
}

function toStreamRecord(row: PlainBufferRow, action: StreamAction, o: DecodeBatchOptions, index: number): StreamRecord {
  const seq = row.sequence as NonNullable<PlainBufferRow['sequence']>;
  for (const c of row.primaryKey) {
    if (c.value === null) throw new StreamRecordFormatError(o.shardId, index, `primary key column ${c.name} is a ${c.type} placeholder`);
  }
  for (const c of row.cells) {
    if (c.operation === 'INCREMENT') throw new StreamRecordFormatError(o.shardId, index, `column ${c.name} is an increment`);
  }
  const primaryKey = row.primaryKey as PrimaryKeyColumn[];
  const columns = row.cells as StreamColumn[];
  let timeseries: TimeseriesPoint | null = null;
  if (o.isTimeseriesTable) {
    try {
      timeseries = toTimeseriesPoint(primaryKey, columns);
    } catch (err) {
      throw new StreamRecordFormatError(o.shardId, index, `not a time series row: ${(err as Error).message}`, { cause: err });
    }
  }
  return {
    action,
    shardId: o.shardId,
    writeTimeMicros: seq.timestampMicros,
    epoch: seq.epoch,
    rowIndex: seq.rowIndex,
    primaryKey,
    columns,
    timeseries,
  };
}

/**
 * Reads a time series storage row: identity columns up to `_time` (custom key
 * columns count as tags), then field primary keys, then field columns.
 */
export function toTimeseriesPoint(pk: readonly PrimaryKeyColumn[], cells: readonly StreamColumn[]): TimeseriesPoint {
  let measurement = '';
  let dataSource = '';
  let tags: Record<string, string> = {};
  let timeMicros = -1;
  let i = 0;
  for (; i < pk.length; i++) {
    const c = pk[i];
    if (c.name === TS_TIME_COLUMN) {
      if (c.type !== 'INTEGER') throw new Error(`${TS_TIME_COLUMN} is ${c.type}, expected INTEGER`);
      timeMicros = Number(c.value as bigint);
      i++;
      break;
    }
    if (c.name === TS_HASH_COLUMN) continue;
    const text = typeof c.value === 'string' ? c.value : String(c.value);
    if (c.name === TS_MEASUREMENT_COLUMN) measurement = text;
    else if (c.name === TS_DATA_SOURCE_COLUMN) dataSource = text;
    else if (c.name === TS_TAGS_COLUMN) tags = { ...tags, ...parseTimeseriesTags(text) };
    else tags[c.name] = text;
  }
  if (timeMicros < 0) throw new Error(`no ${TS_TIME_COLUMN} primary key column`);
  const fields: StreamColumn[] = [];
  for (const c of cells) fields.push(c.name.includes(':') ? { ...c, name: timeseriesFieldName(c.name) } : c);
  for (; i < pk.length; i++) {
    const c = pk[i];
    fields.push({ name: c.name, operation: 'PUT', type: c.type, value: c.value, timestampMillis: null });
  }
  return { measurement, dataSource, tags, timeMicros, fields };
}
