/**
 * The stream reader as the runtime uses it: the window in epoch ms becomes microseconds, the reader's own window
 * errors become runtime errors with exit codes, and its statistics are logged when the window is read.
 */
import type { Window } from '../../schedule';
import type { TablestoreStreamClient } from '../../tablestore/stream-client';
import type { PhaseTimes } from '../phase-times';
import { readStreamWindow, StreamWindowError, StreamWindowStats } from '../reader';
import type { StreamRecordPage } from '../reader/types';
import { RefusedWindowError, SyncFailedError } from './errors';
import type { Logger } from '../../common/log';

export interface ReaderTuning {
  /** GetStreamRecord limit per call (default: the reader's DEFAULT_RECORD_LIMIT, 1000). */
  readonly recordLimit?: number;
  /**
   * Shards fetched at once (default: the reader's). The reader hands pages out shard after shard in lineage, then
   * DescribeStream order whatever this is, so the record sequence, hence the object bytes, is the same on every
   * rerun of a window; more shards only read further ahead.
   */
  readonly shardConcurrency?: number;
  /** Raw pages each shard fetches ahead of decoding (default: the reader's). */
  readonly prefetchPages?: number;
  /** Receives the time of each phase of the run (the benchmark's breakdown). */
  readonly phaseTimes?: PhaseTimes;
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
    ...(o.tuning.shardConcurrency !== undefined ? { shardConcurrency: o.tuning.shardConcurrency } : {}),
    ...(o.tuning.prefetchPages !== undefined ? { prefetchPages: o.tuning.prefetchPages } : {}),
    ...(o.tuning.phaseTimes ? { phaseTimes: o.tuning.phaseTimes } : {}),
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
