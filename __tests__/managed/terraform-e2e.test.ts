/**
 * End to end: real `terraform apply` / `plan` / `destroy` on a synthesized stack holding only the managed objects,
 * whose provisioners run the bundled operations command against the loopback DataWorks and Tablestore servers.
 * terraform_data is built into Terraform, so nothing is downloaded (TF_CLI_CONFIG_FILE=/dev/null, no network).
 * Skipped when no terraform binary is on PATH.
 */
import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { buildSync } from 'esbuild';
import { EnvironmentConfig } from '../../lib/config/types';
import { resolvedTables, streamOwnersTableName } from '../../lib/config/tables';
import { syncDefinitionsForEnvironment } from '../../lib/dataworks/sync-definition';
import { SINGLE_TABLE_ADDRESSES } from '../../stacks/backup-stack';
import { SyncNode, TableStream, TimeseriesTable } from '../../lib/constructs/managed';
import { DataWorksSandbox, startDataWorksSandbox } from '../../lib/sandbox/dataworks';
import { startTablestoreSandbox, TablestoreSandbox } from '../../lib/sandbox/tablestore';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, createProviderTables, environment, PROJECT_ID, syncNodeSpec } from '../ops/helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const TableStore = require('tablestore');

const terraformAvailable = spawnSync('terraform', ['version'], { env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } }).status === 0;
const describeIfTerraform = terraformAvailable ? describe : describe.skip;

let root: string;
let dataworks: DataWorksSandbox;
let tablestore: TablestoreSandbox;

beforeAll(() => {
  if (!terraformAvailable) return;
  root = mkdtempSync(path.join(tmpdir(), 'otsbk-managed-e2e-'));
  // The layout `cdktf deploy` uses: Terraform runs in <root>/cdktf.out/stacks/<env>, the command is <root>/dist/ops.js.
  buildSync({ entryPoints: [path.join(__dirname, '../../lib/ops/main.ts')], bundle: true, platform: 'node', target: 'node20', outfile: path.join(root, 'dist/ops.js'), logLevel: 'error' });
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

beforeEach(async () => {
  if (!terraformAvailable) return;
  dataworks = await startDataWorksSandbox({ credentials: [{ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }], projects: [{ id: PROJECT_ID, identifier: 'ws' }] });
  tablestore = await startTablestoreSandbox({ instanceName: 'otsbk-dev', accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
  await createProviderTables(sdk());
});
afterEach(async () => {
  if (!terraformAvailable) return;
  await dataworks.close();
  await tablestore.close();
});

const sdk = () => new TableStore.Client({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: ACCESS_KEY_SECRET, endpoint: tablestore.endpoint, instancename: 'otsbk-dev', maxRetries: 0 });

/** The environment under test: dev's tables and schedule, on the sandbox instance, with the DI engine. */
function config(name: 'dev' | 'prod', changes: { retention?: number; ttl?: number; rerunTimes?: number } = {}): EnvironmentConfig {
  const base = environment(name);
  return {
    ...base,
    engine: 'data-integration',
    exportFormat: { ...base.exportFormat, compression: 'none' },
    schedule: { ...base.schedule, rerunTimes: changes.rerunTimes ?? base.schedule.rerunTimes },
    tablestore: {
      ...base.tablestore,
      instances: [{ ...base.tablestore.instances[0], name: 'otsbk-dev' }],
      streamRetentionHours: changes.retention ?? 24,
      tables: environment('dev').tablestore.tables.map(t => (t.kind === 'timeseries' ? { ...t, timeToLiveSeconds: changes.ttl ?? -1 } : t)),
    },
  };
}

/**
 * An app writing where `cdktf deploy` would. cdktf's own validations are skipped: the only ones these stacks get are
 * a `terraform version` check per terraform_data resource (a shell and a terraform process each, 24 in this file),
 * and the real terraform below refuses what that check would.
 */
const newApp = (): App => new App({ outdir: path.join(root, 'cdktf.out'), skipValidation: true });

function synth(env: EnvironmentConfig): string {
  const app = newApp();
  const stack = new TerraformStack(app, env.name);
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  const tables = resolvedTables(env);
  const data = tables.find(t => t.kind === 'wide-column')!;
  const series = tables.find(t => t.kind === 'timeseries')!;
  const common = { environment: env.name, allowTeardown: env.allowTeardown, region: env.region, instanceName: data.instance.name };
  const stream = new TableStream(stack, 'data-table-stream', { ...common, tableName: data.name, retentionHours: data.streamRetentionHours, streamOwnersTable: streamOwnersTableName(data.instance) });
  const timeseries = new TimeseriesTable(stack, 'timeseries-table', { ...common, tableName: series.name, timeToLiveSeconds: series.timeToLiveSeconds ?? -1 });
  SyncNode.forEnvironment(stack, env, { workspaceId: PROJECT_ID, dependsOn: [stream.object.resource, timeseries.object.resource] });
  app.synth();
  return path.join(root, 'cdktf.out', 'stacks', env.name);
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: root,
    TF_CLI_CONFIG_FILE: '/dev/null',
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    OTSBK_DATAWORKS_ENDPOINT: dataworks.endpoint,
    OTSBK_TABLESTORE_ENDPOINT: tablestore.endpoint,
    OTSBK_RETRY_BASE_DELAY_MS: '1',
    OTSBK_DEPLOY_POLL_INTERVAL_MS: '0',
    OTSBK_TABLESTORE_CALL_TIMEOUT_MS: '2000',
    ...extra,
  };
}

function terraform(cwd: string, args: string[], extra: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise(resolve => {
    execFile('terraform', [...args, '-no-color', '-input=false'], { cwd, env: childEnv(extra), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

async function ok(cwd: string, args: string[], extra?: Record<string, string>): Promise<string> {
  const r = await terraform(cwd, args, extra);
  if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} exited ${r.code}:\n${r.output}`);
  return r.output;
}

const streamDetails = async () => (await sdk().describeTable({ tableName: 'device_readings' })).streamDetails;
const timeseriesTtl = () => listTimeseries();
async function listTimeseries(): Promise<number | undefined> {
  const { TablestoreStreamClient } = await import('../../lib/tablestore');
  const c = new TablestoreStreamClient({ endpoint: tablestore.endpoint, instanceName: 'otsbk-dev', credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }, retry: { attempts: 1 } });
  try {
    return (await c.listTimeseriesTable()).find(t => t.tableName === 'device_metrics')?.timeToLiveSeconds;
  } finally {
    c.close();
  }
}
// Terraform creates the two nodes in parallel: order them by name, not by creation.
const nodes = () => [...dataworks.state.nodes.values()]
  .map(n => ({ id: n.id.toString(), name: n.name, deployed: n.taskId !== undefined }))
  .sort((a, b) => b.name.localeCompare(a.name));
const mutating = () => dataworks.requests.filter(r => /^(Create|Update|Delete)/.test(r.action)).length + (tablestore.stats.requests.UpdateTable ?? 0)
  + (tablestore.stats.requests.CreateTimeseriesTable ?? 0) + (tablestore.stats.requests.UpdateTimeseriesTable ?? 0) + (tablestore.stats.requests.DeleteTimeseriesTable ?? 0);

describeIfTerraform('terraform lifecycle of the managed objects', () => {
  it('create → no-op → update in place → destroy → recreate', async () => {
    let dir = synth(config('dev'));
    await ok(dir, ['init']);
    await ok(dir, ['apply', '-auto-approve']);
    const created = nodes();
    expect(created.map(n => [n.name, n.deployed])).toEqual([['otsbk_dev_sync_device_readings', true], ['otsbk_dev_sync_device_metrics', true]]);
    const firstStream = await streamDetails();
    expect([firstStream.enableStream, firstStream.expirationTime]).toEqual([true, 24]);
    expect(await timeseriesTtl()).toBe(-1);

    // No change: the plan is empty and an apply runs nothing.
    expect((await terraform(dir, ['plan', '-detailed-exitcode'])).code).toBe(0);
    const before = mutating();
    expect(await ok(dir, ['apply', '-auto-approve'])).toContain('0 added, 0 changed, 0 destroyed');
    expect(mutating()).toBe(before);

    // Changed retention, TTL and schedule: replaced in Terraform, updated in place in the cloud.
    dir = synth(config('dev', { retention: 72, ttl: 30 * 86400, rerunTimes: 5 }));
    const out = await ok(dir, ['apply', '-auto-approve']);
    expect(out).toContain('4 added, 0 changed, 4 destroyed');
    expect(nodes().map(n => n.id)).toEqual(created.map(n => n.id));
    const updated = await streamDetails();
    expect([updated.enableStream, updated.expirationTime, updated.streamId]).toEqual([true, 72, firstStream.streamId]);
    expect(await timeseriesTtl()).toBe(30 * 86400);
    expect(dataworks.requests.filter(r => r.action === 'DeleteNode')).toHaveLength(0);
    expect(tablestore.stats.requests.DeleteTimeseriesTable ?? 0).toBe(0);
    const node = dataworks.state.nodeByName(PROJECT_ID, 'otsbk_dev_sync_device_readings')!;
    expect((node.spec.spec as { nodes: Array<{ rerunTimes: number }> }).nodes[0].rerunTimes).toBe(5);
    expect(node.deployedVersion).toBe(node.version);

    // Destroy removes all three kinds.
    await ok(dir, ['destroy', '-auto-approve']);
    expect(nodes()).toEqual([]);
    expect((await streamDetails())?.enableStream ?? false).toBe(false);
    expect(await timeseriesTtl()).toBeUndefined();

    // Recreate.
    await ok(dir, ['apply', '-auto-approve']);
    expect(nodes().map(n => n.deployed)).toEqual([true, true]);
    expect(nodes()[0].id).not.toBe(created[0].id);
    expect((await streamDetails()).enableStream).toBe(true);
    expect(await timeseriesTtl()).toBe(30 * 86400);
  });

  it('prod: destroy is refused and changes nothing until OTSBK_ALLOW_TEARDOWN=prod', async () => {
    const dir = synth(config('prod'));
    await ok(dir, ['init']);
    await ok(dir, ['apply', '-auto-approve']);
    expect(nodes().map(n => n.deployed)).toEqual([true, true]);

    const refused = await terraform(dir, ['destroy', '-auto-approve']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/refusing to delete sync node otsbk_prd_sync_device_readings: environment "prod" does not allow teardown/);
    expect(nodes().map(n => n.deployed)).toEqual([true, true]);
    expect((await streamDetails()).enableStream).toBe(true);
    expect(await timeseriesTtl()).toBe(-1);
    // Terraform still owns everything: the next plan has nothing to do.
    expect((await terraform(dir, ['plan', '-detailed-exitcode'])).code).toBe(0);

    await ok(dir, ['destroy', '-auto-approve'], { OTSBK_ALLOW_TEARDOWN: 'prod' });
    expect(nodes()).toEqual([]);
    expect((await streamDetails())?.enableStream ?? false).toBe(false);
    expect(await timeseriesTtl()).toBeUndefined();
  });
});

describeIfTerraform('migration from the single-table layout', () => {
  /** The managed objects at the single-table layout's construct ids, or at today's with the stack's moved blocks. */
  function synthLayout(layout: 'single-table' | 'per-table'): string {
    const env = config('dev');
    const app = newApp();
    const stack = new TerraformStack(app, env.name);
    new LocalBackend(stack, { path: 'terraform.tfstate' });
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
    return path.join(root, 'cdktf.out', 'stacks', env.name);
  }

  it('moves the deployed Stream, time series table and nodes to their per-table addresses without touching them', async () => {
    const dir = synthLayout('single-table');
    await ok(dir, ['init']);
    await ok(dir, ['apply', '-auto-approve']);
    const before = mutating();
    const created = nodes();

    synthLayout('per-table');
    const plan = await ok(dir, ['plan']);
    for (const from of Object.values(SINGLE_TABLE_ADDRESSES).filter(a => a.startsWith('terraform_data.'))) {
      expect(plan).toContain(`# ${from.replace(/^(terraform_data\.[^ ]+)$/, '$1[0]')} has moved to`);
    }
    expect(plan).toContain('Plan: 0 to add, 0 to change, 0 to destroy.');
    await ok(dir, ['apply', '-auto-approve']);
    expect(mutating()).toBe(before);
    expect(nodes()).toEqual(created);
    expect((await terraform(dir, ['plan', '-detailed-exitcode'])).code).toBe(0);
  });
});

describeIfTerraform('terraform lifecycle on adopted tables', () => {
  // Two production tables the stack does not own: `orders` holds rows and has no Stream, `customers` has a Stream
  // its owner enabled. Only their Streams are managed, as the stack does for referenced tables.
  const putRow = (table: string, id: string) => sdk().putRow({
    tableName: table, condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
    primaryKey: [{ id }], attributeColumns: [{ note: `row ${id}` }],
  });
  const rowIds = async (table: string): Promise<string[]> => {
    const got = await sdk().getRange({
      tableName: table, direction: 'FORWARD', maxVersions: 1,
      inclusiveStartPrimaryKey: [{ id: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
    });
    return (got.rows as Array<{ primaryKey: Array<{ value: string }> }>).map(r => r.primaryKey[0].value);
  };
  const details = async (table: string) => (await sdk().describeTable({ tableName: table })).streamDetails;

  function synthAdopted(): string {
    const app = newApp();
    const stack = new TerraformStack(app, 'adopted');
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    for (const table of ['orders', 'customers']) {
      new TableStream(stack, `stream-${table}`, {
        environment: 'dev', allowTeardown: true, region: 'cn-hangzhou', instanceName: 'otsbk-dev', tableName: table, retentionHours: 24,
        streamOwnersTable: 'otsbk_sync_status_stream_owners',
      });
    }
    app.synth();
    return path.join(root, 'cdktf.out', 'stacks', 'adopted');
  }

  it('enables the Stream of a table with rows, keeps the owner\'s Stream, and destroy leaves both tables, their rows and the owner\'s Stream', async () => {
    for (const [table, stream] of [['orders', undefined], ['customers', { enableStream: true, expirationTime: 48 }]] as const) {
      await sdk().createTable({
        tableMeta: { tableName: table, primaryKey: [{ name: 'id', type: 'STRING' }] },
        reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
        tableOptions: { timeToLive: -1, maxVersions: 1 },
        ...(stream ? { streamSpecification: stream } : {}),
      });
      for (const id of ['a', 'b', 'c']) await putRow(table, id);
    }
    const ownersStream = (await details('customers')).streamId;

    const dir = synthAdopted();
    await ok(dir, ['init']);
    await ok(dir, ['apply', '-auto-approve']);
    expect(await details('orders')).toMatchObject({ enableStream: true, expirationTime: 24 });
    expect(await details('customers')).toMatchObject({ enableStream: true, expirationTime: 24, streamId: ownersStream });
    expect(await rowIds('orders')).toEqual(['a', 'b', 'c']);

    await ok(dir, ['destroy', '-auto-approve']);
    // The Stream this stack enabled is disabled; the owner's Stream, both tables and every row stay.
    expect((await details('orders'))?.enableStream ?? false).toBe(false);
    expect(await details('customers')).toMatchObject({ enableStream: true, streamId: ownersStream });
    expect(await rowIds('orders')).toEqual(['a', 'b', 'c']);
    expect(await rowIds('customers')).toEqual(['a', 'b', 'c']);
    expect(tablestore.stats.requests.DeleteTable ?? 0).toBe(0);
  });
});

describeIfTerraform('the bundled command as a process', () => {
  it('killed between CreateNode and the deployment, finishes on the next run without a second node', async () => {
    const spec = syncNodeSpec(environment('dev'));
    const env = childEnv({
      OTSBK_OPS_SPEC: JSON.stringify(spec),
      OTSBK_OPS_SETTINGS: JSON.stringify({ environment: 'dev', allowTeardown: true }),
      OTSBK_OPS_OWNER: '3f0dcfd8-df3b-82e8-d8b8-d08088065f26',
    });
    const start = (): { child: ChildProcess; done: Promise<number | null> } => {
      const child = spawn(process.execPath, [path.join(root, 'dist/ops.js'), 'apply', 'sync-node'], { env, stdio: 'ignore' });
      return { child, done: new Promise(resolve => child.on('exit', code => resolve(code))) };
    };
    const first = start();
    dataworks.onRequest(action => {
      if (action === 'CreatePipelineRun') first.child.kill('SIGKILL');
    });
    dataworks.inject({ action: 'CreatePipelineRun', fault: { kind: 'drop-before' } });
    expect(await first.done).toBeNull();
    expect(nodes()).toEqual([expect.objectContaining({ deployed: false })]);
    dataworks.onRequest(undefined);

    const second = start();
    expect(await second.done).toBe(0);
    expect(nodes()).toEqual([expect.objectContaining({ deployed: true })]);
    expect(dataworks.requests.filter(r => r.action === 'CreateNode')).toHaveLength(1);
  });
});
