/**
 * One window, end to end: check the times, find the stream, refuse windows the stream cannot serve completely,
 * read the window's records shard by shard and stream them through the writer into OSS, manifest last.
 */
import { formatWindowTime, Window } from '../../schedule';
import type { TablestoreStreamClient } from '../../tablestore/stream-client';
import { writeWindow, WriterEvent } from '../writer';
import type { WindowManifest } from '../writer/manifest';
import { windowObjectKeys } from '../writer/keys';
import type { OssClient } from '../writer/oss-client';
import { ClientTuning, createOssClientFor, createStreamClientFor } from './clients';
import type { SyncRuntimeConfig } from './config';
import type { RuntimeContext } from './context';
import { defaultCredentialProvider } from '../../common/credentials';
import { SyncError, SyncFailedError } from './errors';
import { Logger, silentLogger } from '../../common/log';
import { formatSpec, outputLayout } from './output';
import { readWindowPages, ReaderTuning } from './reader-adapter';
import { errorFields } from '../../common/redact';
import { locateStream, TableStream } from './stream';
import { admitWindow, assertWindowOrder, describeWindow, parseSyncWindow } from './window';
import { createFileFormat } from '../formats';

/** Knobs for tests and the benchmark; production runs use the defaults. */
export interface SyncTuning extends ClientTuning, ReaderTuning {
  /** Writer: roll files at this many uncompressed bytes. */
  readonly maxFileBytes?: number;
  readonly maxFileRecords?: number;
  readonly partSize?: number;
  readonly uploadConcurrency?: number;
  readonly ossRetry?: import('../writer/retry').OssRetryOptions;
  /** Writer: lifetime of the attempt's liveness record without renewal, ms (default 5 minutes). */
  readonly attemptTtlMs?: number;
}

export interface SyncContextOptions extends RuntimeContext<SyncTuning> {
  /** Observes writer events (file written, retry, committed). */
  readonly onWriterEvent?: (event: WriterEvent) => void;
}

export interface WindowBoundsOptions {
  /** `yyyyMMddHHmmss` in config.timezone, inclusive. */
  readonly startTime: string;
  /** `yyyyMMddHHmmss` in config.timezone, exclusive. */
  readonly endTime: string;
}

export type RunWindowOptions = SyncContextOptions & WindowBoundsOptions;

export interface WindowInfo {
  readonly startTime: string;
  readonly endTime: string;
  readonly timezone: string;
  readonly startIso: string;
  readonly endIso: string;
}

export interface RunStats {
  readonly records: number;
  readonly rows: number;
  readonly files: number;
  readonly uncompressedBytes: number;
  readonly storedBytes: number;
  readonly elapsedMs: number;
  readonly recordsPerSecond: number;
  /** Uncompressed output MB (10^6 bytes) per second. */
  readonly megabytesPerSecond: number;
  readonly ossRetries: number;
}

export interface RunWindowResult {
  readonly window: WindowInfo;
  readonly manifestKey: string;
  readonly manifest: WindowManifest;
  readonly stats: RunStats;
}

export function windowInfo(window: Window, timezone: string): WindowInfo {
  return {
    startTime: formatWindowTime(window.start, timezone),
    endTime: formatWindowTime(window.end, timezone),
    timezone,
    startIso: new Date(window.start).toISOString(),
    endIso: new Date(window.end).toISOString(),
  };
}

/** The window's manifest key under the configured prefix and format. */
export function manifestKeyFor(config: SyncRuntimeConfig, window: Window): { directory: string; manifestKey: string } {
  const format = createFileFormat(outputLayout(config), formatSpec(config));
  const keys = windowObjectKeys({ prefix: config.oss.prefix, table: config.tablestore.tableName, window, timeZone: config.timezone, extension: format.extension });
  return { directory: keys.directory, manifestKey: keys.manifestKey };
}

/** Parses and admits the window against the stream's retention; returns the window in epoch ms. */
export async function admittedWindow(
  options: SyncContextOptions & WindowBoundsOptions,
  stream: TablestoreStreamClient,
): Promise<{ window: Window; tableStream: TableStream }> {
  const { config } = options;
  const window = parseSyncWindow({ startTime: options.startTime, endTime: options.endTime }, config.timezone);
  assertWindowOrder(window, config.timezone);
  const tableStream = await locateStream(stream, config.tablestore.tableName, config.tablestore.isTimeseriesTable);
  admitWindow(window, { now: (options.now ?? Date.now)(), streamLagMinutes: config.streamLagMinutes, retentionHours: tableStream.retentionHours, streamCreatedAt: tableStream.createdAtMs, timeZone: config.timezone });
  return { window, tableStream };
}

/**
 * Syncs one window into OSS and returns its manifest. Throws MalformedWindowError (exit 2), RefusedWindowError
 * (exit 4), or SyncFailedError / a client error (exit 1).
 */
export async function runWindow(options: RunWindowOptions): Promise<RunWindowResult> {
  const log = options.logger ?? silentLogger;
  const credentials = options.credentials ?? defaultCredentialProvider();
  const stream = createStreamClientFor(options.config.tablestore, credentials, options.tuning);
  try {
    const { window, tableStream } = await admittedWindow(options, stream);
    const oss = await createOssClientFor(options.config.oss, credentials, options.tuning);
    return await syncAdmittedWindow(options, stream, oss, tableStream, window, log);
  } finally {
    stream.close();
  }
}

/** The sync proper, once the window is admitted (backfill admits all its windows first). */
export async function syncAdmittedWindow(
  options: SyncContextOptions,
  stream: TablestoreStreamClient,
  oss: OssClient,
  tableStream: TableStream,
  window: Window,
  log: Logger,
): Promise<RunWindowResult> {
  const { config, tuning = {} } = options;
  const info = windowInfo(window, config.timezone);
  const started = performance.now();
  let ossRetries = 0;
  log.info('window sync started', { window: describeWindow(window, config.timezone), table: config.tablestore.tableName, streamId: tableStream.streamId, bucket: config.oss.bucket });
  const pages = readWindowPages(stream, {
    tableName: config.tablestore.tableName,
    streamId: tableStream.streamId,
    isTimeseriesTable: config.tablestore.isTimeseriesTable,
    window,
    signal: options.signal,
    logger: log,
    tuning: { ...tuning, recordLimit: tuning.recordLimit ?? config.tablestore.recordLimit },
    ...(options.now ? { now: options.now } : {}),
  });
  let manifest: WindowManifest;
  try {
    manifest = await writeWindow(pages, {
      client: oss,
      prefix: config.oss.prefix,
      table: config.tablestore.tableName,
      window,
      timeZone: config.timezone,
      layout: outputLayout(config),
      format: formatSpec(config),
      ...(tuning.maxFileBytes !== undefined ? { maxFileBytes: tuning.maxFileBytes } : {}),
      ...(tuning.maxFileRecords !== undefined ? { maxFileRecords: tuning.maxFileRecords } : {}),
      ...(tuning.partSize !== undefined ? { partSize: tuning.partSize } : {}),
      ...(tuning.uploadConcurrency !== undefined ? { uploadConcurrency: tuning.uploadConcurrency } : {}),
      ...(tuning.ossRetry !== undefined ? { retry: tuning.ossRetry } : {}),
      ...(tuning.attemptTtlMs !== undefined ? { attemptTtlMs: tuning.attemptTtlMs } : {}),
      ...(tuning.phaseTimes ? { phaseTimes: tuning.phaseTimes } : {}),
      signal: options.signal,
      onEvent: (event) => {
        if (event.type === 'retry') {
          ossRetries++;
          log.warn('OSS request retried', { operation: event.operation, attempt: event.attempt, error: event.error });
        } else if (event.type === 'file-written') {
          log.debug('file written', { key: event.part.key, records: event.part.records, storedBytes: event.part.storedBytes });
        } else if (event.type === 'stale-deleted') {
          log.info('stale objects of an earlier attempt removed', { keys: event.keys });
        } else if (event.type === 'upload-aborted') {
          log.info('unfinished multipart upload of an earlier attempt aborted', { key: event.key });
        }
        options.onWriterEvent?.(event);
      },
    });
  } catch (err) {
    if (err instanceof SyncError) throw err;
    const e = err instanceof Error ? err : new Error(String(err));
    log.error('window sync failed', { window: describeWindow(window, config.timezone), error: errorFields(e) });
    // A stop on purpose (the signal) ends the run as a crash would: the caller sees its own reason.
    if (e.name === 'WriterAbortedError' || options.signal?.aborted) throw e;
    throw new SyncFailedError(`Sync of window ${describeWindow(window, config.timezone)} failed: ${e.message}`, { cause: e });
  }
  const elapsedMs = performance.now() - started;
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const stats: RunStats = {
    records: manifest.records.total,
    rows: manifest.rows,
    files: manifest.parts.length,
    uncompressedBytes: manifest.bytes.uncompressed,
    storedBytes: manifest.bytes.stored,
    elapsedMs: Math.round(elapsedMs),
    recordsPerSecond: Math.round(manifest.records.total / seconds),
    megabytesPerSecond: Math.round((manifest.bytes.uncompressed / 1e6 / seconds) * 100) / 100,
    ossRetries,
  };
  const { manifestKey } = manifestKeyFor(config, window);
  log.info('window committed', { window: describeWindow(window, config.timezone), manifestKey, records: manifest.records, files: stats.files, storedBytes: stats.storedBytes, elapsedMs: stats.elapsedMs });
  return { window: info, manifestKey, manifest, stats };
}
