/**
 * Restore and verify of a time series table: the exported windows replayed, in order, into a new time series table
 * through PutTimeseriesData, and the target read back through SplitTimeseriesScanTask + ScanTimeseriesData.
 *
 * A data point is identified by measurement, data source, tags and time (the `_m_name`, `_data_source`, `_tags`,
 * `_time` columns of the rows layout): restore keys it so, and writes it whole. Writing a point again replaces it,
 * so replaying windows in order (or a window again after a stop) gives the same table. Time series data has no
 * deletions through the API (no call deletes a point; expiry by TTL is not a Stream record), so a window line that
 * deletes is refused as not coming from a time series table.
 *
 * A snapshot of a time series table (SplitTimeseriesScanTask + ScanTimeseriesData, same files as a wide-column
 * table's, lines keyed by point) is the baseline as for a wide-column table. Without one, the chain starts at the
 * table's beginning (its Stream's creation, ListStream, rounded up to the second: the first window a run admits),
 * so the first window must start there, e.g. `otsbk-sync run --start <creation> --end <first scheduled window
 * start>`. Either way a missing window is refused by name unless gaps are allowed. Tables with field primary keys are refused (a point's identity would need them).
 */
import type { Logger } from '../../common/log';
import { silentLogger } from '../../common/log';
import type { PrimaryKeyType } from '../../tablestore/plainbuffer/types';
import { primaryKeyId } from '../../tablestore/primary-key';
import type { TablestoreStreamClient, TimeseriesDataPoint, TimeseriesFieldValue } from '../../tablestore/stream-client';
import { formatTimeseriesTags, parseTimeseriesTags, TS_DATA_SOURCE_COLUMN, TS_MEASUREMENT_COLUMN, TS_TAGS_COLUMN, TS_TIME_COLUMN } from '../../tablestore/timeseries';
import { toTimeseriesPoint } from '../reader/record-decoder';
import { UsageError } from '../sync/errors';
import { locateStream } from '../sync/stream';
import {
  chooseSnapshot, finishRestore, loadState, prepareTarget, refuseSourceTarget, replayBookkeeping, ReplayOptions, replayPlan, replayWindows, restoreEnd,
  RestoreOptions, RestorePlan, RestoreResult, RestoreTarget, windowChain,
} from './restore';
import { SnapshotReader, SnapshotResult, SnapshotRunOptions, snapshotWith } from './snapshot';
import { RowOp, sortColumns, TableRow, TypedColumn } from './rows';
import { MemoryTable, RowSink, sendWithRowRetries } from './sink';
import { arrayRows, compareRows, reportComparison, VerifyRestoreOptions, VerifyRestoreResult } from './verify-restore';
import { ReplaySchema, windowName } from './windows';

/** A data point's identity, as restore keys it: the identity columns of the rows layout. */
const POINT_KEY: readonly { readonly name: string; readonly type: PrimaryKeyType }[] = [
  { name: TS_MEASUREMENT_COLUMN, type: 'STRING' },
  { name: TS_DATA_SOURCE_COLUMN, type: 'STRING' },
  { name: TS_TAGS_COLUMN, type: 'STRING' },
  { name: TS_TIME_COLUMN, type: 'INTEGER' },
];

const POINT_SCHEMA: ReplaySchema = { primaryKey: POINT_KEY, columnTypes: new Map() };

/** Points per PutTimeseriesData request: the Java SDK's TimeseriesWriter default (maxBatchRowsCount 200). */
const POINTS_PER_REQUEST = 200;

/** Scan tasks asked of SplitTimeseriesScanTask (a hint: the service decides). */
const SCAN_SPLIT_HINT = 4;

/** Where a time series restore reads from and writes to: as RestoreTarget, with the time series client. */
export type TimeseriesRestoreTarget = Omit<RestoreTarget, 'table'> & { readonly client: TablestoreStreamClient };

/** Tags of an exported `_tags` value (the layout writes a JSON array of "k=v"), in the stored form (sorted keys). */
function canonicalTags(text: string, where: string): string {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    items = undefined;
  }
  if (!Array.isArray(items) || items.some((t) => typeof t !== 'string' || !t.includes('='))) {
    throw new Error(`${where}: _tags ${JSON.stringify(text)} is not a JSON array of "name=value" strings`);
  }
  const tags: Record<string, string> = {};
  for (const t of items as string[]) tags[t.slice(0, t.indexOf('='))] = t.slice(t.indexOf('=') + 1);
  return formatTimeseriesTags(tags);
}

/** The whole point a window line writes, keyed by its identity with canonical tags. */
export function pointOp(op: RowOp): RowOp {
  const where = `point ${op.key.map((k) => String(k.value)).join(' ')}`;
  if (op.kind === 'DELETE' || op.deleteColumns.length > 0) {
    throw new Error(`${where}: the window deletes ${op.kind === 'DELETE' ? 'the point' : `fields ${op.deleteColumns.join(', ')}`}, which no time series table's Stream records (time series data has no deletions); is the window from a wide-column table?`);
  }
  const key = op.key.map((k) => (k.name === TS_TAGS_COLUMN ? { ...k, value: canonicalTags(String(k.value), where) } : k));
  return { kind: 'PUT', key, columns: op.columns, deleteColumns: [] };
}

/** Hands the points of window lines to another sink. */
class PointOps implements RowSink {
  constructor(private readonly inner: RowSink) {}

  get rowsWritten(): number {
    return this.inner.rowsWritten;
  }

  write(ops: readonly RowOp[]): Promise<void> {
    return this.inner.write(ops.map(pointOp));
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }
}

function fieldValue(c: TypedColumn): TimeseriesFieldValue {
  return c.value as TimeseriesFieldValue;
}

function dataPoint(op: RowOp): TimeseriesDataPoint {
  const [measurement, dataSource, tags, time] = op.key.map((k) => k.value);
  return {
    measurement: String(measurement),
    dataSource: String(dataSource),
    tags: parseTimeseriesTags(String(tags)),
    timeMicros: Number(time as bigint),
    fields: Object.fromEntries(op.columns.map((c) => [c.name, fieldValue(c)])),
  };
}

export interface TimeseriesPointSinkOptions {
  readonly client: TablestoreStreamClient;
  readonly tableName: string;
  /** Attempts for a point the service refused with a retryable code. Default 8. */
  readonly rowAttempts?: number;
  readonly baseDelayMs?: number;
  readonly onRowRetry?: (code: string, attempt: number) => void;
}

/**
 * Writes points through PutTimeseriesData, POINTS_PER_REQUEST at a time, one request after another; a request
 * never holds a point twice (the later one starts the next request), so points land in line order.
 */
export class TimeseriesPointSink implements RowSink {
  rowsWritten = 0;
  private pending: RowOp[] = [];
  private pendingIds = new Set<string>();

  constructor(private readonly options: TimeseriesPointSinkOptions) {}

  async write(ops: readonly RowOp[]): Promise<void> {
    for (const op of ops) {
      const id = primaryKeyId(op.key);
      if (this.pendingIds.has(id) || this.pending.length >= POINTS_PER_REQUEST) await this.flush();
      this.pendingIds.add(id);
      this.pending.push(op);
    }
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const points = this.pending.map(dataPoint);
    this.pending = [];
    this.pendingIds = new Set();
    const { client, tableName } = this.options;
    await sendWithRowRetries(
      points,
      async (batch) => {
        const failed = new Map((await client.putTimeseriesData(tableName, batch)).map((f) => [f.rowIndex, f]));
        return batch.map((_, i) => {
          const f = failed.get(i);
          return f ? { ok: false, code: f.errorCode, message: f.errorMessage } : { ok: true };
        });
      },
      { rowAttempts: this.options.rowAttempts ?? 8, baseDelayMs: this.options.baseDelayMs ?? 200, onRowRetry: this.options.onRowRetry },
      (p, code, message) => new Error(`PutTimeseriesData refused the point ${p.measurement} ${p.dataSource} ${formatTimeseriesTags(p.tags)} at ${p.timeMicros} µs in ${tableName}: ${code} ${message}`.trim()),
    );
    this.rowsWritten += points.length;
  }
}

/** Storage rows of ScanTimeseriesData as rows keyed like the replayed points, fields sorted by name. */
function pointRows(rows: Awaited<ReturnType<TablestoreStreamClient['scanTimeseriesData']>>['rows']): TableRow[] {
  return rows.map((r) => {
    const p = toTimeseriesPoint(r.primaryKey as Parameters<typeof toTimeseriesPoint>[0], r.cells as Parameters<typeof toTimeseriesPoint>[1]);
    const columns: TypedColumn[] = [];
    for (const f of p.fields) if (f.type !== null && f.value !== null) columns.push({ name: f.name, type: f.type, value: f.value });
    const key = [
      { name: TS_MEASUREMENT_COLUMN, type: 'STRING' as const, value: p.measurement },
      { name: TS_DATA_SOURCE_COLUMN, type: 'STRING' as const, value: p.dataSource },
      { name: TS_TAGS_COLUMN, type: 'STRING' as const, value: formatTimeseriesTags(p.tags) },
      { name: TS_TIME_COLUMN, type: 'INTEGER' as const, value: BigInt(p.timeMicros) },
    ];
    return { key, columns: sortColumns(columns) };
  });
}

/** The pages of one scan split, as point rows. */
async function* splitPages(client: TablestoreStreamClient, tableName: string, split: Buffer, limit?: number): AsyncGenerator<TableRow[]> {
  let token: Buffer | null = null;
  do {
    const page: Awaited<ReturnType<TablestoreStreamClient['scanTimeseriesData']>> = await client.scanTimeseriesData(tableName, split, token, limit);
    yield pointRows(page.rows);
    token = page.nextToken;
  } while (token);
}

/** Every data point of a time series table (at least `limit` when given), as point rows in key order. */
export async function scanPoints(client: TablestoreStreamClient, tableName: string, limit?: number): Promise<TableRow[]> {
  const memory = new MemoryTable();
  for (const split of await client.splitTimeseriesScanTask(tableName, SCAN_SPLIT_HINT)) {
    for await (const rows of splitPages(client, tableName, split, limit)) {
      await memory.write(rows.map((r) => ({ kind: 'PUT', key: r.key, columns: r.columns, deleteColumns: [] })));
      if (limit !== undefined && memory.rows.size >= limit) return memory.sorted();
    }
  }
  return memory.sorted();
}

/** Name of the bound that carries a scan split in a snapshot range (a split is opaque bytes, not a key range). */
const SPLIT_BOUND = 'split_info';

/**
 * Reads a time series table for a snapshot: one range per SplitTimeseriesScanTask split (its split info kept, base64,
 * as the range's start so that a resumed snapshot scans the same splits), points with ScanTimeseriesData. Lines are
 * keyed like the replayed points, so a restore loads them as it replays windows.
 */
function timeseriesSnapshotReader(o: TimeseriesSnapshotOptions): SnapshotReader {
  return {
    async plan() {
      const d = await checkRestorable(o.client, o.tableName);
      const splits = await o.client.splitTimeseriesScanTask(o.tableName, o.splitCountHint ?? SCAN_SPLIT_HINT);
      return {
        schema: { tableName: o.tableName, primaryKey: POINT_KEY, definedColumns: [], timeToLiveSeconds: d.timeToLiveSeconds, maxVersions: 1 },
        ranges: splits.map((split) => ({ start: [[SPLIT_BOUND, 'SPLIT', split.toString('base64')]], end: [] })),
      };
    },
    rows(range) {
      const bound = range.start[0];
      if (range.start.length !== 1 || bound[0] !== SPLIT_BOUND || bound[2] === null) throw new Error(`snapshot range ${JSON.stringify(range)} is not a time series scan split`);
      return splitPages(o.client, o.tableName, Buffer.from(bound[2], 'base64'), o.pageRows);
    },
  };
}

export interface TimeseriesSnapshotOptions extends SnapshotRunOptions {
  readonly client: TablestoreStreamClient;
  /** SplitTimeseriesScanTask split_count_hint. Default 4. */
  readonly splitCountHint?: number;
}

/** Takes (or resumes) a snapshot of a time series table (points, one part per scan split). */
export function takeTimeseriesSnapshot(o: TimeseriesSnapshotOptions): Promise<SnapshotResult> {
  return snapshotWith(o, timeseriesSnapshotReader(o));
}

/**
 * What a time series restore replays: the newest committed snapshot that finished by `--to` and the windows since
 * its start, as for a wide-column table; without one, every window from the table's beginning (its Stream's
 * creation) to `--to`.
 */
export async function planTimeseriesRestore(o: TimeseriesRestoreTarget): Promise<Omit<RestorePlan, 'snapshot' | 'snapshotDirectory'> & Partial<Pick<RestorePlan, 'snapshot' | 'snapshotDirectory'>>> {
  const toMs = restoreEnd(o);
  const chosen = await chooseSnapshot(o, toMs);
  if (chosen) {
    const { chain, gaps } = await windowChain(o, chosen.manifest.start, toMs, `snapshot ${chosen.manifest.startTime}`);
    return { snapshot: chosen.manifest, snapshotDirectory: chosen.directory, windows: chain, gaps };
  }
  let startMs: number;
  try {
    startMs = (await locateStream(o.client, o.source, true)).createdAtMs;
  } catch (err) {
    throw new UsageError(`cannot tell where time series table ${o.source} began (${(err as Error).message}): without a snapshot, restore replays its windows from the table's creation, and needs the source table to check that the first window covers it; take a snapshot ('otsbk-sync snapshot') to restore without it`);
  }
  // Window times are whole seconds and the runtime refuses a window that starts before the Stream's creation: the
  // first window starts at the creation rounded up to the second.
  startMs = Math.ceil(startMs / 1000) * 1000;
  const { chain, gaps } = await windowChain(o, startMs, toMs, `the table's creation (its Stream, ${new Date(startMs).toISOString()}; no snapshot finished by then)`);
  return { windows: chain, gaps };
}

/** Refuses a table whose points restore cannot key (field primary keys). */
async function checkRestorable(client: TablestoreStreamClient, table: string): Promise<Awaited<ReturnType<TablestoreStreamClient['describeTimeseriesTable']>>> {
  const d = await client.describeTimeseriesTable(table);
  if (d.fieldPrimaryKeys.length > 0) {
    throw new UsageError(`time series table ${table} has field primary keys (${d.fieldPrimaryKeys.map((f) => f.name).join(', ')}); restore keys a point by measurement, data source, tags and time only, and does not restore such tables`);
  }
  return d;
}

export type TimeseriesRestoreOptions = Omit<RestoreOptions, 'table' | 'writeConcurrency'> & TimeseriesRestoreTarget;

/** Replays the table's snapshot and windows up to `--to` into a new (or existing, empty) time series table. */
export async function restoreTimeseriesTable(o: TimeseriesRestoreOptions): Promise<RestoreResult> {
  const log: Logger = o.logger ?? silentLogger;
  refuseSourceTarget(o);
  const source = await checkRestorable(o.client, o.source);
  const plan = await planTimeseriesRestore(o);
  if (plan.gaps.length > 0) log.warn('restoring across gaps: the result is not exact', { gaps: plan.gaps });
  const state = loadState(o.statePath, { version: 1, source: o.source, target: o.target, to: o.to, snapshot: plan.snapshot?.startTime ?? 'none', windows: plan.windows.map(windowName) });
  const resumed = await prepareTarget(o, state, log, {
    describe: () => o.client.describeTimeseriesTable(o.target),
    hasRows: async () => {
      await checkRestorable(o.client, o.target);
      return (await scanPoints(o.client, o.target, 1)).length > 0;
    },
    create: async () => {
      await o.client.createTimeseriesTable({ tableName: o.target, timeToLiveSeconds: source.timeToLiveSeconds, timeseriesKeys: source.timeseriesKeys });
      log.info('target time series table created', { target: o.target, timeToLiveSeconds: source.timeToLiveSeconds });
    },
  });

  const sink = new TimeseriesPointSink({ client: o.client, tableName: o.target, onRowRetry: (code, attempt) => log.warn('point write retried', { code, attempt }) });
  const t0 = performance.now();
  await replayPoints(o, plan, new PointOps(sink), await replayBookkeeping(o, plan.windows, plan.snapshot?.rows ?? 0, state, log, t0));
  const snapshot = plan.snapshot ? { startTime: plan.snapshot.startTime, rows: plan.snapshot.rows, finishedIso: plan.snapshot.finishedIso } : null;
  return finishRestore(o, log, { snapshot, windows: plan.windows, gaps: plan.gaps, resumed, rowsWritten: sink.rowsWritten, elapsedMs: performance.now() - t0 });
}

/** Replays the plan's snapshot (if any) and windows into `sink`: as replayPlan, or the windows alone. */
async function replayPoints(
  o: Pick<TimeseriesRestoreTarget, 'oss' | 'dataIntegration'>,
  plan: Awaited<ReturnType<typeof planTimeseriesRestore>>,
  sink: RowSink,
  r: Pick<ReplayOptions, 'windowRows' | 'done' | 'signal' | 'onPartDone' | 'onWindowDone' | 'onProgress'> = {},
): Promise<void> {
  if (plan.snapshot && plan.snapshotDirectory !== undefined) {
    await replayPlan({ ...r, oss: o.oss, plan: { ...plan, snapshot: plan.snapshot, snapshotDirectory: plan.snapshotDirectory }, sink, dataIntegration: o.dataIntegration });
    return;
  }
  let applied = 0;
  await replayWindows({
    oss: o.oss, windows: plan.windows, schema: POINT_SCHEMA, sink, dataIntegration: o.dataIntegration, from: r.done?.windows ?? 0, signal: r.signal, onWindowDone: r.onWindowDone,
    onApplied: (item, n) => {
      applied += n;
      r.onProgress?.({ phase: 'window', item, rowsApplied: applied, rowsExpected: r.windowRows ?? 0 });
    },
  });
}

export type VerifyTimeseriesRestoreOptions = Omit<VerifyRestoreOptions, 'table'> & TimeseriesRestoreTarget;

/**
 * Compares the target's points with the windows replayed in memory (`backup`) or with the source table's points
 * (`source`): both sides are read whole and sorted by point identity (memory grows with the table).
 */
export async function verifyTimeseriesRestore(o: VerifyTimeseriesRestoreOptions): Promise<VerifyRestoreResult> {
  let expected: TableRow[];
  if (o.against === 'source') {
    expected = await scanPoints(o.client, o.source);
  } else {
    const memory = new MemoryTable();
    await replayPoints(o, await planTimeseriesRestore(o), new PointOps(memory));
    expected = memory.sorted();
  }
  const actual = await scanPoints(o.client, o.target);
  return reportComparison(o, await compareRows(arrayRows(expected), arrayRows(actual), [], o.maxDifferences ?? 100));
}
