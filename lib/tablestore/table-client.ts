/**
 * Client for the wide-table calls the snapshot and the restore make: DescribeTable, CreateTable,
 * ComputeSplitPointsBySize, GetRange and BatchWriteRow. It shares the signed transport (credentials provider,
 * retries on throttling and 5xx) with the Stream client, so the runtime has one way to reach Tablestore.
 *
 * Limits (Tablestore "General limits"): BatchWriteRow carries at most 200 rows and 4 MB; GetRange returns at most
 * 5000 rows or 4 MB and then next_start_primary_key. ComputeSplitPointsBySize takes split_size in units of 100 MB
 * (tablestore.proto) and returns split points that may omit trailing INF_MIN columns.
 */
import { decodeRows, iterateRows } from './plainbuffer/decode';
import { EncodableCell, encodeRow } from './plainbuffer/encode';
import type { ColumnType, ColumnValue, PlainBufferRow, PrimaryKeyColumn, PrimaryKeyType, WirePrimaryKeyColumn } from './plainbuffer/types';
import { decodeMessage, encodeMessage } from './protocol/messages';
import { TablestoreTransport, TransportOptions } from './transport';

/** BatchWriteRow: rows per request (service limit). */
export const MAX_BATCH_WRITE_ROWS = 200;
/** BatchWriteRow: bytes per request (service limit). */
export const MAX_BATCH_WRITE_BYTES = 4 * 1024 * 1024;
/** ComputeSplitPointsBySize: bytes per split_size unit. */
export const SPLIT_SIZE_UNIT_BYTES = 100 * 1024 * 1024;

export type DefinedColumnType = 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'BINARY';

export interface TableSchema {
  readonly tableName: string;
  readonly primaryKey: readonly { readonly name: string; readonly type: PrimaryKeyType; readonly autoIncrement?: boolean }[];
  readonly definedColumns: readonly { readonly name: string; readonly type: DefinedColumnType }[];
  /** -1: keep forever. */
  readonly timeToLiveSeconds: number;
  readonly maxVersions: number;
}

export interface TableDescription extends TableSchema {
  readonly streamEnabled: boolean;
}

/** One row write of a BatchWriteRow request. */
export type RowWrite =
  | { readonly type: 'PUT'; readonly primaryKey: readonly PrimaryKeyColumn[]; readonly columns: readonly { name: string; type: ColumnType; value: ColumnValue }[] }
  | {
    readonly type: 'UPDATE';
    readonly primaryKey: readonly PrimaryKeyColumn[];
    readonly columns: readonly { name: string; type: ColumnType; value: ColumnValue }[];
    readonly deleteColumns: readonly string[];
  }
  | { readonly type: 'DELETE'; readonly primaryKey: readonly PrimaryKeyColumn[] };

export interface RowWriteResult {
  readonly ok: boolean;
  readonly code: string | null;
  readonly message: string | null;
}

export interface RangePage {
  readonly rows: PlainBufferRow[];
  /** Where the next page starts; null when the range is exhausted. */
  readonly next: WirePrimaryKeyColumn[] | null;
}

interface PbTableMeta {
  table_name: string;
  primary_key: { name: string; type: PrimaryKeyType; option?: string }[];
  defined_column?: { name: string; type: string }[];
}

const DEFINED_TYPES: Record<string, DefinedColumnType> = {
  DCT_INTEGER: 'INTEGER', DCT_DOUBLE: 'DOUBLE', DCT_BOOLEAN: 'BOOLEAN', DCT_STRING: 'STRING', DCT_BLOB: 'BINARY',
};

/** Encoded size of a row write, for the 4 MB request budget. */
export function encodeRowWrite(w: RowWrite): Buffer {
  if (w.type === 'DELETE') return encodeRow({ primaryKey: w.primaryKey, deleteMarker: true });
  const cells: EncodableCell[] = w.columns.map((c) => ({ name: c.name, type: c.type, value: c.value }));
  if (w.type === 'UPDATE') for (const name of w.deleteColumns) cells.push({ name, operation: 'DELETE_ALL_VERSIONS' });
  return encodeRow({ primaryKey: w.primaryKey, cells });
}

export class TablestoreTableClient {
  private readonly transport: TablestoreTransport;

  constructor(options: TransportOptions) {
    this.transport = new TablestoreTransport(options);
  }

  async describeTable(tableName: string): Promise<TableDescription> {
    const res = await this.call<{
      table_meta: PbTableMeta;
      table_options: { time_to_live?: number; max_versions?: number };
      stream_details?: { enable_stream: boolean };
    }>('DescribeTable', { table_name: tableName });
    return {
      tableName: res.table_meta.table_name,
      primaryKey: res.table_meta.primary_key.map((c) => ({ name: c.name, type: c.type, ...(c.option === 'AUTO_INCREMENT' ? { autoIncrement: true } : {}) })),
      definedColumns: (res.table_meta.defined_column ?? []).map((c) => ({ name: c.name, type: DEFINED_TYPES[c.type] ?? 'STRING' })),
      timeToLiveSeconds: res.table_options.time_to_live ?? -1,
      maxVersions: res.table_options.max_versions ?? 1,
      streamEnabled: res.stream_details?.enable_stream === true,
    };
  }

  /** Creates a table with this schema, no reserved throughput and no Stream. */
  async createTable(schema: TableSchema): Promise<void> {
    const definedTypeNames = Object.fromEntries(Object.entries(DEFINED_TYPES).map(([k, v]) => [v, k]));
    await this.call('CreateTable', {
      table_meta: {
        table_name: schema.tableName,
        primary_key: schema.primaryKey.map((c) => (c.autoIncrement ? { name: c.name, type: c.type, option: 'AUTO_INCREMENT' } : { name: c.name, type: c.type })),
        defined_column: schema.definedColumns.map((c) => ({ name: c.name, type: definedTypeNames[c.type] })),
      },
      reserved_throughput: { capacity_unit: { read: 0, write: 0 } },
      table_options: { time_to_live: schema.timeToLiveSeconds, max_versions: schema.maxVersions },
    });
  }

  /**
   * Split points of the table into splits of about `splitSizeUnits` × `unitBytes` (default 100 MB), each padded to the full key with
   * INF_MIN (the service omits trailing INF_MIN columns).
   */
  async computeSplitPointsBySize(tableName: string, splitSizeUnits: number, keyColumns: readonly string[], unitBytes?: number): Promise<WirePrimaryKeyColumn[][]> {
    if (!Number.isInteger(splitSizeUnits) || splitSizeUnits < 1) throw new RangeError(`split size must be a positive number of units, got ${splitSizeUnits}`);
    const req: Record<string, unknown> = { table_name: tableName, split_size: splitSizeUnits };
    if (unitBytes !== undefined) req.split_size_unit_in_byte = unitBytes;
    const res = await this.call<{ split_points: Buffer[] }>('ComputeSplitPointsBySize', req);
    return res.split_points.map((bytes) => {
      const given = decodeRows(bytes, { allowTrailingZeros: true })[0]?.primaryKey ?? [];
      return keyColumns.map((name, i): WirePrimaryKeyColumn => given[i] ?? { name, type: 'INF_MIN', value: null });
    });
  }

  /** One GetRange page, FORWARD, latest version of every column. */
  async getRangePage(tableName: string, start: readonly WirePrimaryKeyColumn[], end: readonly WirePrimaryKeyColumn[], limit?: number): Promise<RangePage> {
    const page = await this.getRange(tableName, start, end, limit);
    return { rows: page.rowBytes ? decodeRows(page.rowBytes, { allowTrailingZeros: true }) : [], next: page.next };
  }

  /**
   * Every row of [start, end), page by page. A page's rows are decoded as they are iterated (once), so a reader that
   * keeps a page across awaits holds its response bytes, not thousands of decoded rows.
   */
  async *scan(tableName: string, start: readonly WirePrimaryKeyColumn[], end: readonly WirePrimaryKeyColumn[], limit?: number): AsyncGenerator<Iterable<PlainBufferRow>> {
    let from: readonly WirePrimaryKeyColumn[] = start;
    for (;;) {
      const page = await this.getRange(tableName, from, end, limit);
      if (page.rowBytes) yield iterateRows(page.rowBytes, { allowTrailingZeros: true });
      if (!page.next) return;
      from = page.next;
    }
  }

  private async getRange(tableName: string, start: readonly WirePrimaryKeyColumn[], end: readonly WirePrimaryKeyColumn[], limit?: number): Promise<{ rowBytes: Buffer | null; next: WirePrimaryKeyColumn[] | null }> {
    const req: Record<string, unknown> = {
      table_name: tableName,
      direction: 'FORWARD',
      columns_to_get: [],
      max_versions: 1,
      inclusive_start_primary_key: encodeRow({ primaryKey: start }),
      exclusive_end_primary_key: encodeRow({ primaryKey: end }),
    };
    if (limit !== undefined) req.limit = limit;
    const res = await this.call<{ rows: Buffer; next_start_primary_key?: Buffer }>('GetRange', req);
    const nextBytes = res.next_start_primary_key;
    const next = nextBytes && nextBytes.length > 0 ? decodeRows(nextBytes, { allowTrailingZeros: true })[0].primaryKey : null;
    return { rowBytes: res.rows && res.rows.length > 0 ? res.rows : null, next };
  }

  /**
   * One BatchWriteRow request to one table (at most 200 rows and 4 MB, no key twice); one result per row, in order.
   * Rows are written with condition IGNORE, so a replay is idempotent.
   */
  async batchWriteRow(tableName: string, writes: readonly RowWrite[], encoded?: readonly Buffer[]): Promise<RowWriteResult[]> {
    if (writes.length === 0 || writes.length > MAX_BATCH_WRITE_ROWS) throw new RangeError(`BatchWriteRow takes 1 to ${MAX_BATCH_WRITE_ROWS} rows, got ${writes.length}`);
    const rows = writes.map((w, i) => ({ type: w.type, row_change: encoded?.[i] ?? encodeRowWrite(w), condition: { row_existence: 'IGNORE' } }));
    const res = await this.call<{ tables: { table_name: string; rows: { is_ok: boolean; error?: { code: string; message?: string } }[] }[] }>(
      'BatchWriteRow', { tables: [{ table_name: tableName, rows }] },
    );
    const table = res.tables.find((t) => t.table_name === tableName);
    if (!table || table.rows.length !== writes.length) throw new Error(`BatchWriteRow answered ${table?.rows.length ?? 0} row results for ${writes.length} rows of ${tableName}`);
    return table.rows.map((r) => ({ ok: r.is_ok, code: r.error?.code ?? null, message: r.error?.message ?? null }));
  }

  close(): void {
    this.transport.close();
  }

  private async call<T = unknown>(operation: string, request: object): Promise<T> {
    const body = await this.transport.call(operation, encodeMessage(`${operation}Request`, request));
    return decodeMessage<T>(`${operation}Response`, body);
  }
}
