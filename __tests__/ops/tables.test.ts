import { OperationSettings, TableStreamSpec, TimeseriesTableSpec } from '../../lib/ops';
import { startTablestoreSandbox, TablestoreSandbox } from '../../lib/sandbox/tablestore';
import { TablestoreStreamClient } from '../../lib/tablestore';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, ops } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const TableStore = require('tablestore');

const INSTANCE = 'otsbk-dev';
const devSettings: OperationSettings = { environment: 'dev', allowTeardown: true };
const prodSettings: OperationSettings = { environment: 'prod', allowTeardown: false };

let sandbox: TablestoreSandbox;
beforeEach(async () => {
  sandbox = await startTablestoreSandbox({ instanceName: INSTANCE, accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
});
afterEach(() => sandbox.close());

const sdk = () => new TableStore.Client({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: ACCESS_KEY_SECRET, endpoint: sandbox.endpoint, instancename: INSTANCE, maxRetries: 0 });
const requests = (operation: string) => sandbox.stats.requests[operation] ?? 0;

describe('table Stream lifecycle: create → no-op → update → destroy → recreate', () => {
  const stream = (retentionHours: number): TableStreamSpec => ({ kind: 'table-stream', region: 'cn-hangzhou', instanceName: INSTANCE, tableName: 'device_readings', retentionHours });
  const OWNERS = 'otsbk_sync_status_stream_owners';
  const run = (op: string, spec: TableStreamSpec, settings: OperationSettings = devSettings, env?: Record<string, string>, owner = 'owner-1') =>
    ops(op, 'table-stream', spec, { ...settings, streamOwnersTable: OWNERS }, owner, { tablestore: sandbox.endpoint }, env);
  const live = async () => (await sdk().describeTable({ tableName: 'device_readings' })).streamDetails;

  beforeEach(async () => {
    await sdk().createTable({
      tableMeta: { tableName: 'device_readings', primaryKey: [{ name: 'device_id', type: 'STRING' }, { name: 'ts', type: 'INTEGER' }] },
      reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
      tableOptions: { timeToLive: -1, maxVersions: 1 },
    });
    await sdk().createTable({
      tableMeta: { tableName: OWNERS, primaryKey: [{ name: 'table_name', type: 'STRING' }, { name: 'stream_id', type: 'STRING' }] },
      reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
      tableOptions: { timeToLive: -1, maxVersions: 1 },
    });
  });

  it('enables, keeps in step in place, and disables the Stream', async () => {
    let r = await run('apply', stream(24));
    expect(r.code).toBe(0);
    let d = await live();
    expect(d.enableStream).toBe(true);
    expect(d.expirationTime).toBe(24);
    const firstStreamId = d.streamId;

    const updates = requests('UpdateTable');
    r = await run('apply', stream(24));
    expect(r.code).toBe(0);
    expect(requests('UpdateTable')).toBe(updates);

    // Retention change: the replacement's apply changes it in place (same stream, no records lost) and takes it over ...
    expect((await run('apply', stream(72), devSettings, undefined, 'owner-2')).code).toBe(0);
    d = await live();
    expect([d.enableStream, d.expirationTime, d.streamId]).toEqual([true, 72, firstStreamId]);
    // ... and the old object's destroy finds another owner and leaves the Stream on.
    r = await run('destroy', stream(24));
    expect(r.code).toBe(0);
    expect(r.lines.join('\n')).toContain('leaving it enabled');
    expect((await live()).enableStream).toBe(true);

    expect((await run('destroy', stream(72), devSettings, undefined, 'owner-2')).code).toBe(0);
    expect((await live())?.enableStream ?? false).toBe(false);
    expect((await run('destroy', stream(72), devSettings, undefined, 'owner-2')).code).toBe(0);

    expect((await run('apply', stream(72))).code).toBe(0);
    d = await live();
    expect(d.enableStream).toBe(true);
    expect(d.streamId).not.toBe(firstStreamId);
    // The table's own options were sent back unchanged.
    expect((await sdk().describeTable({ tableName: 'device_readings' })).tableOptions).toMatchObject({ timeToLive: -1, maxVersions: 1 });
  });

  it('rides out throttling, 5xx and a dropped connection', async () => {
    sandbox.faults.throttle(2, { operations: ['DescribeTable'] });
    sandbox.faults.serverError(1, { operations: ['UpdateTable'] });
    sandbox.faults.dropConnection(1, { operations: ['UpdateTable'] });
    const r = await run('apply', stream(48));
    expect(r.code).toBe(0);
    expect((await live()).expirationTime).toBe(48);
    sandbox.faults.dropConnection(1, { operations: ['UpdateTable'] });
    expect((await run('destroy', stream(48))).code).toBe(0);
    expect((await live())?.enableStream ?? false).toBe(false);
  });

  it('prod refuses to disable the Stream unless OTSBK_ALLOW_TEARDOWN names it', async () => {
    expect((await run('apply', stream(168), prodSettings)).code).toBe(0);
    const refused = await run('destroy', stream(168), prodSettings);
    expect(refused.code).toBe(1);
    expect(refused.lines.join('\n')).toContain('refusing to delete the Stream of table device_readings of instance otsbk-dev');
    expect((await live()).enableStream).toBe(true);
    expect((await run('destroy', stream(168), prodSettings, { OTSBK_ALLOW_TEARDOWN: 'prod' })).code).toBe(0);
    expect((await live())?.enableStream ?? false).toBe(false);
  });

  it('says so when the table does not exist', async () => {
    const r = await run('apply', { ...stream(24), tableName: 'missing_table' });
    expect(r.code).toBe(1);
    expect(r.lines.join('\n')).toContain('table missing_table of instance otsbk-dev does not exist; the Stream can only be enabled on an existing table');
  });
});

describe('time series table lifecycle: create → no-op → update → destroy → recreate', () => {
  const table = (timeToLiveSeconds: number): TimeseriesTableSpec => ({ kind: 'timeseries-table', region: 'cn-hangzhou', instanceName: INSTANCE, tableName: 'device_metrics', timeToLiveSeconds });
  const run = (op: string, spec: TimeseriesTableSpec, settings: OperationSettings = devSettings, env?: Record<string, string>) =>
    ops(op, 'timeseries-table', spec, settings, 'owner', { tablestore: sandbox.endpoint }, env);
  const client = () => new TablestoreStreamClient({ endpoint: sandbox.endpoint, instanceName: INSTANCE, credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }, retry: { attempts: 1 } });
  const ttl = async () => {
    const c = client();
    try {
      return (await c.listTimeseriesTable()).find(t => t.tableName === 'device_metrics')?.timeToLiveSeconds;
    } finally {
      c.close();
    }
  };

  it('creates, updates the TTL in place, and deletes the table', async () => {
    expect((await run('apply', table(-1))).code).toBe(0);
    expect(await ttl()).toBe(-1);
    const writes = requests('CreateTimeseriesTable') + requests('UpdateTimeseriesTable');
    expect((await run('apply', table(-1))).code).toBe(0);
    expect(requests('CreateTimeseriesTable') + requests('UpdateTimeseriesTable')).toBe(writes);

    expect((await run('apply', table(30 * 86400))).code).toBe(0);
    expect(await ttl()).toBe(30 * 86400);
    const old = await run('destroy', table(-1));
    expect(old.code).toBe(0);
    expect(old.lines.join('\n')).toContain('leaving it');
    expect(await ttl()).toBe(30 * 86400);

    expect((await run('destroy', table(30 * 86400))).code).toBe(0);
    expect(await ttl()).toBeUndefined();
    expect((await run('destroy', table(30 * 86400))).code).toBe(0);
    expect((await run('apply', table(30 * 86400))).code).toBe(0);
    expect(await ttl()).toBe(30 * 86400);
  });

  it('rides out throttling, 5xx and dropped connections on create and delete', async () => {
    sandbox.faults.throttle(1, { operations: ['DescribeTimeseriesTable'] });
    sandbox.faults.dropConnection(1, { operations: ['CreateTimeseriesTable'] });
    expect((await run('apply', table(86400))).code).toBe(0);
    expect(await ttl()).toBe(86400);
    sandbox.faults.serverError(1, { operations: ['DeleteTimeseriesTable'] });
    sandbox.faults.dropConnection(1, { operations: ['DeleteTimeseriesTable'] });
    expect((await run('destroy', table(86400))).code).toBe(0);
    expect(await ttl()).toBeUndefined();
  });

  it('prod refuses to delete the table unless OTSBK_ALLOW_TEARDOWN names it', async () => {
    expect((await run('apply', table(-1), prodSettings)).code).toBe(0);
    const refused = await run('destroy', table(-1), prodSettings);
    expect(refused.code).toBe(1);
    expect(refused.lines.join('\n')).toContain('refusing to delete time series table device_metrics of instance otsbk-dev and all its data');
    expect(await ttl()).toBe(-1);
    expect((await run('destroy', table(-1), prodSettings, { OTSBK_ALLOW_TEARDOWN: 'prod' })).code).toBe(0);
    expect(await ttl()).toBeUndefined();
  });
});
