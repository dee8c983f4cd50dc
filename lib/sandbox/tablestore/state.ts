/**
 * The sandbox instance: its tables and settings, shared by the operation handlers.
 */
import { SandboxClock } from './clock';
import { objectNotExist } from './service-error';
import { SandboxTable, StreamState } from './tables';

export interface SandboxSettings {
  /** Shards a newly enabled stream starts with. */
  readonly shardCount: number;
  /** GetStreamRecord page size when the request sets no limit. */
  readonly defaultStreamRecordLimit: number;
  /** Largest GetStreamRecord limit honoured; larger requests are capped to it. */
  readonly maxStreamRecordLimit: number;
  /** Soft cap of record bytes in one GetStreamRecord response (at least one record is returned). */
  readonly maxStreamRecordBytes: number;
  /** Shards per DescribeStream page when the request sets no shard_limit. */
  readonly describeStreamPageSize: number;
  /** GetShardIterator by timestamp answers with next_token this many times before the iterator. */
  readonly shardIteratorTokenRounds: number;
  /**
   * Coarse positioning: GetShardIterator by timestamp lands at the first record written at or after
   * `timestamp - seekSlackMicros` (up to that much early, never late). 0 = exact; the server's default is 3 minutes.
   */
  readonly seekSlackMicros: number;
  /**
   * Silent trim: a timestamp or iterator before the trim point is served from the oldest surviving record instead
   * of failing with OTSTrimmedDataAccess.
   */
  readonly silentTrim: boolean;
  /** Retention (hours) of the stream a time series table gets on creation. */
  readonly timeseriesStreamExpirationHours: number;
}

export class SandboxState {
  readonly tables = new Map<string, SandboxTable>();

  constructor(
    readonly settings: SandboxSettings,
    readonly clock: SandboxClock,
  ) {}

  /** A wide or time series table, or OTSObjectNotExist. */
  table(name: string, kind?: 'wide' | 'timeseries'): SandboxTable {
    const t = this.tables.get(name);
    if (!t || (kind !== undefined && t.kind !== kind)) {
      throw objectNotExist(kind === 'timeseries' ? `Requested time series table ${name} does not exist.` : `Requested table ${name} does not exist.`);
    }
    return t;
  }

  /** Deletes a table of that kind, or OTSObjectNotExist. */
  deleteTable(name: string, kind: 'wide' | 'timeseries'): void {
    this.table(name, kind);
    this.tables.delete(name);
  }

  /** The tables of one kind, in creation order. */
  tablesOf(kind: 'wide' | 'timeseries'): SandboxTable[] {
    return [...this.tables.values()].filter((t) => t.kind === kind);
  }

  /** The table owning a current stream id, or OTSObjectNotExist. */
  streamById(streamId: string): { table: SandboxTable; stream: StreamState } {
    for (const table of this.tables.values()) {
      if (table.stream && table.stream.streamId === streamId) return { table, stream: table.stream };
    }
    throw objectNotExist(`Requested stream ${streamId} does not exist.`);
  }
}
