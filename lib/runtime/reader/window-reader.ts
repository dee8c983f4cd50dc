/**
 * Reads one window [startMicros, endMicros) of a table's stream.
 *
 * - finds the table's stream (ListStream) and every shard (DescribeStream, paged);
 * - reads a shard only once its parent(s) (parent_id, parent_sibling_id) are
 *   fully read for the window, so per-key write order survives splits/merges;
 * - per shard: GetShardIterator at the window start, GetStreamRecord pages until
 *   a record at/after the window end, the shard's end (no next iterator), or an
 *   empty page of an open shard (caught up);
 * - yields non-empty pages; up to `shardConcurrency` shards are read at once and
 *   each holds at most one page in flight plus the one handed out, so memory is
 *   bounded by pages, never by the window.
 *
 * Pages of different shards interleave; within a shard they are in order.
 */
import { TablestoreError } from '../../tablestore/errors';
import { StreamDescription, StreamShardInfo, TablestoreStreamClient } from '../../tablestore/stream-client';
import { decodeBatch } from './record-decoder';
import { StreamRecordPage } from './types';

export interface StreamWindowReaderOptions {
  readonly client: TablestoreStreamClient;
  readonly tableName: string;
  /** Inclusive window start, microseconds since epoch. */
  readonly startMicros: number;
  /** Exclusive window end, microseconds since epoch. */
  readonly endMicros: number;
  /**
   * Parse records as time series data points (fill `record.timeseries`).
   * Default: what DescribeStream reports for the table.
   */
  readonly isTimeseriesTable?: boolean;
  /** GetStreamRecord limit per call; default: not sent (the service default). */
  readonly recordLimit?: number;
  /** Shards read concurrently (default 4). */
  readonly shardConcurrency?: number;
  /**
   * Seek this much before the window start when asking for shard iterators,
   * in case the service positions by time coarsely; records before the start
   * are skipped without decoding. Default 0.
   */
  readonly seekMarginMicros?: number;
  /** Verify PlainBuffer checksums (default true). */
  readonly verifyChecksums?: boolean;
  /** "Now" for the window checks (default wall clock). */
  readonly nowMicros?: () => number;
  /**
   * Refuse windows that end after now (records could still arrive) or start
   * before the stream's retention (records may be trimmed). Default true.
   */
  readonly checkWindow?: boolean;
  /** Stops reading between pages. */
  readonly signal?: AbortSignal;
}

export type StreamWindowErrorCode = 'NO_STREAM' | 'WINDOW_INVALID' | 'WINDOW_NOT_CLOSED' | 'TRIMMED' | 'LINEAGE';

export class StreamWindowError extends Error {
  constructor(
    readonly code: StreamWindowErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StreamWindowError';
  }
}

export interface StreamWindowStats {
  streamId: string | null;
  isTimeseriesTable: boolean;
  /** Shards DescribeStream listed (all lineage generations). */
  shardsListed: number;
  /** Shards read to their end for the window. */
  shardsRead: number;
  /** GetShardIterator and GetStreamRecord calls (retries not counted). */
  requests: number;
  /** Non-empty pages yielded. */
  pages: number;
  /** Records yielded. */
  records: number;
}

interface ShardTask {
  readonly shard: StreamShardInfo;
  readonly parents: string[];
}

/** Async iterable of the window's pages; `stats` fills in as it is consumed. */
export class StreamWindowReader implements AsyncIterable<StreamRecordPage> {
  readonly stats: StreamWindowStats = { streamId: null, isTimeseriesTable: false, shardsListed: 0, shardsRead: 0, requests: 0, pages: 0, records: 0 };
  private started = false;

  constructor(private readonly o: StreamWindowReaderOptions) {
    const { startMicros, endMicros } = o;
    if (!Number.isSafeInteger(startMicros) || !Number.isSafeInteger(endMicros) || startMicros < 0 || endMicros <= startMicros) {
      throw new StreamWindowError('WINDOW_INVALID', `window [${startMicros}, ${endMicros}) must be non-negative integer microseconds with start < end`);
    }
    if (o.shardConcurrency !== undefined && !(Number.isInteger(o.shardConcurrency) && o.shardConcurrency >= 1)) {
      throw new RangeError(`shardConcurrency must be an integer >= 1, got ${o.shardConcurrency}`);
    }
    if (o.recordLimit !== undefined && !(Number.isInteger(o.recordLimit) && o.recordLimit >= 1)) {
      throw new RangeError(`recordLimit must be an integer >= 1, got ${o.recordLimit}`);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamRecordPage> {
    if (this.started) throw new Error('a StreamWindowReader can be iterated once');
    this.started = true;
    return this.pages();
  }

  private async *pages(): AsyncGenerator<StreamRecordPage> {
    const o = this.o;
    const description = await this.describe();
    const isTimeseries = o.isTimeseriesTable ?? description.isTimeseriesDataTable;
    this.stats.isTimeseriesTable = isTimeseries;
    const tasks = lineageTasks(description.shards);
    const done = new Set<string>();
    const pending = new Map<string, ShardTask>(tasks.map((t) => [t.shard.shardId, t]));
    const concurrency = o.shardConcurrency ?? 4;
    type Outcome = { cursor: ShardCursor; page: StreamRecordPage | null; error?: unknown };
    const inFlight = new Map<ShardCursor, Promise<Outcome>>();
    const pull = (cursor: ShardCursor): void => {
      inFlight.set(
        cursor,
        cursor.next().then(
          (page) => ({ cursor, page }),
          (error: unknown) => ({ cursor, page: null, error }),
        ),
      );
    };
    const startReady = (): void => {
      for (const task of [...pending.values()]) {
        if (inFlight.size >= concurrency) return;
        if (task.parents.every((p) => done.has(p))) {
          pending.delete(task.shard.shardId);
          pull(new ShardCursor(o, description.streamId, task.shard.shardId, isTimeseries, this.stats));
        }
      }
    };

    startReady();
    while (inFlight.size > 0) {
      if (o.signal?.aborted) throw o.signal.reason ?? new Error('stream window read aborted');
      const outcome = await Promise.race(inFlight.values());
      inFlight.delete(outcome.cursor);
      if (outcome.error !== undefined) throw translateError(outcome.error, outcome.cursor.shardId);
      if (outcome.page === null) {
        done.add(outcome.cursor.shardId);
        this.stats.shardsRead++;
        startReady();
        continue;
      }
      // Fetch the shard's next page while the consumer handles this one.
      pull(outcome.cursor);
      this.stats.pages++;
      this.stats.records += outcome.page.records.length;
      yield outcome.page;
    }
    if (pending.size > 0) {
      throw new StreamWindowError('LINEAGE', `shards ${[...pending.keys()].join(', ')} wait on parents that never finished (cyclic lineage)`);
    }
  }

  private async describe(): Promise<StreamDescription> {
    const o = this.o;
    const client = o.client;
    const streams = await client.listStream(o.tableName);
    if (streams.length === 0) throw new StreamWindowError('NO_STREAM', `table ${o.tableName} has no enabled stream`);
    const stream = streams.reduce((a, b) => (b.creationTime > a.creationTime ? b : a));
    this.stats.streamId = stream.streamId;
    const description = await client.describeStream(stream.streamId);
    this.stats.shardsListed = description.shards.length;
    if (o.checkWindow !== false) {
      const now = o.nowMicros ? o.nowMicros() : Date.now() * 1000;
      if (o.endMicros > now) {
        throw new StreamWindowError('WINDOW_NOT_CLOSED', `window end ${o.endMicros} is after now (${now}): records for the window may still arrive`);
      }
      const retentionStart = now - description.expirationTimeHours * 3_600_000_000;
      if (o.startMicros < retentionStart) {
        throw new StreamWindowError(
          'TRIMMED',
          `window start ${o.startMicros} is older than the stream retention of ${description.expirationTimeHours} h (records before ${retentionStart} may be trimmed)`,
        );
      }
      const created = toMicros(stream.creationTime);
      if (o.startMicros < created) {
        throw new StreamWindowError('WINDOW_INVALID', `window start ${o.startMicros} precedes the creation of stream ${stream.streamId} (${created}): earlier writes were not recorded`);
      }
    }
    return description;
  }
}

/** Reads the window; see StreamWindowReader. */
export function readStreamWindow(options: StreamWindowReaderOptions): StreamWindowReader {
  return new StreamWindowReader(options);
}

/** Reads one shard page by page. */
class ShardCursor {
  private iterator: string | null = null;
  private finished = false;

  constructor(
    private readonly o: StreamWindowReaderOptions,
    private readonly streamId: string,
    readonly shardId: string,
    private readonly isTimeseries: boolean,
    private readonly stats: StreamWindowStats,
  ) {}

  /** The next non-empty page, or null when the shard is done for the window. */
  async next(): Promise<StreamRecordPage | null> {
    const o = this.o;
    while (!this.finished) {
      if (this.iterator === null) {
        const seekAt = Math.max(0, o.startMicros - (o.seekMarginMicros ?? 0));
        this.stats.requests++;
        this.iterator = await o.client.getShardIterator(this.streamId, this.shardId, seekAt);
      }
      this.stats.requests++;
      const batch = await o.client.getStreamRecordBatch(this.iterator, o.recordLimit);
      const { records, reachedEnd } = decodeBatch(batch, {
        shardId: this.shardId,
        startMicros: o.startMicros,
        endMicros: o.endMicros,
        isTimeseriesTable: this.isTimeseries,
        verifyChecksums: o.verifyChecksums !== false,
      });
      const next = batch.nextShardIterator;
      if (reachedEnd || next === null || (batch.count === 0 && batch.mayMoreRecord !== true)) {
        this.finished = true;
      } else {
        this.iterator = next;
      }
      if (records.length > 0) return { shardId: this.shardId, records };
    }
    return null;
  }
}

/** Orders shards by lineage: each task lists the parents it must wait for. */
function lineageTasks(shards: readonly StreamShardInfo[]): ShardTask[] {
  const listed = new Set(shards.map((s) => s.shardId));
  return shards.map((shard) => ({
    shard,
    // A parent no longer listed has expired: nothing to wait for.
    parents: [shard.parentId, shard.parentSiblingId].filter((p): p is string => p !== null && listed.has(p)),
  }));
}

function translateError(err: unknown, shardId: string): unknown {
  if (err instanceof TablestoreError && err.code === 'OTSTrimmedDataAccess') {
    return new StreamWindowError('TRIMMED', `stream records of shard ${shardId} for the window were already trimmed: ${err.message}`, { cause: err });
  }
  return err;
}

/** Stream creation times in µs whatever unit the service used (s, ms or µs). */
function toMicros(t: number): number {
  if (t < 1e11) return t * 1e6;
  if (t < 1e14) return t * 1e3;
  return t;
}
