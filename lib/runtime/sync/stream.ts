/**
 * Finds the table's stream and its retention (DescribeStream expiration_time), with messages that say what to fix.
 * A time series table's Stream comes with the table; DescribeStream (asked with support_timeseries_data_table) says
 * which kind the table is, and a table of the other kind than configured is refused, as the DataX Stream reader
 * refuses isTimeseriesTable on a wide-column table (OTSHelper.getStreamResponse): its records would be misread.
 */
import { TablestoreError } from '../../tablestore/errors';
import type { TablestoreStreamClient } from '../../tablestore/stream-client';
import { streamTimeMicros } from '../reader/window-reader';
import { SyncFailedError } from './errors';

export interface TableStream {
  readonly streamId: string;
  readonly tableName: string;
  /** Stream records older than this are gone (DescribeStream expiration_time, hours). */
  readonly retentionHours: number;
  readonly status: string;
  /** When the Stream was enabled (ListStream creation_time), epoch ms: nothing before it was recorded. */
  readonly createdAtMs: number;
}

export async function locateStream(client: TablestoreStreamClient, tableName: string, isTimeseriesTable: boolean): Promise<TableStream> {
  let streams;
  try {
    streams = await client.listStream(tableName);
  } catch (err) {
    if (err instanceof TablestoreError && err.code === 'OTSObjectNotExist') {
      throw new SyncFailedError(`Table ${tableName} does not exist in the instance (ListStream: ${err.code})`, { cause: err });
    }
    throw err;
  }
  const stream = streams.find((s) => s.tableName === tableName) ?? streams[0];
  if (!stream) {
    throw new SyncFailedError(isTimeseriesTable
      ? `Time series table ${tableName} lists no Stream (ListStream), though Tablestore gives every time series table one from its creation: check the table name and the instance`
      : `Table ${tableName} has no Stream: enable it (stream specification enable_stream=true) before syncing`);
  }
  const page = await client.describeStreamPage(stream.streamId, { shardLimit: 1 });
  if (page.isTimeseriesDataTable !== isTimeseriesTable) {
    throw new SyncFailedError(isTimeseriesTable
      ? `Table ${tableName} is a wide-column table (DescribeStream is_timeseries_data_table false), but tablestore.isTimeseriesTable is true: set it to false`
      : `Table ${tableName} is a time series table (DescribeStream is_timeseries_data_table true), but tablestore.isTimeseriesTable is false: set it to true`);
  }
  if (!(page.expirationTimeHours > 0)) {
    throw new SyncFailedError(`DescribeStream of ${tableName} reports expiration_time ${page.expirationTimeHours}; expected the retention in hours (> 0)`);
  }
  return { streamId: stream.streamId, tableName, retentionHours: page.expirationTimeHours, status: page.status, createdAtMs: Math.floor(streamTimeMicros(stream.creationTime) / 1000) };
}
