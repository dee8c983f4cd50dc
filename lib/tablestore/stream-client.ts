/**
 * Client for the Tablestore Stream API and the time series table API — the
 * operations the official Node SDK lacks.
 */
import { decodeRowAt, decodeRows } from './plainbuffer/decode';
import { PlainBufferRow, PrimaryKeyType } from './plainbuffer/types';
import { decodeMessage, encodeMessage } from './protocol/messages';
import { decodeGetStreamRecordResponse, StreamRecordBatch } from './protocol/stream-wire';
import { formatTimeseriesTags } from './timeseries';
import { TablestoreTransport, TransportOptions } from './transport';

export type TablestoreStreamClientOptions = TransportOptions;

export interface StreamInfo {
  readonly streamId: string;
  readonly tableName: string;
  /** As reported by the service (microseconds since epoch). */
  readonly creationTime: number;
}

export interface StreamShardInfo {
  readonly shardId: string;
  readonly parentId: string | null;
  readonly parentSiblingId: string | null;
}

export interface StreamDescription {
  readonly streamId: string;
  readonly tableName: string;
  /** Retention of stream records in hours. */
  readonly expirationTimeHours: number;
  readonly creationTime: number;
  readonly status: 'STREAM_ENABLING' | 'STREAM_ACTIVE';
  readonly shards: StreamShardInfo[];
  /** Set on a single page when more shards follow. */
  readonly nextShardId: string | null;
  readonly isTimeseriesDataTable: boolean;
}

export interface DescribeStreamPageOptions {
  readonly inclusiveStartShardId?: string;
  readonly shardLimit?: number;
  /** Ask the service to describe time series tables' streams too (default true). */
  readonly supportTimeseriesDataTable?: boolean;
}

export type StreamActionType = 'PUT_ROW' | 'UPDATE_ROW' | 'DELETE_ROW';

export interface DecodedStreamRecord {
  readonly action: StreamActionType;
  readonly row: PlainBufferRow;
}

export interface TimeseriesTableDescription {
  readonly tableName: string;
  /** -1 = keep forever. */
  readonly timeToLiveSeconds: number;
  readonly status: string | null;
  readonly timeseriesKeys: string[];
  readonly fieldPrimaryKeys: { name: string; type: PrimaryKeyType }[];
}

export interface CreateTimeseriesTableInput {
  readonly tableName: string;
  /** -1 (default) = keep forever; otherwise >= 86400 seconds per the service limits. */
  readonly timeToLiveSeconds?: number;
  /** Custom time series identifier columns (default: measurement, data source, tags). */
  readonly timeseriesKeys?: readonly string[];
  readonly fieldPrimaryKeys?: readonly { name: string; type: PrimaryKeyType }[];
}

export type TimeseriesFieldValue = bigint | number | boolean | string | Buffer;

export interface TimeseriesDataPoint {
  readonly measurement: string;
  readonly dataSource: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly timeMicros: number;
  /** number -> DOUBLE, bigint -> INTEGER. */
  readonly fields: Readonly<Record<string, TimeseriesFieldValue>>;
}

export interface FailedTimeseriesRow {
  readonly rowIndex: number;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

interface PbStream { stream_id: string; table_name: string; creation_time: number }
interface PbShard { shard_id: string; parent_id?: string; parent_sibling_id?: string }
interface PbDescribeStream {
  stream_id: string;
  expiration_time: number;
  table_name: string;
  creation_time: number;
  stream_status: 'STREAM_ENABLING' | 'STREAM_ACTIVE';
  shards: PbShard[];
  next_shard_id?: string;
  is_timeseries_data_table?: boolean;
}
interface PbTimeseriesMeta {
  table_name: string;
  table_options?: { time_to_live?: number };
  status?: string;
  timeseries_key_schema: string[];
  field_primary_key_schema: { name: string; type: PrimaryKeyType }[];
}

/** The largest GetStreamRecord `limit` (an int32 field of GetStreamRecordRequest). */
export const MAX_STREAM_RECORD_LIMIT = 2_147_483_647;

const ACTION_NAMES: readonly StreamActionType[] = ['PUT_ROW', 'PUT_ROW', 'UPDATE_ROW', 'DELETE_ROW'];

export class TablestoreStreamClient {
  private readonly transport: TablestoreTransport;

  constructor(options: TablestoreStreamClientOptions) {
    this.transport = new TablestoreTransport(options);
  }

  /** Streams of the instance, or of one table. */
  async listStream(tableName?: string): Promise<StreamInfo[]> {
    const res = await this.call<{ streams: PbStream[] }>('ListStream', tableName === undefined ? {} : { table_name: tableName });
    return res.streams.map((s) => ({ streamId: s.stream_id, tableName: s.table_name, creationTime: s.creation_time }));
  }

  /** One DescribeStream page. */
  async describeStreamPage(streamId: string, options: DescribeStreamPageOptions = {}): Promise<StreamDescription> {
    const req: Record<string, unknown> = { stream_id: streamId, support_timeseries_data_table: options.supportTimeseriesDataTable !== false };
    if (options.inclusiveStartShardId !== undefined) req.inclusive_start_shard_id = options.inclusiveStartShardId;
    if (options.shardLimit !== undefined) req.shard_limit = options.shardLimit;
    const res = await this.call<PbDescribeStream>('DescribeStream', req);
    return {
      streamId: res.stream_id,
      tableName: res.table_name,
      expirationTimeHours: res.expiration_time,
      creationTime: res.creation_time,
      status: res.stream_status,
      shards: res.shards.map((s) => ({ shardId: s.shard_id, parentId: s.parent_id ?? null, parentSiblingId: s.parent_sibling_id ?? null })),
      nextShardId: res.next_shard_id ?? null,
      isTimeseriesDataTable: res.is_timeseries_data_table === true,
    };
  }

  /** DescribeStream with every shard: follows next_shard_id until the listing ends. */
  async describeStream(streamId: string, options: Omit<DescribeStreamPageOptions, 'inclusiveStartShardId'> = {}): Promise<StreamDescription> {
    const first = await this.describeStreamPage(streamId, options);
    const shards = [...first.shards];
    const seen = new Set(shards.map((s) => s.shardId));
    let next = first.nextShardId;
    while (next !== null) {
      const page = await this.describeStreamPage(streamId, { ...options, inclusiveStartShardId: next });
      let added = 0;
      for (const s of page.shards) {
        if (!seen.has(s.shardId)) {
          seen.add(s.shardId);
          shards.push(s);
          added++;
        }
      }
      if (page.nextShardId === next && added === 0) {
        throw new Error(`DescribeStream paging does not advance: next_shard_id stays "${next}"`);
      }
      next = page.nextShardId;
    }
    return { ...first, shards, nextShardId: null };
  }

  /**
   * Iterator of a shard: at its oldest retained record, or at the first record
   * written at or after `startTimestampMicros`. Follows next_token until the
   * service has located the position.
   */
  async getShardIterator(streamId: string, shardId: string, startTimestampMicros?: number): Promise<string> {
    if (startTimestampMicros !== undefined && !(Number.isSafeInteger(startTimestampMicros) && startTimestampMicros >= 0)) {
      throw new RangeError(`startTimestampMicros must be a non-negative safe integer, got ${startTimestampMicros}`);
    }
    const base: Record<string, unknown> = { stream_id: streamId, shard_id: shardId };
    if (startTimestampMicros !== undefined) base.timestamp = startTimestampMicros;
    let res = await this.call<{ shard_iterator: string; next_token?: string }>('GetShardIterator', base);
    for (let rounds = 0; res.next_token; rounds++) {
      if (rounds >= 10_000) throw new Error(`GetShardIterator for shard ${shardId} kept returning next_token after ${rounds} calls`);
      res = await this.call<{ shard_iterator: string; next_token?: string }>('GetShardIterator', { ...base, token: res.next_token });
    }
    return res.shard_iterator;
  }

  /**
   * One GetStreamRecord page, undecoded: record PlainBuffers are offsets into the
   * response body (what the reader decodes in place).
   */
  async getStreamRecordBatch(shardIterator: string, limit?: number, tableName?: string): Promise<StreamRecordBatch> {
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0 && limit <= MAX_STREAM_RECORD_LIMIT)) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_STREAM_RECORD_LIMIT} (int32), got ${limit}`);
    }
    const req: Record<string, unknown> = { shard_iterator: shardIterator };
    if (limit !== undefined) req.limit = limit;
    if (tableName !== undefined) req.table_name = tableName;
    const body = await this.transport.call('GetStreamRecord', encodeMessage('GetStreamRecordRequest', req));
    return decodeGetStreamRecordResponse(body);
  }

  /** One GetStreamRecord page with every record decoded. */
  async getStreamRecord(shardIterator: string, limit?: number): Promise<{ records: DecodedStreamRecord[]; nextShardIterator: string | null }> {
    const batch = await this.getStreamRecordBatch(shardIterator, limit);
    const records: DecodedStreamRecord[] = [];
    for (let i = 0; i < batch.count; i++) {
      records.push({ action: ACTION_NAMES[batch.actions[i]], row: decodeRowAt(batch.body, batch.starts[i], batch.ends[i], true) });
    }
    return { records, nextShardIterator: batch.nextShardIterator };
  }

  async createTimeseriesTable(input: CreateTimeseriesTableInput): Promise<void> {
    const meta: Record<string, unknown> = {
      table_name: input.tableName,
      table_options: { time_to_live: input.timeToLiveSeconds ?? -1 },
    };
    if (input.timeseriesKeys) meta.timeseries_key_schema = [...input.timeseriesKeys];
    if (input.fieldPrimaryKeys) meta.field_primary_key_schema = input.fieldPrimaryKeys.map((f) => ({ name: f.name, type: f.type }));
    await this.call('CreateTimeseriesTable', { table_meta: meta });
  }

  async describeTimeseriesTable(tableName: string): Promise<TimeseriesTableDescription> {
    const res = await this.call<{ table_meta: PbTimeseriesMeta }>('DescribeTimeseriesTable', { table_name: tableName });
    return toTimeseriesDescription(res.table_meta);
  }

  /** Changes the data TTL (seconds, -1 = forever). */
  async updateTimeseriesTable(tableName: string, timeToLiveSeconds: number): Promise<void> {
    if (!Number.isInteger(timeToLiveSeconds) || (timeToLiveSeconds !== -1 && timeToLiveSeconds <= 0)) {
      throw new RangeError(`timeToLiveSeconds must be -1 or a positive integer, got ${timeToLiveSeconds}`);
    }
    await this.call('UpdateTimeseriesTable', { table_name: tableName, table_options: { time_to_live: timeToLiveSeconds } });
  }

  async deleteTimeseriesTable(tableName: string): Promise<void> {
    await this.call('DeleteTimeseriesTable', { table_name: tableName });
  }

  async listTimeseriesTable(): Promise<TimeseriesTableDescription[]> {
    const res = await this.call<{ table_metas: PbTimeseriesMeta[] }>('ListTimeseriesTable', {});
    return res.table_metas.map(toTimeseriesDescription);
  }

  /**
   * Writes data points, serialised as protobuf rows (RST_PROTO_BUFFER). The SDKs
   * default to FlatBuffer rows; the protobuf form is part of the same API.
   */
  async putTimeseriesData(tableName: string, points: readonly TimeseriesDataPoint[]): Promise<FailedTimeseriesRow[]> {
    const rows = points.map((p) => ({
      timeseries_key: { measurement: p.measurement, source: p.dataSource, tags: formatTimeseriesTags(p.tags) },
      time: p.timeMicros,
      fields: Object.entries(p.fields).map(([name, v]) => timeseriesField(name, v)),
    }));
    const rowsData = encodeMessage('TimeseriesPBRows', { rows });
    const res = await this.call<{ failed_rows: { row_index: number; error_code?: string; error_message?: string }[] }>('PutTimeseriesData', {
      table_name: tableName,
      rows_data: { type: 'RST_PROTO_BUFFER', rows_data: rowsData },
    });
    return res.failed_rows.map((f) => ({ rowIndex: f.row_index, errorCode: f.error_code ?? null, errorMessage: f.error_message ?? null }));
  }

  /**
   * Splits a full scan of the table into tasks (at least one; the service decides how many, `splitCountHint` > 0
   * is a hint). Each opaque split info goes to scanTimeseriesData.
   */
  async splitTimeseriesScanTask(tableName: string, splitCountHint: number): Promise<Buffer[]> {
    const res = await this.call<{ split_infos: Buffer[] }>('SplitTimeseriesScanTask', { table_name: tableName, split_count_hint: splitCountHint });
    return res.split_infos;
  }

  /**
   * One page of a split's data points, as the storage rows the service returns (PlainBuffer, the layout of
   * lib/tablestore/timeseries.ts); `nextToken` is null after the last page. At most `limit` rows (service maximum
   * and default: MAX_TIMESERIES_SCAN_ROWS).
   */
  async scanTimeseriesData(tableName: string, splitInfo: Buffer, token: Buffer | null, limit?: number): Promise<{ rows: PlainBufferRow[]; nextToken: Buffer | null }> {
    const res = await this.call<{ data: Buffer; next_token?: Buffer; data_serialize_type?: string }>('ScanTimeseriesData', {
      table_name: tableName,
      split_info: splitInfo,
      ...(limit !== undefined ? { limit } : {}),
      // The Java SDK asks for PlainBuffer rows and refuses any other answer; so does this client.
      data_serialize_type: 'RST_PLAIN_BUFFER',
      ...(token ? { token } : {}),
    });
    if (res.data_serialize_type !== 'RST_PLAIN_BUFFER') throw new Error(`ScanTimeseriesData answered rows serialized as ${res.data_serialize_type ?? '(none)'}, not RST_PLAIN_BUFFER`);
    return { rows: res.data.length > 0 ? decodeRows(res.data) : [], nextToken: res.next_token && res.next_token.length > 0 ? res.next_token : null };
  }

  /** The service's time (epoch ms) from the latest response, or null (see TablestoreTransport.serverTimeMs). */
  serverTimeMs(): number | null {
    return this.transport.serverTimeMs;
  }

  /** Releases keep-alive sockets. */
  close(): void {
    this.transport.close();
  }

  private async call<T = unknown>(operation: string, request: object): Promise<T> {
    const body = await this.transport.call(operation, encodeMessage(`${operation}Request`, request));
    return decodeMessage<T>(`${operation}Response`, body);
  }
}

function toTimeseriesDescription(m: PbTimeseriesMeta): TimeseriesTableDescription {
  return {
    tableName: m.table_name,
    timeToLiveSeconds: m.table_options?.time_to_live ?? -1,
    status: m.status ?? null,
    timeseriesKeys: m.timeseries_key_schema,
    fieldPrimaryKeys: m.field_primary_key_schema.map((f) => ({ name: f.name, type: f.type })),
  };
}

function timeseriesField(name: string, v: TimeseriesFieldValue): Record<string, unknown> {
  switch (typeof v) {
    case 'bigint':
      return { field_name: name, value_int: v.toString() };
    case 'number':
      return { field_name: name, value_double: v };
    case 'boolean':
      return { field_name: name, value_bool: v };
    case 'string':
      return { field_name: name, value_string: v };
    default:
      return { field_name: name, value_binary: v };
  }
}
