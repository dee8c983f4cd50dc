/**
 * Time series table API: Create/Describe/Update/Delete/ListTimeseriesTable and
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
import { Cell, ColumnType, ColumnValue, PrimaryKeyColumn, PrimaryKeyType } from '../../tablestore/plainbuffer';
import { decodeMessage, encodeMessage, unknownFields } from '../../tablestore/protocol/messages';
import { formatTimeseriesTags, parseTimeseriesTags } from '../../tablestore/timeseries';
import { invalidParameter, ServiceError } from './service-error';
import { SandboxState } from './state';
import { checkTableName, checkTimeToLive, parseRequest as parseAnyRequest } from './table-handlers';
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

export const TIMESERIES_HANDLERS: Readonly<Record<string, (state: SandboxState, body: Buffer) => Buffer>> = {
  CreateTimeseriesTable: createTimeseriesTable,
  DescribeTimeseriesTable: describeTimeseriesTable,
  UpdateTimeseriesTable: updateTimeseriesTable,
  DeleteTimeseriesTable: deleteTimeseriesTable,
  ListTimeseriesTable: listTimeseriesTable,
  PutTimeseriesData: putTimeseriesData,
};
