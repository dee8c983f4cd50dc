/**
 * Records produced by the Tablestore Stream reader.
 *
 * Shape: one object per stream record, grouped into pages (wide-column records keep their PlainBuffer bytes and
 * decode their key and columns on first read, see EncodedStreamRecord). A page is
 * what one GetStreamRecord call returned for one shard, already filtered to the
 * window [startMicros, endMicros). Writers iterate `page.records` and map each
 * record to a CSV line / JSON object / Parquet row; nothing is shared between
 * pages, so a page can be dropped as soon as it is written.
 *
 * Value representation (fixed, so writers need no type sniffing):
 *   INTEGER -> bigint (Tablestore integers are int64; JSON writers must print
 *              them with `value.toString()`)
 *   DOUBLE  -> number
 *   BOOLEAN -> boolean
 *   STRING  -> string
 *   BINARY  -> Buffer (a view into the response body; copy it to keep it longer
 *              than the page)
 */
import type { ColumnOperation, ColumnType, ColumnValue, PrimaryKeyColumn, PrimaryKeyType, PrimaryKeyValue } from '../../tablestore/plainbuffer/types';

export type { ColumnOperation, ColumnType, ColumnValue, PrimaryKeyColumn, PrimaryKeyType, PrimaryKeyValue };

/** What the write did to the row. */
export type StreamAction = 'PUT' | 'UPDATE' | 'DELETE';

/**
 * One attribute column of a record. `operation`:
 * - PUT: the column got `value` at version `timestampMillis`.
 * - DELETE_ONE_VERSION: (UPDATE only) the version `timestampMillis` was deleted; no value.
 * - DELETE_ALL_VERSIONS: (UPDATE only) every version was deleted; no value, no timestamp.
 */
export interface StreamColumn {
  readonly name: string;
  readonly operation: ColumnOperation;
  /** null for delete markers. */
  readonly type: ColumnType | null;
  /** null for delete markers. */
  readonly value: ColumnValue | null;
  /** Cell version in milliseconds since epoch; null for DELETE_ALL_VERSIONS. */
  readonly timestampMillis: number | null;
}

/**
 * A time series data point as it appears in a time series table's stream.
 * Present only when the table is a time series table.
 */
export interface TimeseriesPoint {
  readonly measurement: string;
  readonly dataSource: string;
  /** Tag name -> tag value, parsed from the `_tags` key column (and custom key columns). */
  readonly tags: Readonly<Record<string, string>>;
  /** Data point time in microseconds since epoch (the `_time` key column). */
  readonly timeMicros: number;
  /**
   * Field columns with the storage type suffix (":x") removed from their names,
   * then field primary key columns (operation PUT, timestampMillis null).
   */
  readonly fields: readonly StreamColumn[];
}

export interface StreamRecord {
  readonly action: StreamAction;
  /** Shard the record was read from. */
  readonly shardId: string;
  /** When the service applied the write, microseconds since epoch (sequence info timestamp). */
  readonly writeTimeMicros: number;
  /** Sequence info epoch and row index: with writeTimeMicros they order records within a shard. */
  readonly epoch: number;
  readonly rowIndex: number;
  /** Primary key columns in table-schema order (for time series tables: the raw storage key, `_#h` first). */
  readonly primaryKey: readonly PrimaryKeyColumn[];
  /** Attribute columns in the order the record carries them. Empty for DELETE. */
  readonly columns: readonly StreamColumn[];
  /** Parsed data point for time series tables; null for wide tables. */
  readonly timeseries: TimeseriesPoint | null;
}

/** One GetStreamRecord page of one shard, filtered to the window. */
export interface StreamRecordPage {
  readonly shardId: string;
  /** Records with writeTimeMicros in [startMicros, endMicros), in shard order; never empty. */
  readonly records: readonly StreamRecord[];
}
