/**
 * The stream reader as the runtime uses it: the window in epoch ms becomes microseconds, the reader's own window
 * errors become runtime errors with exit codes, and its statistics are logged when the window is read.
 */
import type { Window } from '../../schedule';
import type { TablestoreStreamClient } from '../../tablestore/stream-client';
import { readStreamWindow, StreamWindowError, StreamWindowStats } from '../reader';
import type { StreamRecordPage } from '../reader/types';
import { RefusedWindowError, SyncFailedError } from './errors';
import type { Logger } from './log';

/** See ReaderTuning.shardConcurrency. */
export const DETERMINISTIC_SHARD_CONCURRENCY = 1;

export interface ReaderTuning {
  /** GetStreamRecord limit per call (default: the service's). */
  readonly recordLimit?: number;
  /**
   * Shards read at once. Default 1: the reader hands out pages of concurrently read shards in arrival order, which
   * varies from run to run; one shard at a time (lineage order, then DescribeStream order) makes the record
   * sequence, hence the object bytes, the same on every rerun of a window.
   */
  readonly shardConcurrency?: number;
}

export interface ReadWindowOptions {
  readonly tableName: string;
  readonly streamId: string;
  readonly isTimeseriesTable: boolean;
  readonly window: Window;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
  readonly tuning: ReaderTuning;
  /** Current time in epoch ms (the reader refuses windows ending after it). */
  readonly now?: () => number;
  /** Receives the reader's statistics once the window is read. */
  readonly onStats?: (stats: StreamWindowStats) => void;
}

/** The window's pages, in lineage order per shard; errors carry exit codes. */
export async function* readWindowPages(client: TablestoreStreamClient, o: ReadWindowOptions): AsyncGenerator<StreamRecordPage> {
  const reader = readStreamWindow({
    client,
    tableName: o.tableName,
    startMicros: o.window.start * 1000,
    endMicros: o.window.end * 1000,
    isTimeseriesTable: o.isTimeseriesTable,
    ...(o.tuning.recordLimit !== undefined ? { recordLimit: o.tuning.recordLimit } : {}),
    shardConcurrency: o.tuning.shardConcurrency ?? DETERMINISTIC_SHARD_CONCURRENCY,
    ...(o.now ? { nowMicros: () => o.now!() * 1000 } : {}),
    signal: o.signal,
  });
  try {
    yield* reader;
  } catch (err) {
    throw translateReaderError(err, o.tableName);
  }
  o.logger.debug('stream window read', { ...reader.stats });
  o.onStats?.(reader.stats);
}

export function translateReaderError(err: unknown, tableName: string): unknown {
  if (!(err instanceof StreamWindowError)) return err;
  switch (err.code) {
    case 'WINDOW_NOT_CLOSED':
    case 'TRIMMED':
    case 'WINDOW_INVALID':
      return new RefusedWindowError(`Refusing window for ${tableName}: ${err.message}`, [err.message], { cause: err });
    default:
      return new SyncFailedError(`Reading the stream of ${tableName} failed: ${err.message}`, { cause: err });
  }
}
