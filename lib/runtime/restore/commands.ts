/**
 * Snapshot, restore and verify-restore from a runtime configuration: the clients, the Data Integration CSV
 * columns, and progress output. What the CLI, the demo and the benchmark call.
 */
import type { TablestoreTableClient } from '../../tablestore/table-client';
import type { TransportOptions } from '../../tablestore/transport';
import type { OssClient } from '../writer/oss-client';
import type { TablestoreStreamClient } from '../../tablestore/stream-client';
import { createOssClientFor, createStreamClientFor, createTableClientFor } from '../sync/clients';
import type { SyncRuntimeConfig } from '../sync/config';
import type { RuntimeContext } from '../sync/context';
import { defaultCredentialProvider } from '../../common/credentials';
import { Logger, silentLogger } from '../../common/log';
import { formatDuration, TtyLike } from '../sync/progress';
import { restoreTable, RestoreResult, RestoreTarget, ReplayProgress } from './restore';
import { takeSnapshot, SnapshotResult, SnapshotRunOptions } from './snapshot';
import { restoreTimeseriesTable, takeTimeseriesSnapshot, verifyTimeseriesRestore } from './timeseries';
import { verifyRestore, VerifyRestoreResult } from './verify-restore';
import type { DataIntegrationCsv } from './windows';

export interface RestoreContext extends RuntimeContext {
  /** Builds the Tablestore client (tests wrap it). Default: a TablestoreTableClient. */
  readonly tableClientFactory?: (options: TransportOptions) => TablestoreTableClient;
}

async function withClients<T>(ctx: RestoreContext, body: (table: TablestoreTableClient, oss: OssClient) => Promise<T>): Promise<T> {
  const credentials = ctx.credentials ?? defaultCredentialProvider();
  const table = createTableClientFor(ctx.config.tablestore, credentials, ctx.tuning, ctx.tableClientFactory);
  try {
    const oss = await createOssClientFor(ctx.config.oss, credentials, ctx.tuning);
    return await body(table, oss);
  } finally {
    table.close();
  }
}

/** The time series client and OSS, for a time series table's restore and verification. */
async function withTimeseriesClients<T>(ctx: RestoreContext, body: (client: TablestoreStreamClient, oss: OssClient) => Promise<T>): Promise<T> {
  const credentials = ctx.credentials ?? defaultCredentialProvider();
  const client = createStreamClientFor(ctx.config.tablestore, credentials, ctx.tuning);
  try {
    const oss = await createOssClientFor(ctx.config.oss, credentials, ctx.tuning);
    return await body(client, oss);
  } finally {
    client.close();
  }
}

/** The columns of the table's Data Integration CSV windows: the configured export columns. */
export function dataIntegrationCsv(config: SyncRuntimeConfig): DataIntegrationCsv | undefined {
  if (config.layout.mode !== 'rows') return undefined;
  return {
    columns: config.layout.columns.map((c) => ({ name: c.name, type: c.type ?? 'variant' })),
    fieldDelimiter: config.format.fieldDelimiter ?? ',',
    nullFormat: config.format.nullFormat ?? '',
  };
}

export interface SnapshotCommandOptions extends RestoreContext {
  readonly concurrency?: number;
  readonly splitSizeUnits?: number;
  readonly splitSizeUnitBytes?: number;
  readonly pageRows?: number;
  readonly fresh?: boolean;
  readonly progress?: RestoreProgressReporter;
}

export function snapshotTable(o: SnapshotCommandOptions): Promise<SnapshotResult> {
  const run = (oss: OssClient): SnapshotRunOptions => ({
    oss,
    prefix: o.config.oss.prefix,
    tableName: o.config.tablestore.tableName,
    timeZone: o.config.timezone,
    now: o.now,
    concurrency: o.concurrency,
    pageRows: o.pageRows,
    fresh: o.fresh,
    logger: o.logger,
    signal: o.signal,
    onProgress: o.progress ? (p) => o.progress!.update({ phase: 'snapshot', item: `${p.partsDone}/${p.parts} ranges`, rowsApplied: p.rows, rowsExpected: 0 }) : undefined,
  });
  if (o.config.tablestore.isTimeseriesTable) {
    return withTimeseriesClients(o, (client, oss) => takeTimeseriesSnapshot({ ...run(oss), client }));
  }
  return withClients(o, (table, oss) => takeSnapshot({ ...run(oss), table, splitSizeUnits: o.splitSizeUnits, splitSizeUnitBytes: o.splitSizeUnitBytes }));
}

/** What restore and verify-restore share: the target table, and the time the backup is replayed up to. */
export interface ReplayCommandOptions extends RestoreContext {
  /** yyyyMMddHHmmss in the configured time zone: the end of the last window replayed. */
  readonly to: string;
  /** The table restored into (or verified). */
  readonly target: string;
  /** Replay across gaps in the window chain (the result is then not exact). */
  readonly allowGaps?: boolean;
}

export interface RestoreCommandOptions extends ReplayCommandOptions {
  readonly statePath: string;
  readonly existingTarget?: boolean;
  readonly overwriteSource?: boolean;
  readonly writeConcurrency?: number;
  readonly progress?: RestoreProgressReporter;
}

export function restoreFromBackup(o: RestoreCommandOptions): Promise<RestoreResult> {
  if (o.config.tablestore.isTimeseriesTable) {
    return withTimeseriesClients(o, (client, oss) => restoreTimeseriesTable({
      ...replayTarget(o, oss),
      client,
      statePath: o.statePath,
      existingTarget: o.existingTarget,
      overwriteSource: o.overwriteSource,
      logger: o.logger,
      signal: o.signal,
      onProgress: o.progress ? (p) => o.progress!.update(p) : undefined,
    }));
  }
  return withClients(o, (table, oss) => restoreTable({
    ...restoreTarget(o, table, oss),
    statePath: o.statePath,
    existingTarget: o.existingTarget,
    overwriteSource: o.overwriteSource,
    logger: o.logger,
    signal: o.signal,
    writeConcurrency: o.writeConcurrency,
    onProgress: o.progress ? (p) => o.progress!.update(p) : undefined,
  }));
}

export interface VerifyRestoreCommandOptions extends ReplayCommandOptions {
  readonly against: 'backup' | 'source';
}

export function verifyRestoredTable(o: VerifyRestoreCommandOptions): Promise<VerifyRestoreResult> {
  if (o.config.tablestore.isTimeseriesTable) {
    return withTimeseriesClients(o, (client, oss) => verifyTimeseriesRestore({ ...replayTarget(o, oss), client, against: o.against, logger: o.logger ?? silentLogger }));
  }
  return withClients(o, (table, oss) => verifyRestore({ ...restoreTarget(o, table, oss), against: o.against, logger: o.logger ?? silentLogger }));
}

/* ------------------------------------------------------------------ progress */

export interface RestoreProgressReporter {
  update(p: ReplayProgress & { rowsPerSecond?: number; etaMs?: number | null }): void;
  end(): void;
}

/** `[████░░░░] 120,000/1,000,000 rows  snapshot  48,000 rows/s  ETA 18s`, redrawn in place. */
export class RestoreProgressBar implements RestoreProgressReporter {
  private readonly startedAt: number;
  private last = 0;

  constructor(private readonly tty: TtyLike, private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  update(p: ReplayProgress & { rowsPerSecond?: number; etaMs?: number | null }): void {
    const t = this.now();
    if (t - this.last < 100) return;
    this.last = t;
    const rate = p.rowsPerSecond ?? Math.round(p.rowsApplied / Math.max((t - this.startedAt) / 1000, 0.001));
    const width = 20;
    const fraction = p.rowsExpected > 0 ? Math.min(1, p.rowsApplied / p.rowsExpected) : 0;
    const filled = Math.round(fraction * width);
    const total = p.rowsExpected > 0 ? `/${p.rowsExpected.toLocaleString('en-US')}` : '';
    const eta = p.etaMs !== undefined && p.etaMs !== null ? `  ETA ${formatDuration(p.etaMs)}` : '';
    let line = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${p.rowsApplied.toLocaleString('en-US')}${total} rows  ${p.phase} ${p.item}  ${rate.toLocaleString('en-US')} rows/s${eta}`;
    const cols = this.tty.columns ?? 120;
    if (line.length > cols - 1) line = line.slice(0, cols - 1);
    this.tty.write(`\r\x1b[2K${line}`);
  }

  end(): void {
    this.tty.write('\n');
  }
}

/** The same progress as JSON log lines, at most one every `intervalMs`. */
export class RestoreProgressLog implements RestoreProgressReporter {
  private last = 0;

  constructor(private readonly log: Logger, private readonly intervalMs = 5000, private readonly now: () => number = Date.now) {}

  update(p: ReplayProgress & { rowsPerSecond?: number; etaMs?: number | null }): void {
    const t = this.now();
    if (t - this.last < this.intervalMs) return;
    this.last = t;
    this.log.info('progress', { ...p });
  }

  end(): void {}
}

/** The configured table and bucket prefix, the restore's target and end, with the clients. */
function restoreTarget(o: ReplayCommandOptions, table: TablestoreTableClient, oss: OssClient): RestoreTarget {
  return { table, ...replayTarget(o, oss) };
}

function replayTarget(o: ReplayCommandOptions, oss: OssClient): Omit<RestoreTarget, 'table'> {
  return {
    oss, prefix: o.config.oss.prefix, source: o.config.tablestore.tableName, target: o.target, timeZone: o.config.timezone, to: o.to,
    allowGaps: o.allowGaps, dataIntegration: dataIntegrationCsv(o.config),
  };
}
