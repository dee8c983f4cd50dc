/**
 * Restore of a time series table on the loopback servers: points written across three windows (one point written
 * again with a new value), the windows exported by the runtime, replayed into a new time series table through
 * PutTimeseriesData, and compared point by point (ScanTimeseriesData) with the backup and with the source; and
 * from a snapshot (SplitTimeseriesScanTask + ScanTimeseriesData) plus the windows since.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalSandboxes, LocalSandboxes } from '../../lib/runtime/demo/local-sandboxes';
import { restoreFromBackup, snapshotTable, verifyRestoredTable } from '../../lib/runtime/restore';
import { scanPoints } from '../../lib/runtime/restore/timeseries';
import { runWindow, staticCredentialProvider, SyncRuntimeConfig } from '../../lib/runtime/sync';
import { formatWindowTime } from '../../lib/schedule';
import { TablestoreStreamClient, TimeseriesDataPoint } from '../../lib/tablestore';
import { FAST_TUNING, runtimeSyncPolicy, START_MS, TZ } from '../runtime/helpers';

const HOUR = 3_600_000;
/** Window 0 starts when the table was created (a minute past the hour), the others on the hour. */
const windowStart = (k: number): number => (k === 0 ? START_MS + 60_000 : START_MS + k * HOUR);
const time = (ms: number): string => formatWindowTime(ms, TZ);
const NOW = (): number => windowStart(3) + HOUR;

const point = (host: string, timeMicros: number, usage: number, note: string): TimeseriesDataPoint => (
  { measurement: 'cpu', dataSource: host, tags: { region: 'hz', az: 'b' }, timeMicros, fields: { usage, cores: 8n, note } });

describe('restore of a time series table', () => {
  let sb: LocalSandboxes;
  let client: TablestoreStreamClient;
  let config: SyncRuntimeConfig;
  let dir: string;
  const ctx = () => ({ config, credentials: staticCredentialProvider(sb.credentials), now: NOW, tuning: FAST_TUNING });
  const exportWindow = (k: number) => runWindow({ ...ctx(), startTime: time(windowStart(k)), endTime: time(windowStart(k + 1)) });

  beforeAll(async () => {
    sb = await startLocalSandboxes({ startMicros: (START_MS + 60_000) * 1000, tablestore: { maxClockSkewMs: null }, ossPolicies: [runtimeSyncPolicy(['metrics']), runtimeSyncPolicy(['metrics'], 'gapped'), runtimeSyncPolicy(['metrics'], 'snap'), runtimeSyncPolicy(['metrics'], 'di')] });
    client = new TablestoreStreamClient({ endpoint: sb.tablestore.endpoint, instanceName: sb.tablestore.instanceName, credentials: sb.credentials });
    dir = mkdtempSync(join(tmpdir(), 'otsbk-ts-restore-'));
    // The table (and its Stream) begins a minute into window 0.
    await client.createTimeseriesTable({ tableName: 'metrics' });
    const at = async (ms: number, points: TimeseriesDataPoint[]) => {
      sb.tablestore.clock.set(ms * 1000);
      expect(await client.putTimeseriesData('metrics', points)).toEqual([]);
    };
    await at(windowStart(0) + 5 * 60_000, [point('host1', 1_000_000, 0.5, 'a'), point('host2', 1_000_000, 0.25, 'b, "quoted"')]);
    await at(windowStart(1) + 5 * 60_000, [point('host1', 2_000_000, 0.75, 'c')]);
    // The same point again, with new values: the restore ends with the later one.
    await at(windowStart(2) + 5 * 60_000, [point('host2', 1_000_000, 1.5, 'd'), point('host3', 3_000_000, 2, 'e')]);
    config = sb.config({
      tablestore: { tableName: 'metrics', isTimeseriesTable: true },
      format: { fileFormat: 'csv', compression: 'gzip' },
      layout: {
        mode: 'rows',
        columns: [{ name: '_m_name' }, { name: '_data_source' }, { name: '_tags' }, { name: '_time' }, { name: 'usage', type: 'double' }, { name: 'cores', type: 'int64' }, { name: 'note', type: 'string' }],
      },
    });
  });
  afterAll(async () => {
    client.close();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a missing window is refused by name, and nothing is created', async () => {
    // Windows 0 and 2 exported under another prefix: window 1 is missing from that chain.
    const gapped = { ...config, oss: { ...config.oss, prefix: 'gapped' } };
    for (const k of [0, 2]) await runWindow({ ...ctx(), config: gapped, startTime: time(windowStart(k)), endTime: time(windowStart(k + 1)) });
    await expect(restoreFromBackup({ ...ctx(), config: gapped, to: time(windowStart(3)), target: 'metrics_gap', statePath: join(dir, 'gap.json') }))
      .rejects.toThrow(`window ${time(windowStart(1))}_${time(windowStart(2))} is missing`);
    expect((await client.listTimeseriesTable()).map((t) => t.tableName)).toEqual(['metrics']);
  });

  test('windows that do not reach back to the table\'s creation are refused', async () => {
    await exportWindow(1);
    await exportWindow(2);
    await expect(restoreFromBackup({ ...ctx(), to: time(windowStart(3)), target: 'metrics_late', statePath: join(dir, 'late.json') }))
      .rejects.toThrow(`window ${time(windowStart(0))}_${time(windowStart(1))} is missing`);
  });

  test('restores every point into a new time series table; verify-restore finds it equal to the backup and the source', async () => {
    await exportWindow(0);
    const to = time(windowStart(3));
    const result = await restoreFromBackup({ ...ctx(), to, target: 'metrics_restored', statePath: join(dir, 'state.json') });
    expect(result).toMatchObject({ snapshot: null, windows: [0, 1, 2].map((k) => `${time(windowStart(k))}_${time(windowStart(k + 1))}`), gaps: [], rowsWritten: 5 });
    const restored = await scanPoints(client, 'metrics_restored');
    expect(restored.map((r) => [r.key.map((k) => String(k.value)).join(' '), Object.fromEntries(r.columns.map((c) => [c.name, c.value]))])).toEqual(
      expect.arrayContaining([
        ['cpu host2 ["az=b","region=hz"] 1000000', { usage: 1.5, cores: 8n, note: 'd' }],
        ['cpu host1 ["az=b","region=hz"] 1000000', { usage: 0.5, cores: 8n, note: 'a' }],
        ['cpu host1 ["az=b","region=hz"] 2000000', { usage: 0.75, cores: 8n, note: 'c' }],
        ['cpu host3 ["az=b","region=hz"] 3000000', { usage: 2, cores: 8n, note: 'e' }],
      ]),
    );
    expect(restored).toHaveLength(4);
    for (const against of ['backup', 'source'] as const) {
      const v = await verifyRestoredTable({ ...ctx(), to, target: 'metrics_restored', against });
      expect(v).toMatchObject({ ok: true, expectedRows: 4, actualRows: 4, differenceCount: 0 });
    }
  });

  test('a restore stopped halfway resumes from its state file and ends equal to the backup', async () => {
    const to = time(windowStart(3));
    const statePath = join(dir, 'resume.json');
    const stop = new AbortController();
    let windowsSeen = 0;
    await expect(restoreFromBackup({
      ...ctx(), to, target: 'metrics_resumed', statePath, signal: stop.signal,
      progress: { update: (p) => { if (p.phase === 'window' && ++windowsSeen === 2) stop.abort(); }, end: () => undefined },
    })).rejects.toThrow(/stopped/);
    const resumed = await restoreFromBackup({ ...ctx(), to, target: 'metrics_resumed', statePath });
    // Windows 0 and 1 were applied before the stop: the rerun replays window 2 alone (its two points).
    expect(resumed).toMatchObject({ resumed: true, rowsWritten: 2 });
    const v = await verifyRestoredTable({ ...ctx(), to, target: 'metrics_resumed', against: 'backup' });
    expect(v).toMatchObject({ ok: true, expectedRows: 4, actualRows: 4 });
  });

  test('verify-restore names a point that differs', async () => {
    await client.putTimeseriesData('metrics_restored', [point('host9', 9_000_000, 9, 'extra')]);
    const v = await verifyRestoredTable({ ...ctx(), to: time(windowStart(3)), target: 'metrics_restored', against: 'backup' });
    expect(v).toMatchObject({ ok: false, differenceCount: 1, differences: [{ problem: 'not expected in target', key: { _m_name: 'cpu', _data_source: 'host9' } }] });
  });

  test('a snapshot is the baseline: restore loads it and replays only the windows since its start', async () => {
    // Under another prefix: the snapshot, taken ten minutes into window 2, and window 2 alone.
    const snap = { ...config, oss: { ...config.oss, prefix: 'snap' } };
    const to = time(windowStart(3));
    await expect(restoreFromBackup({ ...ctx(), config: snap, to, target: 'metrics_snap', statePath: join(dir, 'snap.json') })).rejects.toThrow(/is missing/);
    const taken = await snapshotTable({ ...ctx(), config: snap, now: () => windowStart(2) + 10 * 60_000, pageRows: 2 });
    expect(taken.manifest).toMatchObject({ rows: 4, schema: { primaryKey: [{ name: '_m_name' }, { name: '_data_source' }, { name: '_tags' }, { name: '_time' }] } });
    expect(taken.manifest.parts.length).toBeGreaterThan(1);
    await runWindow({ ...ctx(), config: snap, startTime: time(windowStart(2)), endTime: to });
    const result = await restoreFromBackup({ ...ctx(), config: snap, to, target: 'metrics_snap', statePath: join(dir, 'snap.json') });
    expect(result).toMatchObject({ snapshot: { startTime: taken.manifest.startTime, rows: 4 }, windows: [`${time(windowStart(2))}_${to}`], gaps: [], rowsWritten: 6 });
    for (const against of ['backup', 'source'] as const) {
      const v = await verifyRestoredTable({ ...ctx(), config: snap, to, target: 'metrics_snap', against });
      expect(v).toMatchObject({ ok: true, expectedRows: 4, actualRows: 4, differenceCount: 0 });
    }
  });

  test('restores from Data Integration CSV windows (headerless, the raw _tags text, no _op)', async () => {
    // What the DI Stream reader's row mode writes for these points: one object per window under its own prefix.
    const di = { ...config, oss: { ...config.oss, prefix: 'di' } };
    const tags = '"[""az=b"",""region=hz""]"';
    const lines = [
      [`cpu,host1,${tags},1000000,0.5,8,a`, `cpu,host2,${tags},1000000,0.25,8,"b, ""quoted"""`],
      [`cpu,host1,${tags},2000000,0.75,8,c`],
      [`cpu,host2,${tags},1000000,1.5,8,d`, `cpu,host3,${tags},3000000,2,8,e`],
    ];
    lines.forEach((l, k) => sb.oss.putObject(`di/metrics/${time(windowStart(k))}_${time(windowStart(k + 1))}.csv`, `${l.join('\n')}\n`));
    const to = time(windowStart(3));
    const result = await restoreFromBackup({ ...ctx(), config: di, to, target: 'metrics_di', statePath: join(dir, 'di.json') });
    expect(result).toMatchObject({ snapshot: null, gaps: [], rowsWritten: 5 });
    const v = await verifyRestoredTable({ ...ctx(), config: di, to, target: 'metrics_di', against: 'source' });
    expect(v).toMatchObject({ ok: true, expectedRows: 4, actualRows: 4, differenceCount: 0 });
  });
});
