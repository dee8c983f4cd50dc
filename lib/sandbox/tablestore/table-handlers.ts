/**
 * Wide-table operations: table management and row reads/writes, as the
 * official SDK calls them.
 */
import {
  Cell,
  decodeRow,
  encodeRows,
  EncodableCell,
  PB_HEADER,
  PlainBufferError,
  PlainBufferRow,
  PlainBufferWriter,
  PrimaryKeyColumn,
  PrimaryKeyType,
  WirePrimaryKeyColumn,
} from '../../tablestore/plainbuffer';
import { decodeMessage, encodeMessage } from '../../tablestore/protocol/messages';
import { primaryKeyId } from '../../tablestore/primary-key';
import { approximateRowBytes, ROW_HEADER_BYTES, rowColumns, RowState } from './row-store';
import { invalidParameter, ServiceError } from './service-error';
import { SandboxState } from './state';
import { PrimaryKeySchemaEntry, SandboxTable, TableSettings } from './tables';

type Handler = (state: SandboxState, body: Buffer) => Buffer;

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
// Tablestore "General limits": BatchWriteRow at most 200 rows and 4 MB; GetRange returns at most 5000 rows or 4 MB.
const MAX_BATCH_WRITE_ROWS = 200;
const MAX_BATCH_WRITE_BYTES = 4 * 1024 * 1024;
const MAX_RANGE_ROWS = 5000;
const MAX_RANGE_BYTES = 4 * 1024 * 1024;
/** ComputeSplitPointsBySize: split_size counts units of this many bytes unless split_size_unit_in_byte says otherwise (tablestore.proto). */
const DEFAULT_SPLIT_UNIT_BYTES = 100 * 1024 * 1024;

/** Decodes a request message, answering OTSParameterInvalid when it does not parse. */
export function parseRequest<T>(operation: string, body: Buffer): T {
  try {
    return decodeMessage<T>(`${operation}Request`, body);
  } catch (err) {
    throw invalidParameter(`Failed to parse the ${operation} request: ${(err as Error).message}`);
  }
}

export function checkTableName(name: string): void {
  if (!TABLE_NAME.test(name)) {
    throw invalidParameter(`Invalid table name: '${name}'. It must start with a letter or underscore and contain only letters, digits and underscores (1-255 characters).`);
  }
}

export function checkTimeToLive(ttl: number): void {
  if (ttl !== -1 && ttl < 86400) throw invalidParameter(`Invalid time_to_live: ${ttl}. It must be -1 or at least 86400 seconds.`);
}

function checkStreamExpiration(hours: number | undefined): number {
  if (hours === undefined) throw invalidParameter('expiration_time is required when enable_stream is true.');
  if (!Number.isInteger(hours) || hours < 1 || hours > 168) throw invalidParameter(`Invalid stream expiration_time: ${hours}. It must be between 1 and 168 hours.`);
  return hours;
}

const consumed = (read: number, write: number) => ({ capacity_unit: { read, write } });

interface PbTableOptions {
  time_to_live?: number;
  max_versions?: number;
  deviation_cell_version_in_sec?: number;
  allow_update?: boolean;
}
interface PbStreamSpec {
  enable_stream: boolean;
  expiration_time?: number;
}

function tableOptions(s: TableSettings): object {
  return {
    time_to_live: s.timeToLiveSeconds,
    max_versions: s.maxVersions,
    deviation_cell_version_in_sec: s.deviationCellVersionInSec,
    allow_update: s.allowUpdate,
  };
}

function reservedDetails(s: TableSettings): object {
  const d: Record<string, unknown> = {
    capacity_unit: { read: s.reservedRead, write: s.reservedWrite },
    last_increase_time: Math.floor(s.lastIncreaseTimeMicros / 1e6),
  };
  if (s.lastDecreaseTimeMicros !== null) d.last_decrease_time = Math.floor(s.lastDecreaseTimeMicros / 1e6);
  return d;
}

function streamDetails(t: SandboxTable): object {
  if (!t.stream) return { enable_stream: false };
  return {
    enable_stream: true,
    stream_id: t.stream.streamId,
    expiration_time: t.stream.expirationHours,
    last_enable_time: t.lastStreamEnableTimeMicros ?? t.stream.creationTimeMicros,
  };
}

const createTable: Handler = (state, body) => {
  const req = parseRequest<{
    table_meta: { table_name: string; primary_key: { name: string; type: PrimaryKeyType; option?: string }[] };
    reserved_throughput: { capacity_unit: { read?: number; write?: number } };
    table_options?: PbTableOptions;
    stream_spec?: PbStreamSpec;
  }>('CreateTable', body);
  const name = req.table_meta.table_name;
  checkTableName(name);
  const pk = req.table_meta.primary_key;
  if (pk.length < 1 || pk.length > 4) throw invalidParameter(`The number of primary key columns must be in range [1, 4], got ${pk.length}.`);
  const seen = new Set<string>();
  for (const c of pk) {
    if (seen.has(c.name)) throw invalidParameter(`Duplicated primary key name: '${c.name}'.`);
    seen.add(c.name);
  }
  if (state.tables.has(name)) throw new ServiceError(409, 'OTSObjectAlreadyExist', `Requested table ${name} already exists.`);
  const o = req.table_options ?? {};
  const ttl = o.time_to_live ?? -1;
  checkTimeToLive(ttl);
  const maxVersions = o.max_versions ?? 1;
  if (maxVersions < 1) throw invalidParameter(`Invalid max_versions: ${maxVersions}. It must be at least 1.`);
  const now = state.clock.nowMicros();
  const settings: TableSettings = {
    timeToLiveSeconds: ttl,
    maxVersions,
    deviationCellVersionInSec: o.deviation_cell_version_in_sec ?? 86400,
    allowUpdate: o.allow_update ?? true,
    reservedRead: req.reserved_throughput.capacity_unit.read ?? 0,
    reservedWrite: req.reserved_throughput.capacity_unit.write ?? 0,
    lastIncreaseTimeMicros: now,
    lastDecreaseTimeMicros: null,
  };
  const schema: PrimaryKeySchemaEntry[] = pk.map((c) => ({ name: c.name, type: c.type, autoIncrement: c.option === 'AUTO_INCREMENT' }));
  const table = new SandboxTable('wide', name, schema, settings, now);
  if (req.stream_spec?.enable_stream) {
    table.enableStream(now, checkStreamExpiration(req.stream_spec.expiration_time), state.settings.shardCount);
  }
  state.tables.set(name, table);
  return encodeMessage('CreateTableResponse', {});
};

const describeTable: Handler = (state, body) => {
  const req = parseRequest<{ table_name: string }>('DescribeTable', body);
  const t = state.table(req.table_name, 'wide');
  return encodeMessage('DescribeTableResponse', {
    table_meta: {
      table_name: t.name,
      primary_key: t.primaryKey.map((c) => (c.autoIncrement ? { name: c.name, type: c.type, option: 'AUTO_INCREMENT' } : { name: c.name, type: c.type })),
    },
    reserved_throughput_details: reservedDetails(t.settings),
    table_options: tableOptions(t.settings),
    table_status: 'ACTIVE',
    stream_details: streamDetails(t),
    creation_time: t.creationTimeMicros,
  });
};

const updateTable: Handler = (state, body) => {
  const req = parseRequest<{
    table_name: string;
    reserved_throughput?: { capacity_unit: { read?: number; write?: number } };
    table_options?: PbTableOptions;
    stream_spec?: PbStreamSpec;
  }>('UpdateTable', body);
  const t = state.table(req.table_name, 'wide');
  const s = t.settings;
  const now = state.clock.nowMicros();
  if (req.table_options) {
    const o = req.table_options;
    if (o.time_to_live !== undefined) {
      checkTimeToLive(o.time_to_live);
      s.timeToLiveSeconds = o.time_to_live;
    }
    if (o.max_versions !== undefined) {
      if (o.max_versions < 1) throw invalidParameter(`Invalid max_versions: ${o.max_versions}. It must be at least 1.`);
      s.maxVersions = o.max_versions;
    }
    if (o.deviation_cell_version_in_sec !== undefined) s.deviationCellVersionInSec = o.deviation_cell_version_in_sec;
    if (o.allow_update !== undefined) s.allowUpdate = o.allow_update;
  }
  if (req.reserved_throughput) {
    const cu = req.reserved_throughput.capacity_unit;
    const read = cu.read ?? s.reservedRead;
    const write = cu.write ?? s.reservedWrite;
    if (read > s.reservedRead || write > s.reservedWrite) s.lastIncreaseTimeMicros = now;
    if (read < s.reservedRead || write < s.reservedWrite) s.lastDecreaseTimeMicros = now;
    s.reservedRead = read;
    s.reservedWrite = write;
  }
  if (req.stream_spec) {
    if (req.stream_spec.enable_stream) {
      const hours = checkStreamExpiration(req.stream_spec.expiration_time);
      if (t.stream) t.stream.expirationHours = hours;
      else t.enableStream(now, hours, state.settings.shardCount);
    } else {
      t.disableStream();
    }
  }
  return encodeMessage('UpdateTableResponse', {
    reserved_throughput_details: reservedDetails(s),
    table_options: tableOptions(s),
    stream_details: streamDetails(t),
  });
};

const deleteTable: Handler = (state, body) => {
  const req = parseRequest<{ table_name: string }>('DeleteTable', body);
  state.deleteTable(req.table_name, 'wide');
  return encodeMessage('DeleteTableResponse', {});
};

const listTable: Handler = (state) => encodeMessage('ListTableResponse', { table_names: state.tablesOf('wide').map((t) => t.name) });

/* ------------------------------------------------------------------ rows */

interface PbCondition {
  row_existence: 'IGNORE' | 'EXPECT_EXIST' | 'EXPECT_NOT_EXIST';
  column_condition?: Buffer;
}
interface PbReturnContent {
  return_type?: 'RT_NONE' | 'RT_PK' | 'RT_AFTER_MODIFY';
}

type WriteKind = 'PUT' | 'UPDATE' | 'DELETE';

export function decodeRequestRow(bytes: Buffer | undefined, what: string): PlainBufferRow {
  if (!bytes || bytes.length === 0) throw invalidParameter(`${what} is empty.`);
  try {
    return decodeRow(bytes, { allowTrailingZeros: true });
  } catch (err) {
    if (err instanceof PlainBufferError) throw invalidParameter(`Invalid ${what}: ${err.message}`);
    throw err;
  }
}

/** Checks a written key against the schema; fills AUTO_INCREMENT columns. */
function resolvePrimaryKey(table: SandboxTable, wire: WirePrimaryKeyColumn[], allowAutoIncrement: boolean): PrimaryKeyColumn[] {
  const schema = table.primaryKey;
  if (wire.length !== schema.length) {
    throw invalidParameter(`The number of primary key columns must be ${schema.length} for table ${table.name}, got ${wire.length}.`);
  }
  return wire.map((c, i) => {
    const s = schema[i];
    if (c.name !== s.name) throw invalidParameter(`Validate PK name fail. Input: ${c.name}, Meta: ${s.name}.`);
    if (c.type === 'AUTO_INCREMENT') {
      if (!allowAutoIncrement || !s.autoIncrement) throw invalidParameter(`Primary key column ${s.name} is not an auto-increment column.`);
      return { name: s.name, type: 'INTEGER', value: table.nextAutoIncrement() };
    }
    if (c.type !== s.type) throw invalidParameter(`Validate PK type fail. Input: ${c.type}, Meta: ${s.type} for column ${s.name}.`);
    return c as PrimaryKeyColumn;
  });
}

function checkCondition(table: SandboxTable, pk: PrimaryKeyColumn[], condition: PbCondition | undefined): void {
  if (!condition) throw invalidParameter('condition is required.');
  if (condition.column_condition && condition.column_condition.length > 0) {
    throw invalidParameter('Column conditions are not supported by the sandbox.');
  }
  if (condition.row_existence === 'IGNORE') return;
  const exists = table.rowStore().get(pk) !== undefined;
  if ((condition.row_existence === 'EXPECT_EXIST') !== exists) {
    throw new ServiceError(403, 'OTSConditionCheckFail', 'Condition check failed.');
  }
}

/** Timestamps missing cells, resolves increments; what the stream records and the store applies. */
function resolveCells(table: SandboxTable, kind: WriteKind, pk: PrimaryKeyColumn[], cells: Cell[], writeMillis: number): Cell[] {
  if (kind === 'DELETE') {
    if (cells.length > 0) throw invalidParameter('DeleteRow must carry only the primary key.');
    return [];
  }
  const out: Cell[] = [];
  for (const c of cells) {
    if (table.primaryKey.some((p) => p.name === c.name)) throw invalidParameter(`Attribute column ${c.name} has the name of a primary key column.`);
    switch (c.operation) {
      case 'PUT':
        if (c.value === null) throw invalidParameter(`Column ${c.name} has no value.`);
        out.push(c.timestampMillis === null ? { ...c, timestampMillis: writeMillis } : c);
        break;
      case 'DELETE_ONE_VERSION':
        if (kind !== 'UPDATE') throw invalidParameter(`PutRow column ${c.name} cannot delete a version.`);
        if (c.timestampMillis === null) throw invalidParameter(`Deleting one version of column ${c.name} requires its timestamp.`);
        out.push(c);
        break;
      case 'DELETE_ALL_VERSIONS':
        if (kind !== 'UPDATE') throw invalidParameter(`PutRow column ${c.name} cannot delete all versions.`);
        out.push({ ...c, timestampMillis: null });
        break;
      case 'INCREMENT': {
        if (kind !== 'UPDATE') throw invalidParameter(`PutRow column ${c.name} cannot be an increment.`);
        if (c.type !== 'INTEGER') throw invalidParameter(`Increment of column ${c.name} must be an INTEGER.`);
        const stored = table.rowStore().get(pk);
        const current = stored ? rowColumns(stored).get(c.name)?.[0] : undefined;
        if (current && current.type !== 'INTEGER') throw invalidParameter(`Column ${c.name} is ${current.type}; only INTEGER columns can be incremented.`);
        const base = current ? (current.value as bigint) : 0n;
        out.push({ name: c.name, operation: 'PUT', type: 'INTEGER', value: base + (c.value as bigint), timestampMillis: writeMillis });
        break;
      }
    }
  }
  return out;
}

interface WriteResult {
  readonly primaryKey: PrimaryKeyColumn[];
}

/** Applies one row write (PutRow/UpdateRow/DeleteRow or a BatchWriteRow row). */
function applyWrite(
  state: SandboxState,
  table: SandboxTable,
  kind: WriteKind,
  row: PlainBufferRow,
  condition: PbCondition | undefined,
  writeMicros: number,
  rowIndex: number,
): WriteResult {
  const pk = resolvePrimaryKey(table, row.primaryKey, kind !== 'DELETE');
  checkCondition(table, pk, condition);
  const cells = resolveCells(table, kind, pk, row.cells, Math.floor(writeMicros / 1000));
  const action = kind === 'PUT' ? 1 : kind === 'UPDATE' ? 2 : 3;
  table.recordWrite(action, pk, cells, writeMicros, rowIndex);
  return { primaryKey: pk };
}

function returnedRow(result: WriteResult, rc: PbReturnContent | undefined): Buffer | undefined {
  if (!rc || rc.return_type !== 'RT_PK') return undefined;
  return encodeRows([{ primaryKey: result.primaryKey }]);
}

/** PutRow, UpdateRow and DeleteRow: one row, written under its condition; `rowField` is the request field carrying it. */
function singleRowWrite(operation: 'PutRow' | 'UpdateRow' | 'DeleteRow', kind: WriteKind, rowField: 'row' | 'row_change' | 'primary_key'): Handler {
  return (state, body) => {
    const req = parseRequest<{ table_name: string; condition: PbCondition; return_content?: PbReturnContent } & Record<typeof rowField, Buffer>>(operation, body);
    const table = state.table(req.table_name, 'wide');
    const result = applyWrite(state, table, kind, decodeRequestRow(req[rowField], kind === 'DELETE' ? 'primary_key' : 'row'), req.condition, state.clock.issueWriteTimestamp(), 0);
    return encodeMessage(`${operation}Response`, { consumed: consumed(0, 1), row: returnedRow(result, req.return_content) });
  };
}

/** Encoded BatchWriteRow answers whose rows were all written, by table names and row counts. */
const allWrittenAnswers = new Map<string, Buffer>();

const batchWriteRow: Handler = (state, body) => {
  const req = parseRequest<{
    tables: { table_name: string; rows: { type: WriteKind; row_change: Buffer; condition: PbCondition; return_content?: PbReturnContent }[] }[];
  }>('BatchWriteRow', body);
  const total = req.tables.reduce((n, t) => n + t.rows.length, 0);
  if (total === 0) throw invalidParameter('BatchWriteRow carries no rows.');
  if (total > MAX_BATCH_WRITE_ROWS) throw invalidParameter(`Rows count exceeds the upper limit: ${MAX_BATCH_WRITE_ROWS}, got ${total}.`);
  const bytes = req.tables.reduce((n, t) => n + t.rows.reduce((m, r) => m + (r.row_change?.length ?? 0), 0), 0);
  if (bytes > MAX_BATCH_WRITE_BYTES) throw invalidParameter(`The total data size of BatchWriteRow request exceeds the limit: ${MAX_BATCH_WRITE_BYTES} bytes, got ${bytes}.`);
  // Each row decoded once; a row that does not decode fails on its own (is_ok false), not the request.
  const decoded = req.tables.map((t) => t.rows.map((r): PlainBufferRow | ServiceError => {
    try {
      return decodeRequestRow(r.row_change, r.type === 'DELETE' ? 'primary_key' : 'row');
    } catch (err) {
      if (err instanceof ServiceError) return err;
      throw err;
    }
  }));
  req.tables.forEach((t, i) => {
    // Assumption (no public source found): one row twice in a request is refused, as other batch APIs do.
    const keys = new Set<string>();
    for (const row of decoded[i]) {
      if (row instanceof ServiceError) continue;
      const key = primaryKeyId(row.primaryKey as PrimaryKeyColumn[]);
      if (keys.has(key)) throw invalidParameter(`Duplicated primary key in BatchWriteRow for table ${t.table_name}.`);
      keys.add(key);
    }
  });
  const seenTables = new Set<string>();
  for (const t of req.tables) {
    if (seenTables.has(t.table_name)) throw invalidParameter(`Table ${t.table_name} appears twice in BatchWriteRow.`);
    seenTables.add(t.table_name);
    state.table(t.table_name, 'wide');
  }
  // One write instant per request; the row index orders rows within it.
  const writeMicros = state.clock.issueWriteTimestamp();
  let rowIndex = 0;
  const tables = req.tables.map((t, i) => {
    const table = state.table(t.table_name, 'wide');
    const rows = t.rows.map((r, j) => {
      const index = rowIndex++;
      try {
        const row = decoded[i][j];
        if (row instanceof ServiceError) throw row;
        const result = applyWrite(state, table, r.type, row, r.condition, writeMicros, index);
        return { is_ok: true, consumed: consumed(0, 1), row: returnedRow(result, r.return_content) };
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        return { is_ok: false, error: { code: err.code, message: err.message } };
      }
    });
    return { table_name: t.table_name, rows };
  });
  if (!tables.every((t) => t.rows.every((r) => r.is_ok && r.row === undefined))) return encodeMessage('BatchWriteRowResponse', { tables });
  // Every row written and none returned: the answer depends only on the tables' names and row counts.
  const key = tables.map((t) => `${t.table_name}:${t.rows.length}`).join('|');
  let answer = allWrittenAnswers.get(key);
  if (!answer) {
    if (allWrittenAnswers.size >= 1024) allWrittenAnswers.clear();
    answer = encodeMessage('BatchWriteRowResponse', { tables });
    allWrittenAnswers.set(key, answer);
  }
  return answer;
};

interface ReadSelection {
  readonly columnsToGet: ReadonlySet<string> | null;
  readonly maxVersions: number;
  readonly startMillis: number;
  readonly endMillis: number;
}

interface PbTimeRange {
  start_time?: number;
  end_time?: number;
  specific_time?: number;
}

function readSelection(table: SandboxTable, state: SandboxState, columns: string[], maxVersions: number | undefined, range: PbTimeRange | undefined): ReadSelection {
  let start = 0;
  let end = Number.MAX_SAFE_INTEGER;
  if (range) {
    if (range.specific_time !== undefined) {
      start = range.specific_time;
      end = range.specific_time + 1;
    } else {
      start = range.start_time ?? 0;
      end = range.end_time ?? Number.MAX_SAFE_INTEGER;
    }
  }
  // Versions older than the table TTL are invisible.
  const ttl = table.settings.timeToLiveSeconds;
  if (ttl > 0) start = Math.max(start, Math.floor(state.clock.nowMicros() / 1000) - ttl * 1000);
  if (maxVersions !== undefined && maxVersions < 1) throw invalidParameter(`Invalid max_versions: ${maxVersions}.`);
  return {
    columnsToGet: columns.length > 0 ? new Set(columns) : null,
    maxVersions: maxVersions ?? (range ? Number.MAX_SAFE_INTEGER : 1),
    startMillis: start,
    endMillis: end,
  };
}

/** Encodes selected rows (PlainBuffer rows without their header); shared, as handlers are synchronous. */
const selectionWriter = new PlainBufferWriter(4096);

/**
 * The row as a read returns it, as PlainBuffer row bytes without the header (null when nothing is selected), and
 * its approximate size. A read of every column and every kept version, at any time, serves the stored bytes as they are.
 */
function selectRow(row: RowState, sel: ReadSelection): { bytes: Buffer; size: number } | null {
  if (!sel.columnsToGet && sel.maxVersions >= row.maxColumnVersions && sel.startMillis <= 0 && sel.endMillis === Number.MAX_SAFE_INTEGER) {
    return { bytes: row.encoded.subarray(ROW_HEADER_BYTES), size: row.approximateBytes };
  }
  const cells: EncodableCell[] = [];
  for (const [name, versions] of rowColumns(row)) {
    if (sel.columnsToGet && !sel.columnsToGet.has(name)) continue;
    let taken = 0;
    for (const v of versions) {
      if (v.timestampMillis < sel.startMillis || v.timestampMillis >= sel.endMillis) continue;
      if (taken++ >= sel.maxVersions) break;
      cells.push({ name, type: v.type, value: v.value, timestampMillis: v.timestampMillis });
    }
  }
  if (sel.columnsToGet && cells.length === 0) return null;
  selectionWriter.reset();
  selectionWriter.writeRow({ primaryKey: row.primaryKey, cells });
  return { bytes: Buffer.from(selectionWriter.finish()), size: approximateRowBytes(row.primaryKey, cells) };
}

/** PlainBuffer rows (header included) from row bytes without header. */
export function rowsBuffer(rows: readonly Buffer[]): Buffer {
  const header = Buffer.allocUnsafe(ROW_HEADER_BYTES);
  header.writeUInt32LE(PB_HEADER, 0);
  return Buffer.concat([header, ...rows]);
}

const getRow: Handler = (state, body) => {
  const req = parseRequest<{ table_name: string; primary_key: Buffer; columns_to_get: string[]; time_range?: PbTimeRange; max_versions?: number }>('GetRow', body);
  const table = state.table(req.table_name, 'wide');
  const pk = resolvePrimaryKey(table, decodeRequestRow(req.primary_key, 'primary_key').primaryKey, false);
  const sel = readSelection(table, state, req.columns_to_get, req.max_versions, req.time_range);
  const row = table.rowStore().get(pk);
  const selected = row ? selectRow(row, sel) : null;
  const bytes = selected ? rowsBuffer([selected.bytes]) : Buffer.alloc(0);
  return encodeMessage('GetRowResponse', { consumed: consumed(1, 0), row: bytes });
};

const getRange: Handler = (state, body) => {
  const req = parseRequest<{
    table_name: string;
    direction: 'FORWARD' | 'BACKWARD';
    columns_to_get: string[];
    time_range?: PbTimeRange;
    max_versions?: number;
    limit?: number;
    inclusive_start_primary_key: Buffer;
    exclusive_end_primary_key: Buffer;
  }>('GetRange', body);
  const table = state.table(req.table_name, 'wide');
  const start = decodeRequestRow(req.inclusive_start_primary_key, 'inclusive_start_primary_key').primaryKey;
  const end = decodeRequestRow(req.exclusive_end_primary_key, 'exclusive_end_primary_key').primaryKey;
  for (const [what, key] of [['inclusive_start_primary_key', start], ['exclusive_end_primary_key', end]] as const) {
    if (key.length !== table.primaryKey.length) throw invalidParameter(`${what} must have ${table.primaryKey.length} columns, got ${key.length}.`);
    key.forEach((c, i) => {
      if (c.name !== table.primaryKey[i].name) throw invalidParameter(`${what} column ${i} is ${c.name}, expected ${table.primaryKey[i].name}.`);
    });
  }
  if (req.limit !== undefined && req.limit < 1) throw invalidParameter(`Invalid limit: ${req.limit}.`);
  const limit = Math.min(req.limit ?? MAX_RANGE_ROWS, MAX_RANGE_ROWS);
  const sel = readSelection(table, state, req.columns_to_get, req.max_versions, req.time_range);
  const rows: Buffer[] = [];
  let next: PrimaryKeyColumn[] | null = null;
  let bytes = 0;
  for (const row of table.rowStore().range(start, end, req.direction === 'BACKWARD')) {
    if (rows.length >= limit) {
      next = row.primaryKey;
      break;
    }
    const selected = selectRow(row, sel);
    if (!selected) continue;
    // A page holds at most 4 MB (at least one row): the row that would cross it starts the next page.
    if (rows.length > 0 && bytes + selected.size > MAX_RANGE_BYTES) {
      next = row.primaryKey;
      break;
    }
    rows.push(selected.bytes);
    bytes += selected.size;
  }
  return encodeMessage('GetRangeResponse', {
    consumed: consumed(Math.max(1, rows.length), 0),
    rows: rows.length > 0 ? rowsBuffer(rows) : Buffer.alloc(0),
    next_start_primary_key: next ? encodeRows([{ primaryKey: next }]) : undefined,
  });
};

/**
 * Split points every `split_size` units of data, in key order. Like the service, a point names only as many key
 * columns as it needs: trailing INF_MIN columns are left out (here: every column after the first, when the first
 * column alone separates the split from the rows before it).
 */
const computeSplitPointsBySize: Handler = (state, body) => {
  const req = parseRequest<{ table_name: string; split_size: number; split_size_unit_in_byte?: number }>('ComputeSplitPointsBySize', body);
  const table = state.table(req.table_name, 'wide');
  if (!Number.isInteger(req.split_size) || req.split_size < 1) throw invalidParameter(`Invalid split_size: ${req.split_size}. It must be a positive integer.`);
  const unit = req.split_size_unit_in_byte ?? DEFAULT_SPLIT_UNIT_BYTES;
  if (!Number.isInteger(unit) || unit < 1) throw invalidParameter(`Invalid split_size_unit_in_byte: ${unit}.`);
  const splitBytes = req.split_size * unit;
  const points: Buffer[] = [];
  const schema = table.primaryKey;
  const min = schema.map((c) => ({ name: c.name, type: 'INF_MIN' as const, value: null }));
  const max = schema.map((c) => ({ name: c.name, type: 'INF_MAX' as const, value: null }));
  let acc = 0;
  // Keys are decoded only at split points.
  let previous: RowState | null = null;
  for (const row of table.rowStore().range(min, max, false)) {
    if (acc >= splitBytes && previous) {
      const firstDiffers = compareColumnValues(previous.primaryKey[0], row.primaryKey[0]) !== 0;
      points.push(encodeRows([{ primaryKey: firstDiffers ? [row.primaryKey[0]] : row.primaryKey }]));
      acc = 0;
    }
    acc += row.approximateBytes;
    previous = row;
  }
  return encodeMessage('ComputeSplitPointsBySizeResponse', {
    consumed: consumed(1, 0),
    schema: schema.map((c) => ({ name: c.name, type: c.type })),
    split_points: points,
    locations: points.length > 0 ? [{ location: '', repeat: points.length + 1 }] : [{ location: '', repeat: 1 }],
  });
};

function compareColumnValues(a: PrimaryKeyColumn, b: PrimaryKeyColumn): number {
  if (typeof a.value === 'bigint' && typeof b.value === 'bigint') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  return Buffer.compare(Buffer.from(a.value as string | Buffer), Buffer.from(b.value as string | Buffer));
}

export const TABLE_HANDLERS: Readonly<Record<string, Handler>> = {
  ComputeSplitPointsBySize: computeSplitPointsBySize,
  CreateTable: createTable,
  DescribeTable: describeTable,
  UpdateTable: updateTable,
  DeleteTable: deleteTable,
  ListTable: listTable,
  PutRow: singleRowWrite('PutRow', 'PUT', 'row'),
  UpdateRow: singleRowWrite('UpdateRow', 'UPDATE', 'row_change'),
  DeleteRow: singleRowWrite('DeleteRow', 'DELETE', 'primary_key'),
  BatchWriteRow: batchWriteRow,
  GetRow: getRow,
  GetRange: getRange,
};
