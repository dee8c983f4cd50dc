/**
 * End to end (see terraform-harness.ts): a production environment deployed in the single-table layout, moved to the
 * per-table addresses and refused teardown; and the Streams of tables the stack adopts.
 */
import { resolvedTables, streamOwnersTableName } from '../../lib/config/tables';
import { syncDefinitionsForEnvironment } from '../../lib/dataworks/sync-definition';
import { SINGLE_TABLE_ADDRESSES } from '../../stacks/single-table-layout';
import { SyncNode, TableStream, TimeseriesTable } from '../../lib/constructs/managed';
import { PROJECT_ID } from '../ops/helpers';
import { config, describeIfTerraform, mutating, newStack, nodes, ok, sdk, streamDetails, TableStore, terraform, terraformHarness, timeseriesTtl } from './terraform-harness';

const h = terraformHarness();

// The two tests of this group run in order on one deployment (one init and apply fewer): the second tears down
// what the first moved.
describeIfTerraform('prod: migration from the single-table layout, then teardown', () => {
  beforeAll(() => h.startServers());
  afterAll(() => h.stopServers());
  let dir: string;
  let created: ReturnType<typeof nodes>;

  /** prod's managed objects at the single-table layout's construct ids, or at today's with the stack's moved blocks. */
  function synthLayout(layout: 'single-table' | 'per-table'): string {
    const env = config('prod');
    const { app, stack, dir } = newStack(h, env.name);
    const [data, series] = resolvedTables(env);
    const common = { environment: env.name, allowTeardown: env.allowTeardown, region: env.region, instanceName: data.instance.name };
    const single = layout === 'single-table';
    const stream = new TableStream(stack, single ? 'data-table-stream' : `stream-${data.backupName}`, {
      ...common, tableName: data.name, retentionHours: data.streamRetentionHours, streamOwnersTable: streamOwnersTableName(data.instance),
    });
    const timeseries = new TimeseriesTable(stack, single ? 'timeseries-table' : `timeseries-table-${series.backupName}`, {
      ...common, tableName: series.name, timeToLiveSeconds: series.timeToLiveSeconds ?? -1,
    });
    const [dataNode, seriesNode] = syncDefinitionsForEnvironment(env).map((definition, i) => new SyncNode(
      stack, single ? ['sync-node-data-table', 'sync-node-timeseries-table'][i] : `sync-node-${definition.table.backupName}`,
      { ...common, workspaceId: PROJECT_ID, definition, dependsOn: [stream.object.resource, timeseries.object.resource] },
    ));
    if (!single) {
      stream.object.resource.moveFromId(SINGLE_TABLE_ADDRESSES.dataTableStream);
      timeseries.object.resource.moveFromId(SINGLE_TABLE_ADDRESSES.timeseriesTable);
      dataNode.object.resource.moveFromId(SINGLE_TABLE_ADDRESSES.dataTableNode);
      seriesNode.object.resource.moveFromId(SINGLE_TABLE_ADDRESSES.timeseriesNode);
    }
    app.synth();
    return dir;
  }

  it('moves the deployed Stream, time series table and nodes to their per-table addresses without touching them', async () => {
    dir = synthLayout('single-table');
    await ok(h, dir, ['init']);
    await ok(h, dir, ['apply', '-auto-approve']);
    expect(nodes(h).map(n => n.deployed)).toEqual([true, true]);
    const before = mutating(h);
    created = nodes(h);

    synthLayout('per-table');
    const plan = await ok(h, dir, ['plan']);
    for (const from of Object.values(SINGLE_TABLE_ADDRESSES).filter(a => a.startsWith('terraform_data.'))) {
      expect(plan).toContain(`# ${from.replace(/^(terraform_data\.[^ ]+)$/, '$1[0]')} has moved to`);
    }
    expect(plan).toContain('Plan: 0 to add, 0 to change, 0 to destroy.');
    await ok(h, dir, ['apply', '-auto-approve']);
    expect(mutating(h)).toBe(before);
    expect(nodes(h)).toEqual(created);
    expect((await terraform(h, dir, ['plan', '-detailed-exitcode'])).code).toBe(0);
  });

  it('destroy is refused and changes nothing until OTSBK_ALLOW_TEARDOWN=prod', async () => {
    expect(nodes(h).map(n => n.deployed)).toEqual([true, true]);
    const refused = await terraform(h, dir, ['destroy', '-auto-approve']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/refusing to delete sync node otsbk_prd_sync_device_readings: environment "prod" does not allow teardown/);
    expect(nodes(h)).toEqual(created);
    expect((await streamDetails(h)).enableStream).toBe(true);
    expect(await timeseriesTtl(h)).toBe(-1);
    // Terraform still owns everything: the next plan has nothing to do.
    expect((await terraform(h, dir, ['plan', '-detailed-exitcode'])).code).toBe(0);

    await ok(h, dir, ['destroy', '-auto-approve'], { OTSBK_ALLOW_TEARDOWN: 'prod' });
    expect(nodes(h)).toEqual([]);
    expect((await streamDetails(h))?.enableStream ?? false).toBe(false);
    expect(await timeseriesTtl(h)).toBeUndefined();
  });
});

describeIfTerraform('terraform lifecycle on adopted tables', () => {
  beforeEach(() => h.startServers());
  afterEach(() => h.stopServers());
  // Two production tables the stack does not own: `orders` holds rows and has no Stream, `customers` has a Stream
  // its owner enabled. Only their Streams are managed, as the stack does for referenced tables.
  const putRow = (table: string, id: string) => sdk(h.tablestore).putRow({
    tableName: table, condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
    primaryKey: [{ id }], attributeColumns: [{ note: `row ${id}` }],
  });
  const rowIds = async (table: string): Promise<string[]> => {
    const got = await sdk(h.tablestore).getRange({
      tableName: table, direction: 'FORWARD', maxVersions: 1,
      inclusiveStartPrimaryKey: [{ id: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
    });
    return (got.rows as Array<{ primaryKey: Array<{ value: string }> }>).map(r => r.primaryKey[0].value);
  };
  const details = async (table: string) => (await sdk(h.tablestore).describeTable({ tableName: table })).streamDetails;

  function synthAdopted(): string {
    const { app, stack, dir } = newStack(h, 'adopted');
    for (const table of ['orders', 'customers']) {
      new TableStream(stack, `stream-${table}`, {
        environment: 'dev', allowTeardown: true, region: 'cn-hangzhou', instanceName: 'otsbk-dev', tableName: table, retentionHours: 24,
        streamOwnersTable: 'otsbk_sync_status_stream_owners',
      });
    }
    app.synth();
    return dir;
  }

  it('enables the Stream of a table with rows, keeps the owner\'s Stream, and destroy leaves both tables, their rows and the owner\'s Stream', async () => {
    for (const [table, stream] of [['orders', undefined], ['customers', { enableStream: true, expirationTime: 48 }]] as const) {
      await sdk(h.tablestore).createTable({
        tableMeta: { tableName: table, primaryKey: [{ name: 'id', type: 'STRING' }] },
        reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
        tableOptions: { timeToLive: -1, maxVersions: 1 },
        ...(stream ? { streamSpecification: stream } : {}),
      });
      for (const id of ['a', 'b', 'c']) await putRow(table, id);
    }
    const ownersStream = (await details('customers')).streamId;

    const dir = synthAdopted();
    await ok(h, dir, ['init']);
    await ok(h, dir, ['apply', '-auto-approve']);
    expect(await details('orders')).toMatchObject({ enableStream: true, expirationTime: 24 });
    expect(await details('customers')).toMatchObject({ enableStream: true, expirationTime: 24, streamId: ownersStream });
    expect(await rowIds('orders')).toEqual(['a', 'b', 'c']);

    await ok(h, dir, ['destroy', '-auto-approve']);
    // The Stream this stack enabled is disabled; the owner's Stream, both tables and every row stay.
    expect((await details('orders'))?.enableStream ?? false).toBe(false);
    expect(await details('customers')).toMatchObject({ enableStream: true, streamId: ownersStream });
    expect(await rowIds('orders')).toEqual(['a', 'b', 'c']);
    expect(await rowIds('customers')).toEqual(['a', 'b', 'c']);
    expect(h.tablestore.stats.requests.DeleteTable ?? 0).toBe(0);
  });
});
