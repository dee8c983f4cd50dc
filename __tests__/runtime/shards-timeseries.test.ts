/** Shard lineage inside a window (split, then merge) and a time series table, end to end through the runtime. */
import { startLocalSandboxes } from '../../lib/runtime/demo/local-sandboxes';
import { runWindow, staticCredentialProvider } from '../../lib/runtime/sync';
import { TablestoreStreamClient } from '../../lib/tablestore';
import { END, END_US, FAST_TUNING, jsonRows, NOW, objectsUnder, START, START_US, runtimeSyncPolicy, startRuntimeHarness, TABLE } from './helpers';

test('a shard split and a merge inside the window: every record once, each key in write order', async () => {
  const h = await startRuntimeHarness(1);
  try {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    let t = START_US + 1000;
    let version = 0;
    const round = async (): Promise<void> => {
      version++;
      for (const k of keys) await h.at(t++, () => h.put(k, { name: `${k}-v${version}`, qty: version }));
    };
    await round();
    const [a, b] = h.sb.tablestore.splitShard(TABLE);
    await round();
    await round();
    h.sb.tablestore.mergeShards(TABLE, a, b);
    await round();
    expect(h.sb.tablestore.shards(TABLE).map((s) => s.closed)).toEqual([true, true, true, false]);

    const result = await runWindow({ config: h.config(), startTime: START, endTime: END, credentials: h.credentials, now: NOW, tuning: FAST_TUNING });
    expect(result.manifest.records.total).toBe(keys.length * 4);
    expect(result.manifest.shards.length).toBeGreaterThanOrEqual(3);
    const rows = jsonRows(objectsUnder(h));
    for (const k of keys) expect(rows.filter((r) => r.id === k).map((r) => r.qty)).toEqual([1, 2, 3, 4]);
  } finally {
    await h.close();
  }
});

test('a time series table: data points of the window as rows of _m_name, _data_source, _tags, _time and fields', async () => {
  const sb = await startLocalSandboxes({ startMicros: START_US - 60_000_000, tablestore: { maxClockSkewMs: null }, ossPolicies: [runtimeSyncPolicy(['metrics'])], tablestorePolicies: [runtimeSyncPolicy(['metrics'])] });
  const client = new TablestoreStreamClient({ endpoint: sb.tablestore.endpoint, instanceName: sb.tablestore.instanceName, credentials: sb.tablestoreOwner });
  try {
    await client.createTimeseriesTable({ tableName: 'metrics' });
    const point = (host: string, usage: number, timeMicros: number) => ({ measurement: 'cpu', dataSource: host, tags: { region: 'hz', az: 'b' }, timeMicros, fields: { usage, cores: 8n } });
    sb.tablestore.clock.set(START_US);
    await client.putTimeseriesData('metrics', [point('host1', 0.5, START_US - 5_000_000)]);
    sb.tablestore.clock.set(END_US - 1);
    await client.putTimeseriesData('metrics', [point('host2', 0.75, END_US - 10)]);
    sb.tablestore.clock.set(END_US);
    await client.putTimeseriesData('metrics', [point('host3', 1, END_US)]);

    const config = sb.config({
      tablestore: { tableName: 'metrics', isTimeseriesTable: true },
      format: { fileFormat: 'jsonl', compression: 'none' },
      layout: { mode: 'rows', columns: [{ name: '_m_name' }, { name: '_data_source' }, { name: '_tags' }, { name: '_time' }, { name: 'usage', type: 'double' }, { name: 'cores', type: 'int64' }] },
    });
    const result = await runWindow({ config, startTime: START, endTime: END, credentials: staticCredentialProvider(sb.credentials), now: NOW, tuning: FAST_TUNING });
    expect(result.manifest.records).toEqual({ total: 2, PUT: 2, UPDATE: 0, DELETE: 0 });
    const rows = jsonRows(new Map([...sb.oss.objects()].filter(([k]) => k.endsWith('.jsonl'))));
    expect(rows).toEqual([
      { _m_name: 'cpu', _data_source: 'host1', _tags: '["az=b","region=hz"]', _time: START_US - 5_000_000, usage: 0.5, cores: 8, _op: 'PUT', _deleted_columns: null },
      { _m_name: 'cpu', _data_source: 'host2', _tags: '["az=b","region=hz"]', _time: END_US - 10, usage: 0.75, cores: 8, _op: 'PUT', _deleted_columns: null },
    ]);
  } finally {
    client.close();
    await sb.close();
  }
});
