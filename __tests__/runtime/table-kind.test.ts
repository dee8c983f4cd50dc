/**
 * The runtime reads a table's Stream as the kind the configuration says; DescribeStream tells which kind the table
 * is, and a mismatch is refused before anything is read or written (its records would be misread otherwise).
 */
import { startLocalSandboxes } from '../../lib/runtime/demo/local-sandboxes';
import { runWindow, staticCredentialProvider, SyncFailedError } from '../../lib/runtime/sync';
import { TablestoreStreamClient } from '../../lib/tablestore';
import { createStreamTable } from '../tablestore/helpers';
import { COLUMNS, END, FAST_TUNING, NOW, runtimeSyncPolicy, START, START_US, TABLE } from './helpers';

test('a table of the other kind than tablestore.isTimeseriesTable says is refused, naming the fix', async () => {
  const sb = await startLocalSandboxes({ startMicros: START_US - 60_000_000, tablestore: { maxClockSkewMs: null }, ossPolicies: [runtimeSyncPolicy([TABLE, 'metrics'])], tablestorePolicies: [runtimeSyncPolicy([TABLE, 'metrics'])] });
  const client = new TablestoreStreamClient({ endpoint: sb.tablestore.endpoint, instanceName: sb.tablestore.instanceName, credentials: sb.tablestoreOwner });
  try {
    await createStreamTable(sb.ots, TABLE, [{ name: 'id', type: 'STRING' }]);
    await client.createTimeseriesTable({ tableName: 'metrics' });
    const run = (tableName: string, isTimeseriesTable: boolean) => runWindow({
      config: sb.config({ tablestore: { tableName, isTimeseriesTable }, format: { fileFormat: 'jsonl', compression: 'none' }, layout: { mode: 'rows', columns: COLUMNS } }),
      startTime: START, endTime: END, credentials: staticCredentialProvider(sb.credentials), now: NOW, tuning: FAST_TUNING,
    }).then(() => undefined, (e: unknown) => e);

    const wideAsSeries = await run(TABLE, true);
    expect(wideAsSeries).toBeInstanceOf(SyncFailedError);
    expect((wideAsSeries as Error).message).toBe(`Table ${TABLE} is a wide-column table (DescribeStream is_timeseries_data_table false), but tablestore.isTimeseriesTable is true: set it to false`);
    const seriesAsWide = await run('metrics', false);
    expect(seriesAsWide).toBeInstanceOf(SyncFailedError);
    expect((seriesAsWide as Error).message).toBe('Table metrics is a time series table (DescribeStream is_timeseries_data_table true), but tablestore.isTimeseriesTable is false: set it to true');
    expect(sb.tablestore.stats.requests.GetShardIterator ?? 0).toBe(0);
    expect(sb.oss.objects().size).toBe(0);
  } finally {
    client.close();
    await sb.close();
  }
});
