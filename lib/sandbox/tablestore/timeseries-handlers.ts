/**
 * Time series table API: Create/Describe/Update/Delete/ListTimeseriesTable, SplitTimeseriesScanTask and
 * ScanTimeseriesData (full scan, PlainBuffer storage rows) and
 * PutTimeseriesData (protobuf rows), with the table's stream on from creation: the API has no Stream field (no
 * enable, disable or retention; DataWorks documents the Stream as on by default for time series tables), so the
 * sandbox refuses any field these requests do not declare rather than ignoring it.
 *
 * Storage layout (what the stream of a time series table carries, as the SDKs
 * parse it): primary key `_#h` (hash of the series identity, string),
 * `_m_name`, `_data_source`, `_tags` (`["k=v",...]`, keys sorted) — or the
 * custom time series key columns —, `_time` (INTEGER, microseconds), then any
 * field primary key columns; each field is an attribute column named
 * `<field>:<type suffix>`. The suffix letters the service uses are not public;
 * the sandbox uses i/d/b/s/x and readers strip everything from the first ':'.
 */
import { Cell, ColumnType, ColumnValue, encodeRows, PrimaryKeyColumn, PrimaryKeyType, WirePrimaryKeyColumn } from '../../tablestore/plainbuffer';
import { decodeMessage, encodeMessage, unknownFields } from '../../tablestore/protocol/messages';
import { formatTimeseriesTags, MAX_TIMESERIES_SCAN_ROWS, parseTimeseriesTags, TS_HASH_COLUMN, TS_MEASUREMENT_COLUMN, TS_TIME_COLUMN } from '../../tablestore/timeseries';
import { invalidParameter, ServiceError } from './service-error';
import { ROW_HEADER_BYTES } from './row-store';
import { SandboxState } from './state';
import { checkTableName, checkTimeToLive, decodeRequestRow, parseRequest as parseAnyRequest, rowsBuffer } from './table-handlers';
import { PrimaryKeySchemaEntry, SandboxTable } from './tables';

type Handler = (state: SandboxState, body: Buffer) => Buffer;

/**
 * Parses a time series request, refusing fields the API does not declare (the real service would ignore them):
 * the time series table API has no Stream field, so an attempt to enable or tune the Stream fails here.
 */
function parseRequest<T>(operation: string, body: Buffer): T {
  const unknown = unknownFields(`${operation}Request`, body);
  if (unknown.length > 0) throw invalidParameter(`${operation} does not take the field(s) ${unknown.join(', ')}.`);
  return parseAnyRequest<T>(operation, body);
}

const TYPE_SUFFIX: Record<ColumnType, string> = { INTEGER: 'i', DOUBLE: 'd', BOOLEAN: 'b', STRING: 's', BINARY: 'x' };

interface PbMeta {
  table_name: string;
  table_options?: { time_to_live?: number };
  timeseries_key_schema: string[];
  field_primary_key_schema: { name: string; type: PrimaryKeyType }[];
}

function describe(t: SandboxTable): object {
  return {
    table_name: t.name,
    table_options: { time_to_live: t.settings.timeToLiveSeconds },
    status: 'CREATED',
    timeseries_key_schema: [...t.timeseriesKeys],
    field_primary_key_schema: t.fieldPrimaryKeys.map((f) => ({ name: f.name, type: f.type })),
  };
}

const createTimeseriesTable: Handler = (state, body) => {
  const req = parseRequest<{ table_meta: PbMeta }>('CreateTimeseriesTable', body);
  const meta = req.table_meta;
  checkTableName(meta.table_name);
  if (state.tables.has(meta.table_name)) throw new ServiceError(409, 'OTSObjectAlreadyExist', `Requested table ${meta.table_name} already exists.`);
  const ttl = meta.table_options?.time_to_live ?? -1;
  checkTimeToLive(ttl);
  const keys = meta.timeseries_key_schema;
  if (keys.length > 6) throw invalidParameter(`At most 6 time series key columns are allowed, got ${keys.length}.`);
  if (meta.field_primary_key_schema.length > 4) throw invalidParameter(`At most 4 field primary key columns are allowed, got ${meta.field_primary_key_schema.length}.`);
  const identity = keys.length > 0 ? keys : ['_m_name', '_data_source', '_tags'];
  const pk: PrimaryKeySchemaEntry[] = [
    { name: '_#h', type: 'STRING' },
    ...identity.map((name) => ({ name, type: 'STRING' as const })),
    { name: '_time', type: 'INTEGER' },
    ...meta.field_primary_key_schema.map((f) => ({ name: f.name, type: f.type })),
  ];
  const now = state.clock.nowMicros();
  const table = new SandboxTable(
    'timeseries',
    meta.table_name,
    pk,
    {
      timeToLiveSeconds: ttl,
      maxVersions: 1,
      deviationCellVersionInSec: 86400,
      allowUpdate: true,
      reservedRead: 0,
      reservedWrite: 0,
      lastIncreaseTimeMicros: now,
      lastDecreaseTimeMicros: null,
    },
    now,
    [...keys],
    meta.field_primary_key_schema.map((f) => ({ name: f.name, type: f.type })),
  );
  table.enableStream(now, state.settings.timeseriesStreamExpirationHours, state.settings.shardCount);
  state.tables.set(table.name, table);
  return encodeMessage('CreateTimeseriesTableResponse', {});
};

const describeTimeseriesTable: Handler = (state, body) => {
  const req = parseRequest<{ table_name: string }>('DescribeTimeseriesTable', body);
  return encodeMessage('DescribeTimeseriesTableResponse', { table_meta: describe(state.table(req.table_name, 'timeseries')) });
};

const updateTimeseriesTable: Handler = (state, body) => {
  const req = parseRequest<{ table_name: string; table_options?: { time_to_live?: number } }>('UpdateTimeseriesTable', body);
  const table = state.table(req.table_name, 'timeseries');
  const ttl = req.table_options?.time_to_live;
  if (ttl === undefined) throw invalidParameter('UpdateTimeseriesTable needs table_options.time_to_live.');
  checkTimeToLive(ttl);
  table.settings.timeToLiveSeconds = ttl;
  return encodeMessage('UpdateTimeseriesTableResponse', {});
};

const deleteTimeseriesTable: Handler = (state, body) => {
  const req = parseRequest<{ table_name: string }>('DeleteTimeseriesTable', body);
  state.deleteTable(req.table_name, 'timeseries');
  return encodeMessage('DeleteTimeseriesTableResponse', {});
};

const listTimeseriesTable: Handler = (state) => encodeMessage('ListTimeseriesTableResponse', { table_metas: state.tablesOf('timeseries').map(describe) });

interface PbField {
  field_name?: string;
  value_int?: number | string;
  value_string?: string;
  value_bool?: boolean;
  value_double?: number;
  value_binary?: Buffer;
}
interface PbRow {
  timeseries_key?: { measurement?: string; source?: string; tags?: string; tag_list: { name: string; value: string }[] };
  time?: number;
  fields: PbField[];
}

function fieldValue(f: PbField): { type: ColumnType; value: ColumnValue } {
  if (f.value_int !== undefined) return { type: 'INTEGER', value: BigInt(f.value_int) };
  if (f.value_double !== undefined) return { type: 'DOUBLE', value: f.value_double };
  if (f.value_bool !== undefined) return { type: 'BOOLEAN', value: f.value_bool };
  if (f.value_string !== undefined) return { type: 'STRING', value: f.value_string };
  if (f.value_binary !== undefined) return { type: 'BINARY', value: f.value_binary };
  throw invalidParameter(`Field ${f.field_name ?? '?'} has no value.`);
}

function tagsOf(key: NonNullable<PbRow['timeseries_key']>): { text: string; map: Record<string, string> } {
  if (key.tag_list.length > 0) {
    const map: Record<string, string> = {};
    for (const t of key.tag_list) map[t.name] = t.value;
    return { text: formatTimeseriesTags(map), map };
  }
  const text = key.tags ?? '';
  let map: Record<string, string>;
  try {
    map = parseTimeseriesTags(text);
  } catch (err) {
    throw invalidParameter((err as Error).message);
  }
  // Stored canonically (sorted keys) whatever order the writer used.
  return { text: formatTimeseriesTags(map), map };
}

/** Builds the storage row of one data point. */
function storageRow(table: SandboxTable, row: PbRow, writeMillis: number): { pk: PrimaryKeyColumn[]; cells: Cell[] } {
  const key = row.timeseries_key;
  if (!key || !key.measurement) throw invalidParameter('A time series row needs a measurement name.');
  if (row.time === undefined || row.time < 0) throw invalidParameter('A time series row needs a non-negative time in microseconds.');
  if (row.fields.length === 0) throw invalidParameter('A time series row needs at least one field.');
  const tags = tagsOf(key);
  const source = key.source ?? '';
  const identity = table.timeseriesKeys.length > 0 ? table.timeseriesKeys : ['_m_name', '_data_source', '_tags'];
  const identityValues = identity.map((name) =>
    name === '_m_name' ? (key.measurement as string) : name === '_data_source' ? source : name === '_tags' ? tags.text : (tags.map[name] ?? ''),
  );
  const pk: PrimaryKeyColumn[] = [{ name: '_#h', type: 'STRING', value: seriesHash(identityValues) }];
  identity.forEach((name, i) => pk.push({ name, type: 'STRING', value: identityValues[i] }));
  pk.push({ name: '_time', type: 'INTEGER', value: BigInt(row.time) });
  const fields = new Map<string, { type: ColumnType; value: ColumnValue }>();
  for (const f of row.fields) {
    if (!f.field_name) throw invalidParameter('A time series field needs a name.');
    if (f.field_name.includes(':')) throw invalidParameter(`Field name ${f.field_name} must not contain ':'.`);
    fields.set(f.field_name, fieldValue(f));
  }
  for (const fpk of table.fieldPrimaryKeys) {
    const v = fields.get(fpk.name);
    if (!v) throw invalidParameter(`Field primary key ${fpk.name} is missing from the row.`);
    if (v.type !== fpk.type) throw invalidParameter(`Field primary key ${fpk.name} must be ${fpk.type}, got ${v.type}.`);
    pk.push({ name: fpk.name, type: fpk.type, value: v.value as bigint | string | Buffer });
    fields.delete(fpk.name);
  }
  const cells: Cell[] = [...fields.entries()].map(([name, v]) => ({
    name: `${name}:${TYPE_SUFFIX[v.type]}`,
    operation: 'PUT',
    type: v.type,
    value: v.value,
    timestampMillis: writeMillis,
  }));
  return { pk, cells };
}

/** Eight hex digits identifying the series (FNV-1a of its key values). */
function seriesHash(values: string[]): string {
  let h = 0x811c9dc5;
  for (const v of values) {
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const putTimeseriesData: Handler = (state, body) => {
  const req = parseRequest<{ table_name: string; rows_data: { type: string; rows_data: Buffer } }>('PutTimeseriesData', body);
  const table = state.table(req.table_name, 'timeseries');
  if (req.rows_data.type !== 'RST_PROTO_BUFFER') {
    throw invalidParameter(`Rows serialized as ${req.rows_data.type} are not supported by the sandbox; send RST_PROTO_BUFFER rows.`);
  }
  let rows: PbRow[];
  try {
    rows = decodeMessage<{ rows: PbRow[] }>('TimeseriesPBRows', req.rows_data.rows_data).rows;
  } catch (err) {
    throw invalidParameter(`Failed to parse the time series rows: ${(err as Error).message}`);
  }
  if (rows.length === 0) throw invalidParameter('PutTimeseriesData carries no rows.');
  const writeMicros = state.clock.issueWriteTimestamp();
  const failed: { row_index: number; error_code: string; error_message: string }[] = [];
  rows.forEach((row, i) => {
    try {
      const { pk, cells } = storageRow(table, row, Math.floor(writeMicros / 1000));
      table.recordWrite(1, pk, cells, writeMicros, i);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      failed.push({ row_index: i, error_code: err.code, error_message: err.message });
    }
  });
  return encodeMessage('PutTimeseriesDataResponse', { failed_rows: failed });
};

/** Most scan tasks SplitTimeseriesScanTask hands out here (the service decides the count; the hint is a hint). */
const MAX_SCAN_SPLITS = 16;

/** What a split info names here: the table, a range of series hashes, and optionally one measurement. */
interface ScanSplit {
  readonly table: string;
  readonly index: number;
  readonly count: number;
  readonly measurement?: string;
}

/** Series hash (8 hex digits) where split `index` of `count` starts. */
function splitBound(index: number, count: number): string {
  return Math.floor((index * 0x100000000) / count).toString(16).padStart(8, '0');
}

const splitTimeseriesScanTask: Handler = (state, body) => {
  const req = parseRequest<{ table_name: string; measurement_name?: string; split_count_hint: number }>('SplitTimeseriesScanTask', body);
  state.table(req.table_name, 'timeseries');
  if (!(req.split_count_hint > 0)) throw invalidParameter(`split_count_hint must be greater than 0, got ${req.split_count_hint}.`);
  const count = Math.min(req.split_count_hint, MAX_SCAN_SPLITS);
  const infos = Array.from({ length: count }, (_, index) => {
    const split: ScanSplit = { table: req.table_name, index, count, ...(req.measurement_name ? { measurement: req.measurement_name } : {}) };
    return Buffer.from(JSON.stringify(split));
  });
  return encodeMessage('SplitTimeseriesScanTaskResponse', { split_infos: infos });
};

function parseSplit(bytes: Buffer, table: string): ScanSplit {
  let split: ScanSplit;
  try {
    split = JSON.parse(bytes.toString('utf8')) as ScanSplit;
  } catch {
    throw invalidParameter('Invalid split_info: pass one that SplitTimeseriesScanTask returned.');
  }
  if (split.table !== table || !(split.index >= 0 && split.index < split.count)) throw invalidParameter(`split_info does not belong to table ${table}.`);
  return split;
}

/**
 * A page of the split's data points as PlainBuffer storage rows. Strict where the API reference leaves room:
 * `data_serialize_type` must be RST_PLAIN_BUFFER (the one the Java SDK asks for and parses), `limit` 1–5000,
 * and `fields_to_get` (a column selection the sandbox does not serve) is refused rather than ignored.
 */
const scanTimeseriesData: Handler = (state, body) => {
  const req = parseRequest<{
    table_name: string;
    split_info?: Buffer;
    start_time_us?: number;
    end_time_us?: number;
    fields_to_get: unknown[];
    limit?: number;
    data_serialize_type?: string;
    token?: Buffer;
  }>('ScanTimeseriesData', body);
  const table = state.table(req.table_name, 'timeseries');
  if (req.data_serialize_type !== 'RST_PLAIN_BUFFER') throw invalidParameter(`data_serialize_type ${req.data_serialize_type ?? '(absent)'} is not served: ask for RST_PLAIN_BUFFER.`);
  if (req.limit !== undefined && (req.limit < 1 || req.limit > MAX_TIMESERIES_SCAN_ROWS)) throw invalidParameter(`limit must be 1 to ${MAX_TIMESERIES_SCAN_ROWS}, got ${req.limit}.`);
  if (req.fields_to_get.length > 0) throw invalidParameter('fields_to_get is not served by the sandbox.');
  const from = req.start_time_us ?? 0;
  const to = req.end_time_us ?? Number.MAX_SAFE_INTEGER;
  if (from >= to) throw invalidParameter(`start_time_us ${from} must be before end_time_us ${to}.`);
  const split: ScanSplit = req.split_info && req.split_info.length > 0 ? parseSplit(req.split_info, table.name) : { table: table.name, index: 0, count: 1 };
  const key = (hash: string | null, fill: 'INF_MIN' | 'INF_MAX'): WirePrimaryKeyColumn[] =>
    table.primaryKey.map((c, i) => (i === 0 && hash !== null ? { name: c.name, type: 'STRING', value: hash } : { name: c.name, type: fill, value: null }));
  const start = req.token && req.token.length > 0 ? decodeRequestRow(req.token, 'token').primaryKey : key(split.index === 0 ? null : splitBound(split.index, split.count), 'INF_MIN');
  if (start[0]?.name !== TS_HASH_COLUMN || start.length !== table.primaryKey.length) throw invalidParameter('Invalid token: pass the next_token of the previous page.');
  const end = split.index === split.count - 1 ? key(null, 'INF_MAX') : key(splitBound(split.index + 1, split.count), 'INF_MIN');
  const limit = req.limit ?? MAX_TIMESERIES_SCAN_ROWS;
  const rows: Buffer[] = [];
  let next: PrimaryKeyColumn[] | null = null;
  for (const row of table.rowStore().range(start, end, false)) {
    if (rows.length >= limit) {
      next = row.primaryKey;
      break;
    }
    const measurement = row.primaryKey.find((c) => c.name === TS_MEASUREMENT_COLUMN)?.value;
    const time = Number(row.primaryKey.find((c) => c.name === TS_TIME_COLUMN)?.value);
    if ((split.measurement !== undefined && measurement !== split.measurement) || time < from || time >= to) continue;
    rows.push(row.encoded.subarray(ROW_HEADER_BYTES));
  }
  return encodeMessage('ScanTimeseriesDataResponse', {
    data_serialize_type: 'RST_PLAIN_BUFFER',
    data: rows.length > 0 ? rowsBuffer(rows) : Buffer.alloc(0),
    next_token: next ? encodeRows([{ primaryKey: next }]) : undefined,
  });
};

export const TIMESERIES_HANDLERS: Readonly<Record<string, (state: SandboxState, body: Buffer) => Buffer>> = {
  CreateTimeseriesTable: createTimeseriesTable,
  DescribeTimeseriesTable: describeTimeseriesTable,
  UpdateTimeseriesTable: updateTimeseriesTable,
  DeleteTimeseriesTable: deleteTimeseriesTable,
  ListTimeseriesTable: listTimeseriesTable,
  PutTimeseriesData: putTimeseriesData,
  SplitTimeseriesScanTask: splitTimeseriesScanTask,
  ScanTimeseriesData: scanTimeseriesData,
};
