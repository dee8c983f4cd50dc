/**
 * Drift: `ops check <env>` against the synthesized staging stack and loopback DataWorks and Tablestore servers.
 * Every managed object is deployed as the provisioners would, then changed "in the console" (directly in the
 * servers), detected, and put back by `ops repair`, after which `check` finds nothing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECK_HELP, readStackObjects, runOps, StackObject } from '../../lib/ops';
import { DataWorksSandbox, startDataWorksSandbox } from '../../lib/sandbox/dataworks';
import { startTablestoreSandbox, TablestoreSandbox } from '../../lib/sandbox/tablestore';
import { TablestoreStreamClient } from '../../lib/tablestore';
import { synthEnvironment } from '../stacks/synth';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, createProviderTables, ops, PROJECT_ID, staticCredentials } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const TableStore = require('tablestore');

const INSTANCE = 'otsbk-stg';
const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=sandbox0token0for0tests0only';

let stackFile: string;
let dataworks: DataWorksSandbox;
let tablestore: TablestoreSandbox;

beforeAll(() => {
  stackFile = join(mkdtempSync(join(tmpdir(), 'otsbk-check-')), 'cdk.tf.json');
  writeFileSync(stackFile, JSON.stringify(synthEnvironment('staging')));
});

beforeEach(async () => {
  dataworks = await startDataWorksSandbox({ credentials: [{ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }], projects: [{ id: PROJECT_ID, identifier: 'otsbk_staging' }] });
  tablestore = await startTablestoreSandbox({ instanceName: INSTANCE, accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
});
afterEach(async () => {
  await dataworks.close();
  await tablestore.close();
});

const env = (): Record<string, string> => ({
  OTSBK_DATAWORKS_ENDPOINT: dataworks.endpoint,
  OTSBK_TABLESTORE_ENDPOINT: tablestore.endpoint,
  OTSBK_RETRY_BASE_DELAY_MS: '1',
  OTSBK_DEPLOY_POLL_INTERVAL_MS: '0',
  OTSBK_TABLESTORE_CALL_TIMEOUT_MS: '300',
  OTSBK_ALERT_DINGTALK_WEBHOOK_STAGING: WEBHOOK,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
});

async function opsCommand(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await runOps(args, { env: env(), credentials: staticCredentials, sleep: async () => undefined, write: line => lines.push(line) });
  return { code, text: lines.join('\n') };
}

const sdk = () => new TableStore.Client({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: ACCESS_KEY_SECRET, endpoint: tablestore.endpoint, instancename: INSTANCE, maxRetries: 0 });

/** What `cdktf deploy staging` does: every provisioner's apply, in dependency order, each Terraform object its own owner. */
async function deploy(objects: readonly StackObject[]): Promise<void> {
  await createProviderTables(sdk());
  for (const kind of ['table-stream', 'timeseries-table', 'sync-node', 'alert-rule']) {
    for (const o of objects.filter(x => x.spec.kind === kind)) {
      const r = await ops('apply', kind, o.spec, o.input as never, `tf-${o.address.length}-${kind}`, { dataworks: dataworks.endpoint, tablestore: tablestore.endpoint }, env());
      expect({ address: o.address, code: r.code, log: r.code === 0 ? '' : r.lines.join('\n') }).toEqual({ address: o.address, code: 0, log: '' });
    }
  }
}

it('reads the desired state of every managed object from the synthesized stack', () => {
  const kinds = readStackObjects('staging', { stackFile }).map(o => `${o.spec.kind} ${'nodeName' in o.spec ? o.spec.nodeName : o.spec.tableName}${o.spec.kind === 'alert-rule' ? ` ${o.spec.ruleName}` : ''}`);
  expect(kinds.sort()).toEqual([
    'alert-rule otsbk_stg_sync_device_metrics otsbk_stg_sync_device_metrics_failed',
    'alert-rule otsbk_stg_sync_device_metrics otsbk_stg_sync_device_metrics_late',
    'alert-rule otsbk_stg_sync_device_readings otsbk_stg_sync_device_readings_failed',
    'alert-rule otsbk_stg_sync_device_readings otsbk_stg_sync_device_readings_late',
    'sync-node otsbk_stg_sync_device_metrics',
    'sync-node otsbk_stg_sync_device_readings',
    'table-stream device_readings',
    'timeseries-table device_metrics',
  ]);
});

it('detects a console change of each kind of object, and repair puts every one back', async () => {
  await deploy(readStackObjects('staging', { stackFile }));
  let r = await opsCommand(['check', 'staging', '--stack', stackFile]);
  expect({ code: r.code, text: r.text }).toEqual({ code: 0, text: expect.stringContaining('8 objects of environment staging match the synthesized stack') });

  // "Console" edits: the node's schedule (saved and deployed), the Stream retention, the TTL, an alert rule switched off.
  const node = dataworks.state.nodeByName(PROJECT_ID, 'otsbk_stg_sync_device_readings')!;
  (node.spec.spec as { nodes: Array<{ trigger: { cron: string } }> }).nodes[0].trigger.cron = '00 30 * * * ?';
  node.version++;
  await sdk().updateTable({ tableName: 'device_readings', tableOptions: { timeToLive: -1, maxVersions: 1 }, streamSpecification: { enableStream: true, expirationTime: 48 } });
  const ts = new TablestoreStreamClient({ endpoint: tablestore.endpoint, instanceName: INSTANCE, credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }, retry: { attempts: 1 } });
  await ts.updateTimeseriesTable('device_metrics', 30 * 86400);
  ts.close();
  const rule = [...dataworks.alertRules.rules.values()].find(x => x.name.startsWith('otsbk_stg_sync_device_metrics_late '))!;
  rule.enabled = false;

  const writes = dataworks.requests.filter(x => !/^(Get|List)/.test(x.action)).length;
  r = await opsCommand(['check', 'staging', '--stack', stackFile]);
  expect(r.code).toBe(3);
  expect(r.text).toContain('DRIFT   sync node otsbk_stg_sync_device_readings');
  expect(r.text).toContain('trigger.cron: desired "00 00 * * * ?", live "00 30 * * * ?"');
  expect(r.text).toContain('DRIFT   Stream of table device_readings');
  expect(r.text).toContain('retentionHours: desired 72, live 48');
  expect(r.text).toContain('DRIFT   time series table device_metrics');
  expect(r.text).toContain('timeToLiveSeconds: desired -1, live 2592000');
  expect(r.text).toContain('DRIFT   alert rule otsbk_stg_sync_device_metrics_late');
  expect(r.text).toContain('Enabled: desired true, live false');
  expect(r.text).toContain('4 of 8 objects of environment staging differ');
  expect(r.text).not.toContain('access_token');
  // check changes nothing
  expect(dataworks.requests.filter(x => !/^(Get|List)/.test(x.action)).length).toBe(writes);

  r = await opsCommand(['repair', 'staging', '--stack', stackFile]);
  expect({ code: r.code, text: r.code === 0 ? '' : r.text }).toEqual({ code: 0, text: '' });
  expect(r.text).toContain('repairing sync node otsbk_stg_sync_device_readings');
  r = await opsCommand(['check', 'staging', '--stack', stackFile]);
  expect({ code: r.code, text: r.text }).toEqual({ code: 0, text: expect.stringContaining('8 objects of environment staging match the synthesized stack') });
  // The node kept its Terraform owner, and production runs the repaired version.
  expect(JSON.stringify(dataworks.state.nodeByName(PROJECT_ID, 'otsbk_stg_sync_device_readings')!.spec)).toContain('owner=tf-');
});

it('reports objects that are missing, and a node whose deployed version is not the current one', async () => {
  await deploy(readStackObjects('staging', { stackFile }));
  const node = dataworks.state.nodeByName(PROJECT_ID, 'otsbk_stg_sync_device_metrics')!;
  // Saved in the console and deployed there: the node and production both run the edit.
  (node.spec.spec as { nodes: Array<{ rerunTimes: number }> }).nodes[0].rerunTimes = 0;
  node.version++;
  const run = dataworks.state.createRun(PROJECT_ID, 'Online', JSON.stringify([node.id.toString()]), 'console deploy');
  for (const stage of run.stages) stage.status = 'Success';
  run.status = 'Success';
  const rule = [...dataworks.alertRules.rules.values()].find(x => x.name.startsWith('otsbk_stg_sync_device_readings_failed '))!;
  dataworks.alertRules.rules.delete(rule.id);

  const r = await opsCommand(['check', 'staging', '--stack', stackFile]);
  expect(r.code).toBe(3);
  expect(r.text).toContain('rerunTimes: desired 3, live 0');
  expect(r.text).toContain('deployed version: rerunTimes: desired 3, live 0');
  expect(r.text).toContain('MISSING alert rule otsbk_stg_sync_device_readings_failed');
  const repair = await opsCommand(['repair', 'staging', '--stack', stackFile]);
  expect(repair.code).toBe(1);
  expect(repair.text).toContain("apply -replace='terraform_data.");
});

it('usage: --help, a missing stack, a missing environment', async () => {
  expect(await opsCommand(['check', '--help'])).toEqual({ code: 0, text: CHECK_HELP });
  expect((await opsCommand(['check'])).code).toBe(2);
  const missing = await opsCommand(['check', 'staging', '--stack', join(tmpdir(), 'no-such-dir', 'cdk.tf.json')]);
  expect(missing.code).toBe(2);
  expect(missing.text).toContain('synthesize the stacks first (npm run synth)');
});
