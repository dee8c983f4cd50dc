/** Finds the table's stream and its retention (DescribeStream expiration_time), with messages that say what to fix. */
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

export async function locateStream(client: TablestoreStreamClient, tableName: string): Promise<TableStream> {
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
  if (!stream) throw new SyncFailedError(`Table ${tableName} has no Stream: enable it (stream specification enable_stream=true) before syncing`);
  const page = await client.describeStreamPage(stream.streamId, { shardLimit: 1 });
  if (!(page.expirationTimeHours > 0)) {
    throw new SyncFailedError(`DescribeStream of ${tableName} reports expiration_time ${page.expirationTimeHours}; expected the retention in hours (> 0)`);
  }
  return { streamId: stream.streamId, tableName, retentionHours: page.expirationTimeHours, status: page.status, createdAtMs: Math.floor(streamTimeMicros(stream.creationTime) / 1000) };
}
