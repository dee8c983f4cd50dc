/**
 * What the Terraform end-to-end tests share: real `terraform` on synthesized stacks holding only the managed objects,
 * whose provisioners run the bundled operations command against the loopback DataWorks and Tablestore servers.
 * terraform_data is built into Terraform, so nothing is downloaded (TF_CLI_CONFIG_FILE=/dev/null, no network).
 * The tests are two files so that Jest's two workers share them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { EnvironmentConfig } from '../../lib/config/types';
import { resolvedTables, streamOwnersTableName } from '../../lib/config/tables';
import { SyncNode, TableStream, TimeseriesTable } from '../../lib/constructs/managed';
import { DataWorksSandbox, startDataWorksSandbox } from '../../lib/sandbox/dataworks';
import { startTablestoreSandbox, TablestoreSandbox } from '../../lib/sandbox/tablestore';
import { TablestoreStreamClient } from '../../lib/tablestore';
import { OPS_BUNDLES, writeBundles } from '../../tools/bundle';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, createProviderTables, environment, PROJECT_ID } from '../ops/helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const TableStore = require('tablestore');

export const terraformAvailable = spawnSync('terraform', ['version'], { env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } }).status === 0;
/** Skipped when no terraform binary is on PATH. */
export const describeIfTerraform = terraformAvailable ? describe : describe.skip;

export interface TerraformHarness {
  /** The layout `cdktf deploy` uses: Terraform runs in <root>/cdktf.out/stacks/<env>, the command is <root>/dist/ops.js. */
  readonly root: string;
  readonly dataworks: DataWorksSandbox;
  readonly tablestore: TablestoreSandbox;
  /** Fresh loopback servers (with the provider's tables), before each test or before a group of tests sharing them. */
  startServers(): Promise<void>;
  stopServers(): Promise<void>;
}

/** Registers the file's hooks (the bundles, once); each describe block registers when its servers start and stop. */
export function terraformHarness(): TerraformHarness {
  let root: string;
  let dataworks: DataWorksSandbox;
  let tablestore: TablestoreSandbox;
  beforeAll(async () => {
    if (!terraformAvailable) return;
    root = mkdtempSync(path.join(tmpdir(), 'otsbk-managed-e2e-'));
    await writeBundles(path.join(root, 'dist'), OPS_BUNDLES);
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  return {
    get root() { return root; },
    get dataworks() { return dataworks; },
    get tablestore() { return tablestore; },
    async startServers() {
      if (!terraformAvailable) return;
      dataworks = await startDataWorksSandbox({ credentials: [{ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }], projects: [{ id: PROJECT_ID, identifier: 'ws' }] });
      tablestore = await startTablestoreSandbox({ instanceName: 'otsbk-dev', accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
      await createProviderTables(sdk(tablestore));
    },
    async stopServers() {
      if (!terraformAvailable) return;
      await dataworks.close();
      await tablestore.close();
    },
  };
}

/** The official SDK on the sandbox instance, as a person checking the console would. */
export const sdk = (tablestore: TablestoreSandbox) => new TableStore.Client({
  accessKeyId: ACCESS_KEY_ID, secretAccessKey: ACCESS_KEY_SECRET, endpoint: tablestore.endpoint, instancename: 'otsbk-dev', maxRetries: 0,
});

/** The environment under test: dev's tables and schedule, on the sandbox instance, with the DI engine. */
export function config(name: 'dev' | 'prod', changes: { retention?: number; ttl?: number; rerunTimes?: number } = {}): EnvironmentConfig {
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
 * a `terraform version` check per terraform_data resource (a shell and a terraform process each), and the real
 * terraform refuses what that check would.
 */
export function newStack(h: TerraformHarness, name: string): { app: App; stack: TerraformStack; dir: string } {
  const app = new App({ outdir: path.join(h.root, 'cdktf.out'), skipValidation: true });
  const stack = new TerraformStack(app, name);
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  return { app, stack, dir: path.join(h.root, 'cdktf.out', 'stacks', name) };
}

/** The stack's managed objects of `env` (the Stream, the time series table and the nodes), synthesized; returns its directory. */
export function synth(h: TerraformHarness, env: EnvironmentConfig): string {
  const { app, stack, dir } = newStack(h, env.name);
  const tables = resolvedTables(env);
  const data = tables.find(t => t.kind === 'wide-column')!;
  const series = tables.find(t => t.kind === 'timeseries')!;
  const common = { environment: env.name, allowTeardown: env.allowTeardown, region: env.region, instanceName: data.instance.name };
  const stream = new TableStream(stack, 'data-table-stream', { ...common, tableName: data.name, retentionHours: data.streamRetentionHours, streamOwnersTable: streamOwnersTableName(data.instance) });
  const timeseries = new TimeseriesTable(stack, 'timeseries-table', { ...common, tableName: series.name, timeToLiveSeconds: series.timeToLiveSeconds ?? -1 });
  SyncNode.forEnvironment(stack, env, { workspaceId: PROJECT_ID, dependsOn: [stream.object.resource, timeseries.object.resource] });
  app.synth();
  return dir;
}

export function childEnv(h: TerraformHarness, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: h.root,
    TF_CLI_CONFIG_FILE: '/dev/null',
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    // Each terraform process lives a fraction of a second on a four-resource state; Go's collector took about a
    // fifth of its CPU (an apply and a destroy: 0.215 → 0.165 s, medians of 6).
    GOGC: 'off',
    ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
    OTSBK_DATAWORKS_ENDPOINT: h.dataworks.endpoint,
    OTSBK_TABLESTORE_ENDPOINT: h.tablestore.endpoint,
    OTSBK_RETRY_BASE_DELAY_MS: '1',
    OTSBK_DEPLOY_POLL_INTERVAL_MS: '0',
    OTSBK_TABLESTORE_CALL_TIMEOUT_MS: '2000',
    ...extra,
  };
}

export function terraform(h: TerraformHarness, cwd: string, args: string[], extra: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise(resolve => {
    execFile('terraform', [...args, '-no-color', '-input=false'], { cwd, env: childEnv(h, extra), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

export async function ok(h: TerraformHarness, cwd: string, args: string[], extra?: Record<string, string>): Promise<string> {
  const r = await terraform(h, cwd, args, extra);
  if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} exited ${r.code}:\n${r.output}`);
  return r.output;
}

export const streamDetails = async (h: TerraformHarness) => (await sdk(h.tablestore).describeTable({ tableName: 'device_readings' })).streamDetails;

/** The time series table's TTL, undefined when the table does not exist. */
export async function timeseriesTtl(h: TerraformHarness): Promise<number | undefined> {
  const c = new TablestoreStreamClient({ endpoint: h.tablestore.endpoint, instanceName: 'otsbk-dev', credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }, retry: { attempts: 1 } });
  try {
    return (await c.listTimeseriesTable()).find(t => t.tableName === 'device_metrics')?.timeToLiveSeconds;
  } finally {
    c.close();
  }
}

/** The sandbox's nodes; Terraform creates the two nodes in parallel: ordered by name, not by creation. */
export const nodes = (h: TerraformHarness) => [...h.dataworks.state.nodes.values()]
  .map(n => ({ id: n.id.toString(), name: n.name, deployed: n.taskId !== undefined }))
  .sort((a, b) => b.name.localeCompare(a.name));

/** Calls that change something, on either server. */
export const mutating = (h: TerraformHarness) => h.dataworks.requests.filter(r => /^(Create|Update|Delete)/.test(r.action)).length
  + (h.tablestore.stats.requests.UpdateTable ?? 0) + (h.tablestore.stats.requests.CreateTimeseriesTable ?? 0)
  + (h.tablestore.stats.requests.UpdateTimeseriesTable ?? 0) + (h.tablestore.stats.requests.DeleteTimeseriesTable ?? 0);
