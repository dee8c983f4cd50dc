/**
 * Reads one window [startMicros, endMicros) of a table's stream.
 *
 * - finds the table's stream (ListStream) and every shard (DescribeStream, paged);
 * - reads a shard only once its parent(s) (parent_id, parent_sibling_id) are
 *   fully read for the window, so per-key write order survives splits/merges;
 * - per shard: GetShardIterator a margin before the window start (the service may
 *   position coarsely), GetStreamRecord pages until a record at/after the window
 *   end, the shard's end (no next iterator), or an empty page of an open shard
 *   (caught up); records outside [start, end) are dropped;
 * - proves each shard's start was not trimmed from what it read: a record before
 *   the window start, or else the shard's oldest retained record compared with the
 *   seek point and the retention edge by the service's clock (see verifyStart);
 * - yields non-empty pages shard after shard, in lineage order then DescribeStream
 *   order, so the record sequence is the same on every read of a window;
 * - reads ahead: the shards next in line are fetched while the current one is
 *   handed out (`shardConcurrency` shards at once), and each fetches its pages
 *   without waiting for their decoding, up to `prefetchPages` raw pages. Memory
 *   is bounded by pages, never by the window.
 */
import { TablestoreError } from '../../tablestore/errors';
import { MAX_STREAM_RECORD_LIMIT, StreamDescription, StreamShardInfo, TablestoreStreamClient } from '../../tablestore/stream-client';
import { readSequenceTimestamp } from '../../tablestore/plainbuffer/decode';
import type { StreamRecordBatch } from '../../tablestore/protocol/stream-wire';
import type { PhaseTimes } from '../phase-times';
import { decodeBatch } from './record-decoder';
import { StreamRecordPage } from './types';

/**
 * GetShardIterator seeks this long before the window start, as the Data Integration reader does (DataX
 * otsstreamreader RecordProcessor: startTimestampMillis - 10 * 60 * 1000, in µs); records before the start are
 * skipped, so a service that positions coarsely cannot drop the window's first records.
 */
export const DEFAULT_SEEK_MARGIN_MICROS = 10 * 60_000_000;

/**
 * Windows must start this long after the retention edge (now - expiration time), as DataX refuses them
 * (OTSStreamReaderChecker: start >= now - expirationTime + BEFORE_OFFSET_TIME_MILLIS, 10 minutes), and a shard
 * whose oldest record is later than the seek point is refused when the seek point is this close to the edge.
 */
export const RETENTION_EDGE_MARGIN_MICROS = 10 * 60_000_000;

/**
 * GetStreamRecord `limit` sent when none is configured: 1000 records per page, what Alibaba's Tablestore Stream
 * Client asks for (StreamConfig.maxRecords). The API reference documents the field (int32, optional, "the maximum
 * number of records to return") but neither a default nor a maximum; the Java SDK only requires it to be > 0.
 * Without it the service picks the page size: the sandbox answers 100, and each page costs a signed round trip.
 */
export const DEFAULT_RECORD_LIMIT = 1000;

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
  /** GetStreamRecord limit per call (1 to MAX_STREAM_RECORD_LIMIT); default DEFAULT_RECORD_LIMIT. The service may answer fewer. */
  readonly recordLimit?: number;
  /** Shards fetched at once: the one being handed out and the next in line (default 2). */
  readonly shardConcurrency?: number;
  /** GetStreamRecord pages a shard fetches ahead of decoding, the one in flight included (default 2). */
  readonly prefetchPages?: number;
  /**
   * Seek this much before the window start when asking for shard iterators,
   * in case the service positions by time coarsely; records before the start
   * are skipped without decoding. Default DEFAULT_SEEK_MARGIN_MICROS (10 minutes, as DataX).
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
  /** Receives the decoding time (benchmark breakdown). */
  readonly phaseTimes?: PhaseTimes;
}

export type StreamWindowErrorCode = 'NO_STREAM' | 'WINDOW_INVALID' | 'WINDOW_NOT_CLOSED' | 'TRIMMED' | 'LINEAGE' | 'SEEK';

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
  /** Shards whose start was proven by probing their oldest retained record (no record before the start was read). */
  shardsProbed: number;
}

/** Async iterable of the window's pages; `stats` fills in as it is consumed. */
export class StreamWindowReader implements AsyncIterable<StreamRecordPage> {
  readonly stats: StreamWindowStats = { streamId: null, isTimeseriesTable: false, shardsListed: 0, shardsRead: 0, requests: 0, pages: 0, records: 0, shardsProbed: 0 };
  private started = false;

  constructor(private readonly o: StreamWindowReaderOptions) {
    const { startMicros, endMicros } = o;
    if (!Number.isSafeInteger(startMicros) || !Number.isSafeInteger(endMicros) || startMicros < 0 || endMicros <= startMicros) {
      throw new StreamWindowError('WINDOW_INVALID', `window [${startMicros}, ${endMicros}) must be non-negative integer microseconds with start < end`);
    }
    if (o.shardConcurrency !== undefined && !(Number.isInteger(o.shardConcurrency) && o.shardConcurrency >= 1)) {
      throw new RangeError(`shardConcurrency must be an integer >= 1, got ${o.shardConcurrency}`);
    }
    if (o.prefetchPages !== undefined && !(Number.isInteger(o.prefetchPages) && o.prefetchPages >= 1)) {
      throw new RangeError(`prefetchPages must be an integer >= 1, got ${o.prefetchPages}`);
    }
    if (o.seekMarginMicros !== undefined && !(Number.isSafeInteger(o.seekMarginMicros) && o.seekMarginMicros >= 0)) {
      throw new RangeError(`seekMarginMicros must be a non-negative integer, got ${o.seekMarginMicros}`);
    }
    if (o.recordLimit !== undefined && !(Number.isInteger(o.recordLimit) && o.recordLimit >= 1 && o.recordLimit <= MAX_STREAM_RECORD_LIMIT)) {
      throw new RangeError(`recordLimit must be an integer from 1 to ${MAX_STREAM_RECORD_LIMIT} (int32), got ${o.recordLimit}`);
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
    const order = lineageOrder(description.shards);
    const concurrency = o.shardConcurrency ?? 2;
    const open: ShardCursor[] = [];
    let next = 0;
    try {
      for (;;) {
        while (open.length < concurrency && next < order.length) {
          open.push(new ShardCursor(o, description.streamId, order[next++], isTimeseries, description.expirationTimeHours, this.stats));
        }
        const cursor = open[0];
        if (cursor === undefined) break;
        if (o.signal?.aborted) throw o.signal.reason ?? new Error('stream window read aborted');
        let page: StreamRecordPage | null;
        try {
          page = await cursor.next();
        } catch (err) {
          throw translateError(err, cursor.shardId);
        }
        if (page === null) {
          open.shift();
          this.stats.shardsRead++;
          continue;
        }
        this.stats.pages++;
        this.stats.records += page.records.length;
        yield page;
      }
    } finally {
      for (const c of open) c.close();
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
      const created = streamTimeMicros(stream.creationTime);
      if (o.startMicros < created) {
        throw new StreamWindowError('WINDOW_INVALID', `window start ${iso(o.startMicros)} precedes the creation of stream ${stream.streamId} (${iso(created)}): earlier writes were not recorded`);
      }
      const retentionStart = now - description.expirationTimeHours * 3_600_000_000;
      if (o.startMicros < retentionStart + RETENTION_EDGE_MARGIN_MICROS) {
        throw new StreamWindowError(
          'TRIMMED',
          `window start ${iso(o.startMicros)} is ${o.startMicros < retentionStart ? 'older than' : 'within 10 minutes of'} the edge of the stream's ${description.expirationTimeHours}-hour retention ` +
            `(${iso(retentionStart)}): records there are trimmed or may be trimmed while the window is read`,
        );
      }
    }
    return description;
  }
}

/** Reads the window; see StreamWindowReader. */
export function readStreamWindow(options: StreamWindowReaderOptions): StreamWindowReader {
  return new StreamWindowReader(options);
}

/**
 * Reads one shard: a fetch loop chains GetStreamRecord calls (each needs the
 * previous answer's iterator) into a queue of raw pages, which `next` decodes.
 */
class ShardCursor {
  private readonly queue: StreamRecordBatch[] = [];
  private fetching = false;
  private fetchedAll = false;
  private closed = false;
  private failure: { error: unknown } | null = null;
  private wake: (() => void) | null = null;
  private iterator: string | null = null;
  private finished = false;

  private verified = false;
  private readonly seekAt: number;

  constructor(
    private readonly o: StreamWindowReaderOptions,
    private readonly streamId: string,
    readonly shardId: string,
    private readonly isTimeseries: boolean,
    private readonly retentionHours: number,
    private readonly stats: StreamWindowStats,
  ) {
    this.seekAt = Math.max(0, o.startMicros - (o.seekMarginMicros ?? DEFAULT_SEEK_MARGIN_MICROS));
    this.fill();
  }

  /** The next non-empty page, or null when the shard is done for the window. */
  async next(): Promise<StreamRecordPage | null> {
    const o = this.o;
    while (!this.finished) {
      const batch = await this.take();
      if (!this.verified) await this.verifyStart(batch);
      if (batch === null) break;
      const decodeStart = o.phaseTimes ? performance.now() : 0;
      const { records, reachedEnd } = decodeBatch(batch, {
        shardId: this.shardId,
        startMicros: o.startMicros,
        endMicros: o.endMicros,
        isTimeseriesTable: this.isTimeseries,
        verifyChecksums: o.verifyChecksums !== false,
      });
      o.phaseTimes?.add('decode', decodeStart);
      if (reachedEnd) this.close();
      if (records.length > 0) return { shardId: this.shardId, records };
    }
    this.finished = true;
    return null;
  }

  /**
   * Proves that the seek did not start after trimmed records of the window. A record before the window start
   * proves it (a trim removes the oldest records first). Otherwise the shard's oldest retained record (an
   * iterator without timestamp) decides: at or before the seek point, nothing after it was trimmed; the very
   * record the seek served, later than the seek point, means the shard holds nothing older: it had no writes
   * there, unless the seek point is near the retention edge by the service's clock (x-ots-date), where the
   * absence is what a trim leaves (refused, TRIMMED); any other record means the seek skipped retained records
   * (SEEK). A service that silently serves from the oldest record is thereby caught without an error code.
   */
  private async verifyStart(first: StreamRecordBatch | null): Promise<void> {
    this.verified = true;
    const o = this.o;
    const firstTime = first ? readSequenceTimestamp(first.body, first.starts[0], first.ends[0]) : -1;
    if (first && firstTime >= 0 && firstTime < o.startMicros) return;
    this.stats.shardsProbed++;
    this.stats.requests += 2;
    const horizonIterator = await o.client.getShardIterator(this.streamId, this.shardId);
    const horizon = await o.client.getStreamRecordBatch(horizonIterator, 1);
    if (horizon.count > 0) {
      const horizonTime = readSequenceTimestamp(horizon.body, horizon.starts[0], horizon.ends[0]);
      if (horizonTime <= this.seekAt) return;
      const sameRecord = first !== null && recordBytes(first, 0).equals(recordBytes(horizon, 0));
      if (!sameRecord) {
        throw new StreamWindowError(
          'SEEK',
          `GetShardIterator at ${iso(this.seekAt)} for shard ${this.shardId} skipped retained records: the oldest one was written at ${iso(horizonTime)}, ` +
            `after the seek point, but the seek served ${first ? `a later record (${iso(firstTime)})` : 'none'}`,
        );
      }
    }
    const serverMs = o.client.serverTimeMs();
    const serviceNow = serverMs !== null ? serverMs * 1000 : o.nowMicros ? o.nowMicros() : Date.now() * 1000;
    const edge = serviceNow - this.retentionHours * 3_600_000_000 + RETENTION_EDGE_MARGIN_MICROS;
    if (this.seekAt < edge) {
      throw new StreamWindowError(
        'TRIMMED',
        `the start of the window may have been trimmed from shard ${this.shardId}: it holds no record before ${first ? iso(firstTime) : 'now'}, ` +
          `and the seek point ${iso(this.seekAt)} is within 10 minutes of the ${this.retentionHours}-hour retention edge by the service's clock ` +
          `(${iso(serviceNow)}${serverMs === null ? ', local: the service sent no x-ots-date' : ''}), where a trim leaves exactly that`,
      );
    }
  }

  /** Stops fetching; a call in flight completes and is dropped. */
  close(): void {
    this.closed = true;
    this.finished = true;
    this.queue.length = 0;
  }

  private async take(): Promise<StreamRecordBatch | null> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      const batch = this.queue.shift();
      if (batch !== undefined) {
        this.fill();
        return batch;
      }
      if (this.fetchedAll || this.closed) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private fill(): void {
    if (this.fetching || this.fetchedAll || this.closed || this.queue.length >= (this.o.prefetchPages ?? 2)) return;
    this.fetching = true;
    this.fetchLoop().then(
      () => this.settle(),
      (error: unknown) => {
        this.failure = { error };
        this.settle();
      },
    );
  }

  private settle(): void {
    this.fetching = false;
    const wake = this.wake;
    this.wake = null;
    wake?.();
    // A page may have been taken while the loop was winding down.
    if (this.failure === null) this.fill();
  }

  /** Fetches until `prefetchPages` pages are ahead of decoding or the shard is done. */
  private async fetchLoop(): Promise<void> {
    const o = this.o;
    const ahead = o.prefetchPages ?? 2;
    while (!this.closed && !this.fetchedAll && this.queue.length < ahead) {
      if (this.iterator === null) {
        this.stats.requests++;
        this.iterator = await o.client.getShardIterator(this.streamId, this.shardId, this.seekAt);
        if (this.closed) return;
      }
      this.stats.requests++;
      const batch = await o.client.getStreamRecordBatch(this.iterator, o.recordLimit ?? DEFAULT_RECORD_LIMIT);
      if (this.closed) return;
      const next = batch.nextShardIterator;
      // Records are in write order: once the last one is past the window, the shard is done.
      const pastWindow = batch.count > 0 && lastWriteTime(batch) >= o.endMicros;
      if (pastWindow || next === null || (batch.count === 0 && batch.mayMoreRecord !== true)) this.fetchedAll = true;
      else this.iterator = next;
      if (batch.count > 0) this.queue.push(batch);
      const wake = this.wake;
      this.wake = null;
      wake?.();
    }
  }
}

/** The encoded bytes of record `i` of a batch (a view). */
function recordBytes(batch: StreamRecordBatch, i: number): Buffer {
  return batch.body.subarray(batch.starts[i], batch.ends[i]);
}

/** µs since epoch as ISO 8601, for messages. */
function iso(micros: number): string {
  return `${new Date(Math.floor(micros / 1000)).toISOString()} (${micros} µs)`;
}

/** Write time of a batch's last record (-1 when it has no sequence info: decoding reports that). */
function lastWriteTime(batch: StreamRecordBatch): number {
  const i = batch.count - 1;
  return readSequenceTimestamp(batch.body, batch.starts[i], batch.ends[i]);
}

/**
 * Shard ids in reading order: repeatedly the first listed shard whose parents
 * (split, merge) are placed. A parent no longer listed has expired: nothing to wait for.
 */
function lineageOrder(shards: readonly StreamShardInfo[]): string[] {
  const listed = new Set(shards.map((s) => s.shardId));
  const placed = new Set<string>();
  const order: string[] = [];
  const rest = [...shards];
  while (rest.length > 0) {
    const i = rest.findIndex((s) => [s.parentId, s.parentSiblingId].every((p) => p === null || !listed.has(p) || placed.has(p)));
    if (i < 0) throw new StreamWindowError('LINEAGE', `shards ${rest.map((s) => s.shardId).join(', ')} wait on parents that never finished (cyclic lineage)`);
    const [shard] = rest.splice(i, 1);
    placed.add(shard.shardId);
    order.push(shard.shardId);
  }
  return order;
}

function translateError(err: unknown, shardId: string): unknown {
  if (err instanceof TablestoreError && err.code === 'OTSTrimmedDataAccess') {
    return new StreamWindowError('TRIMMED', `stream records of shard ${shardId} for the window were already trimmed: ${err.message}`, { cause: err });
  }
  return err;
}

/** Stream creation times in µs whatever unit the service used (s, ms or µs). */
export function streamTimeMicros(t: number): number {
  if (t < 1e11) return t * 1e6;
  if (t < 1e14) return t * 1e3;
  return t;
}
