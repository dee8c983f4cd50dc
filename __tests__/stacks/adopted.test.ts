/**
 * The main way the product is used: back up tables that already exist. One environment with three wide-column
 * and two time series tables in two instances; one instance, two tables and the bucket imported, one table
 * referenced. Synthesized through the same path as the shipped environments.
 */
import { checkConformance, formatViolations, loadAlicloudSchema } from '../../lib/bindings/conformance';
import { projectConfig } from '../../lib/config/environments';
import { EnvironmentConfig, ProjectConfig } from '../../lib/config/types';
import { resourcesOf, StackJson, synthEnvironment } from './synth';
import { resolveReferences } from '../support/terraform-json';

const prod = projectConfig.environments.find(e => e.name === 'prod')!;

/** What a user adds to back up their production tables: existing instance `acme-orders` and bucket, one referenced instance. */
export const adopted: EnvironmentConfig = {
  ...prod,
  name: 'adopt',
  namePrefix: 'otsbk-adp',
  tags: { ...prod.tags, environment: 'adopt' },
  movedFromSingleTableLayout: false,
  bucket: { ...prod.bucket, name: 'acme-prod-backups', adopt: 'import' },
  tablestore: {
    instances: [
      { name: 'acme-orders', adopt: 'import', instanceType: 'HighPerformance', accessedBy: 'Vpc', statusTableName: 'otsbk_status', dataSourceName: 'otsbk_adp_orders' },
      { name: 'acme-iot', adopt: 'reference', statusTableName: 'otsbk_status', dataSourceName: 'otsbk_adp_iot' },
    ],
    tables: [
      {
        kind: 'wide-column', name: 'orders', adopt: 'import', timeToLiveSeconds: -1,
        primaryKey: [{ name: 'order_id', type: 'String' }],
        definedColumns: [{ name: 'customer_id', type: 'String' }, { name: 'total', type: 'Double' }, { name: 'status', type: 'String' }],
      },
      {
        kind: 'wide-column', name: 'customers', adopt: 'import', timeToLiveSeconds: -1, maxVersions: 1,
        primaryKey: [{ name: 'customer_id', type: 'String' }],
        definedColumns: [{ name: 'name', type: 'String' }, { name: 'email', type: 'String' }],
        exportColumns: [{ name: 'customer_id' }, { name: 'name' }],
      },
      {
        kind: 'wide-column', name: 'devices', instance: 'acme-iot', adopt: 'reference',
        primaryKey: [{ name: 'device_id', type: 'String' }, { name: 'ts', type: 'Integer' }],
        definedColumns: [{ name: 'firmware', type: 'String' }],
        streamRetentionHours: 72,
      },
      { kind: 'timeseries', name: 'device_metrics', instance: 'acme-iot', fields: [{ name: 'value', type: 'Double' }] },
      { kind: 'timeseries', name: 'order_events', schedule: { cron: '00 30 01 * * ?' }, timeToLiveSeconds: 90 * 86400 },
    ],
    streamRetentionHours: 168,
  },
  dataworks: { ...prod.dataworks, workspace: { existing: { id: '204873', identifier: 'otsbk_adopt' } }, ossDataSourceName: 'otsbk_adp_oss' },
  state: { ...prod.state, prefix: 'env/adopt', lockTableName: 'terraform_lock_adopt' },
};

const config: ProjectConfig = { ...projectConfig, environments: [...projectConfig.environments, adopted] };
const stack = synthEnvironment('adopt', config) as StackJson & { import?: Array<{ id: string; to: string }> };
const addressOf = (type: string, predicate: (r: Record<string, unknown>) => boolean): string => {
  const entry = Object.entries(stack.resource?.[type] ?? {}).find(([, r]) => predicate(r));
  if (!entry) throw new Error(`no ${type} matches`);
  return `${type}.${entry[0]}`;
};

describe('an environment that adopts existing instances, tables and bucket', () => {
  it('matches its reviewed snapshot', () => {
    expect(stack).toMatchSnapshot();
  });

  it('uses only attributes and blocks of the pinned alicloud provider schema', () => {
    expect(formatViolations(checkConformance(stack, loadAlicloudSchema()))).toBe(formatViolations([]));
  });

  it('imports the instance, the two tables and the bucket with the ids the provider documents, and nothing else', () => {
    const bucket = (type: string) => addressOf(type, r => r.bucket === 'acme-prod-backups' || r.bucket === '${alicloud_oss_bucket.backup-bucket_FA4F306F.bucket}');
    expect([...stack.import!].sort((a, b) => a.to.localeCompare(b.to))).toEqual([
      { id: 'acme-prod-backups', to: bucket('alicloud_oss_bucket') },
      { id: 'acme-prod-backups', to: bucket('alicloud_oss_bucket_acl') },
      { id: 'acme-prod-backups', to: bucket('alicloud_oss_bucket_policy') },
      { id: 'acme-prod-backups', to: bucket('alicloud_oss_bucket_public_access_block') },
      { id: 'acme-orders', to: addressOf('alicloud_ots_instance', r => r.name === 'acme-orders') },
      { id: 'acme-orders:customers', to: addressOf('alicloud_ots_table', r => r.table_name === 'customers') },
      { id: 'acme-orders:orders', to: addressOf('alicloud_ots_table', r => r.table_name === 'orders') },
    ].sort((a, b) => a.to.localeCompare(b.to)));
  });

  it('protects what it imports, never declares what it references, and keeps force_destroy off the imported bucket', () => {
    expect(resourcesOf(stack, 'alicloud_ots_instance')).toEqual([expect.objectContaining({ name: 'acme-orders', lifecycle: { prevent_destroy: true } })]);
    const tables = resourcesOf(stack, 'alicloud_ots_table');
    expect(tables.map(t => [t.instance_name, t.table_name]).sort()).toEqual([
      ['${alicloud_ots_instance.tablestore_instance-acme-orders_189784F6.name}', 'customers'],
      ['${alicloud_ots_instance.tablestore_instance-acme-orders_189784F6.name}', 'orders'],
      ['${alicloud_ots_instance.tablestore_instance-acme-orders_189784F6.name}', 'otsbk_status'],
      ['${alicloud_ots_instance.tablestore_instance-acme-orders_189784F6.name}', 'otsbk_status_stream_owners'],
      ['acme-iot', 'otsbk_status'],
      ['acme-iot', 'otsbk_status_stream_owners'],
    ]);
    for (const name of ['orders', 'customers']) expect(tables.find(t => t.table_name === name)!.lifecycle).toEqual({ prevent_destroy: true });
    expect(tables.some(t => t.table_name === 'devices')).toBe(false);
    expect(resourcesOf(stack, 'alicloud_oss_bucket')).toEqual([expect.objectContaining({ force_destroy: false, lifecycle: { prevent_destroy: true } })]);
  });

  it('grants the sync stream reads on exactly the five tables and checkpoints on the two status tables', () => {
    const raw = resourcesOf(stack, 'alicloud_ram_policy')[0].policy_document as string;
    // Imported tables and the status tables are named through their resources; the referenced instance acme-iot has
    // no resource, so its tables keep their configured names.
    expect(raw).toContain('instance/${lower(alicloud_ots_table.tablestore_table-acme-orders-orders_01EDA82C.instance_name)}/table/${alicloud_ots_table.tablestore_table-acme-orders-orders_01EDA82C.table_name}');
    expect(raw).toContain('instance/acme-iot/table/devices');
    expect(raw).toContain(':${alicloud_oss_bucket.backup-bucket_FA4F306F.bucket}/tablestore-export/*');
    const doc = JSON.parse(resolveReferences(stack, raw)) as { Statement: Array<{ Action: string[]; Resource: string[] }> };
    const ots = (s: { Resource: string[] }) => s.Resource.filter(r => r.startsWith('acs:ots:')).sort();
    const account = '${data.alicloud_account.account.id}';
    const arn = (instance: string, table: string) => `acs:ots:cn-beijing:${account}:instance/${instance}/table/${table}`;
    const streamRead = doc.Statement.filter(s => s.Action.includes('ots:GetStreamRecord'));
    expect(streamRead.flatMap(ots).sort()).toEqual([
      arn('acme-iot', 'device_metrics'), arn('acme-iot', 'devices'),
      arn('acme-orders', 'customers'), arn('acme-orders', 'order_events'), arn('acme-orders', 'orders'),
    ]);
    const checkpoints = doc.Statement.filter(s => s.Action.includes('ots:PutRow'));
    expect(checkpoints.flatMap(ots).sort()).toEqual([arn('acme-iot', 'otsbk_status'), arn('acme-orders', 'otsbk_status')]);
  });

  it('deploys one node per table, a Stream per wide-column table and the time series tables it creates', () => {
    const managed = resourcesOf(stack, 'terraform_data').map(r => r.triggers_replace as Record<string, unknown>);
    const of = (kind: string) => managed.filter(m => m.kind === kind);
    expect(of('sync-node').map(m => m.nodeName).sort()).toEqual([
      'otsbk_adp_sync_customers', 'otsbk_adp_sync_device_metrics', 'otsbk_adp_sync_devices', 'otsbk_adp_sync_order_events', 'otsbk_adp_sync_orders',
    ]);
    expect(of('table-stream').map(m => [m.instanceName, m.tableName, m.retentionHours]).sort()).toEqual([
      ['acme-iot', 'devices', 72], ['acme-orders', 'customers', 168], ['acme-orders', 'orders', 168],
    ]);
    expect(of('timeseries-table').map(m => [m.instanceName, m.tableName, m.timeToLiveSeconds]).sort()).toEqual([
      ['acme-iot', 'device_metrics', -1], ['acme-orders', 'order_events', 7776000],
    ]);
    // Each node reads through its instance's data source and writes under its own prefix.
    const jobs = of('sync-node').map(m => JSON.parse(((m.flowSpec as { spec: { nodes: Array<{ script: { content: string } }> } }).spec.nodes[0].script.content).replace(/\$\$\{/g, '${')));
    const devices = jobs.find(j => j.steps[0].parameter.dataTable === 'devices');
    expect(devices.steps[0].parameter).toMatchObject({ datasource: 'otsbk_adp_iot', statusTable: 'otsbk_status' });
    expect(devices.steps[1].parameter.object).toBe('tablestore-export/devices/${startTime}_${endTime}.csv');
    const customers = jobs.find(j => j.steps[0].parameter.dataTable === 'customers');
    expect(customers.steps[0].parameter.column).toEqual([{ name: 'customer_id' }, { name: 'name' }]);
    const orders = jobs.find(j => j.steps[0].parameter.dataTable === 'orders');
    expect(orders.steps[0].parameter.column.map((c: { name: string }) => c.name)).toEqual(['order_id', 'customer_id', 'total', 'status']);
  });
});

describe('the README example: two production tables of an existing instance into an existing bucket', () => {
  // Keep in step with README.md, "Back up existing tables".
  const example: EnvironmentConfig = {
    ...prod,
    name: 'orders',
    namePrefix: 'otsbk-ord',
    movedFromSingleTableLayout: false,
    bucket: {
      name: 'acme-prod-backups', exportPrefix: 'tablestore-export', adopt: 'import',
      lifecycle: { noncurrentVersionExpireDays: 30, abortMultipartUploadDays: 7 },
    },
    tablestore: {
      instances: [{
        name: 'acme-orders', adopt: 'import', instanceType: 'HighPerformance', accessedBy: 'Vpc',
        statusTableName: 'otsbk_status', dataSourceName: 'acme_orders_ots',
      }],
      tables: [
        {
          kind: 'wide-column', name: 'orders', adopt: 'import', timeToLiveSeconds: -1,
          primaryKey: [{ name: 'order_id', type: 'String' }], definedColumns: [{ name: 'total', type: 'Double' }, { name: 'status', type: 'String' }],
        },
        { kind: 'wide-column', name: 'customers', adopt: 'import', timeToLiveSeconds: -1, primaryKey: [{ name: 'customer_id', type: 'String' }] },
      ],
      streamRetentionHours: 168,
    },
    dataworks: { ...prod.dataworks, workspace: { existing: { id: '204874', identifier: 'acme_prod' } }, ossDataSourceName: 'acme_backup_oss' },
    state: { ...prod.state, prefix: 'env/orders', lockTableName: 'terraform_lock_orders' },
  };
  const synthesized = synthEnvironment('orders', { ...projectConfig, environments: [...projectConfig.environments, example] }) as StackJson & { import?: Array<{ id: string; to: string }> };

  it('imports seven resources and adds only what the backup needs', () => {
    const imported = new Set(synthesized.import!.map(i => i.to));
    expect(imported.size).toBe(7);
    const all = Object.entries(synthesized.resource ?? {}).flatMap(([type, rs]) => Object.keys(rs).map(k => `${type}.${k}`));
    const added = all.filter(a => !imported.has(a)).map(a => a.replace(/_[0-9A-F]{8}$/, '')).sort();
    expect(added).toMatchSnapshot();
  });
});
