/**
 * The Tablestore sandbox evaluates RAM: the synthesized Tablestore policy of an environment lets the runtime export a
 * window and Data Integration keep its checkpoints, and nothing else; a policy missing a row of the permission table,
 * or naming the wrong ARN, is refused as the service refuses it (403 OTSNoPermissionAccess).
 */
import { Testing } from 'cdktf';
import { addProjectStacks } from '../../lib/app';
import { projectConfig } from '../../lib/config/environments';
import { createStreamTable, ignoreCondition, LocalSandboxes, long, startLocalSandboxes, TableStore } from '../../lib/runtime/demo/local-sandboxes';
import { runWindow, staticCredentialProvider } from '../../lib/runtime/sync';
import { resolveReferences, resourcesOf, StackJson } from '../support/terraform-json';
import { END, END_US, FAST_TUNING, jsonRows, NOW, runtimeSyncPolicy, START, START_US } from '../runtime/helpers';

const ENV = projectConfig.environments.find(e => e.name === 'staging')!;
const ACCOUNT = '1000000000000001';
const INSTANCE = ENV.tablestore.instances[0];
const TABLE = ENV.tablestore.tables.find(t => t.kind === 'wide-column')!.name;
const STATUS = INSTANCE.statusTableName;

/** The Tablestore policy the staging stack gives its Tablestore data sources, as Terraform resolves it. */
function synthesizedTablestorePolicy(): string {
  const stacks = addProjectStacks(Testing.app(), projectConfig);
  const stack: StackJson = JSON.parse(Testing.synth(stacks.environments.get(ENV.name)!));
  const policy = resourcesOf(stack, 'alicloud_ram_policy').find(p => p.policy_name === `${ENV.namePrefix}-sync-ots`)!;
  const text = resolveReferences(stack, policy.policy_document as string).split('${data.alicloud_account.account.id}').join(ACCOUNT);
  expect(text).not.toContain('${');
  return text;
}

const without = (policy: string, action: string): string => JSON.stringify({
  ...JSON.parse(policy),
  Statement: JSON.parse(policy).Statement.map((s: { Action: string[] }) => ({ ...s, Action: s.Action.filter(a => a !== action) })).filter((s: { Action: string[] }) => s.Action.length > 0),
});
const policyOf = (...statements: object[]) => JSON.stringify({ Version: '1', Statement: statements });
const arn = (instance: string, table: string, region = ENV.region) => `acs:ots:${region}:${ACCOUNT}:instance/${instance}/table/${table}`;

const IDENTITIES = {
  noStreamRecord: { accessKeyId: 'test-no-getstreamrecord', accessKeySecret: 's1' },
  caseSensitive: { accessKeyId: 'test-instance-case', accessKeySecret: 's2' },
  otherRegion: { accessKeyId: 'test-other-region', accessKeySecret: 's3' },
  noPutRow: { accessKeyId: 'test-no-putrow', accessKeySecret: 's4' },
  wildcards: { accessKeyId: 'test-wildcards', accessKeySecret: 's5' },
};

let synthesized: string;
let sb: LocalSandboxes;

beforeAll(async () => {
  synthesized = synthesizedTablestorePolicy();
  const streamRows = ['ots:ListStream', 'ots:DescribeStream', 'ots:GetShardIterator', 'ots:GetStreamRecord'];
  sb = await startLocalSandboxes({
    startMicros: START_US - 60_000_000,
    // The instance as created (mixed case is allowed; RAM names it in lower case).
    tablestore: {
      instanceName: INSTANCE.name.toUpperCase(), region: ENV.region, ownerAccountId: ACCOUNT, maxClockSkewMs: null,
      identities: [
        { ...IDENTITIES.noStreamRecord, policies: [without(synthesized, 'ots:GetStreamRecord')] },
        { ...IDENTITIES.caseSensitive, policies: [policyOf({ Effect: 'Allow', Action: streamRows, Resource: [arn(INSTANCE.name.toUpperCase(), TABLE)] })] },
        { ...IDENTITIES.otherRegion, policies: [policyOf({ Effect: 'Allow', Action: streamRows, Resource: [arn(INSTANCE.name, TABLE, 'cn-hangzhou')] })] },
        { ...IDENTITIES.noPutRow, policies: [without(synthesized, 'ots:PutRow')] },
        { ...IDENTITIES.wildcards, policies: [
          policyOf({ Effect: 'Allow', Action: ['ots:Get*', 'ots:list*'], Resource: [`acs:ots:*:${ACCOUNT}:instance/${INSTANCE.name.slice(0, 5)}*`] }),
          policyOf({ Effect: 'Deny', Action: ['ots:GetRow'], Resource: [arn(INSTANCE.name, STATUS)] }),
        ] },
      ],
    },
    tablestorePolicies: [synthesized],
    // The exporting identities may write the export in the OSS sandbox; what they may read is the question here.
    oss: { identities: [IDENTITIES.noStreamRecord, IDENTITIES.caseSensitive, IDENTITIES.otherRegion].map(k => ({ ...k, policies: [runtimeSyncPolicy([TABLE])] })) },
    ossPolicies: [runtimeSyncPolicy([TABLE])],
  });
  await createStreamTable(sb.ots, TABLE, [{ name: 'device_id', type: 'STRING' }, { name: 'ts', type: 'INTEGER' }]);
  await sb.ots.createTable({
    tableMeta: { tableName: STATUS, primaryKey: [{ name: 'pk', type: 'STRING' }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1 },
  });
  for (const [micros, device] of [[START_US, 'd1'], [END_US - 1, 'd2']] as const) {
    sb.tablestore.clock.set(micros);
    await sb.ots.putRow({ tableName: TABLE, condition: ignoreCondition(), primaryKey: [{ device_id: device }, { ts: long(1) }], attributeColumns: [{ temperature: 21.5 }] });
  }
});

afterAll(() => sb.close());

const exportWindow = (credentials: { accessKeyId: string; accessKeySecret: string }) => runWindow({
  config: sb.config({
    tablestore: { tableName: TABLE },
    format: { fileFormat: 'jsonl', compression: 'none' },
    layout: { mode: 'rows', columns: [{ name: 'device_id', type: 'string' }, { name: 'ts', type: 'int64' }, { name: 'temperature', type: 'double' }] },
  }),
  startTime: START, endTime: END, credentials: staticCredentialProvider(credentials), now: NOW, tuning: FAST_TUNING,
});

/** A client of the official SDK signing with one of the sandbox's keys. */
const client = (credentials: { accessKeyId: string; accessKeySecret: string }) => new TableStore.Client({
  accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.accessKeySecret,
  endpoint: sb.tablestore.endpoint, instancename: sb.tablestore.instanceName, maxRetries: 0,
});
const denied = (action: string, table: string) => expect.objectContaining({
  code: 403,
  message: expect.stringMatching(new RegExp(`OTSNoPermissionAccess.*${action} on ${arn(INSTANCE.name, table).replace(/[.*]/g, '\\$&')}`)),
});

describe('the synthesized Tablestore policy of an environment', () => {
  it('lets the runtime export a window (ListStream, DescribeStream, GetShardIterator, GetStreamRecord on the table)', async () => {
    const before = sb.tablestore.stats.accessDenials;
    const result = await exportWindow(sb.credentials);
    expect(result.manifest.records.total).toBe(2);
    expect(jsonRows(new Map([...sb.oss.objects()].filter(([k]) => k.endsWith('.jsonl')))).map(r => r.device_id)).toEqual(['d1', 'd2']);
    expect(sb.tablestore.stats.accessDenials).toBe(before);
    expect(sb.tablestore.stats.requests.GetStreamRecord).toBeGreaterThan(0);
  });

  it("lets Data Integration keep its checkpoints in the status table, and write nowhere else", async () => {
    const di = client(sb.credentials);
    const pk = [{ pk: 'checkpoint' }];
    await di.describeTable({ tableName: STATUS });
    await di.putRow({ tableName: STATUS, condition: ignoreCondition(), primaryKey: pk, attributeColumns: [{ v: 'x' }] });
    expect((await di.getRow({ tableName: STATUS, primaryKey: pk })).row.primaryKey).toBeDefined();
    await di.getRange({ tableName: STATUS, direction: TableStore.Direction.FORWARD, inclusiveStartPrimaryKey: [{ pk: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ pk: TableStore.INF_MAX }] });
    await di.deleteRow({ tableName: STATUS, condition: ignoreCondition(), primaryKey: pk });
    await expect(di.putRow({ tableName: TABLE, condition: ignoreCondition(), primaryKey: [{ device_id: 'x' }, { ts: long(1) }], attributeColumns: [{ temperature: 1 }] }))
      .rejects.toEqual(denied('ots:PutRow', TABLE));
    // The policy names tables only: instance-level calls are refused.
    await expect(di.listTable({})).rejects.toMatchObject({ code: 403, message: expect.stringContaining(`ots:ListTable on acs:ots:${ENV.region}:${ACCOUNT}:instance/${INSTANCE.name}:`) });
  });
});

describe('a policy the service would refuse', () => {
  it('without the GetStreamRecord row, the export fails with OTSNoPermissionAccess naming the action and the table', async () => {
    await expect(exportWindow(IDENTITIES.noStreamRecord)).rejects.toThrow(/OTSNoPermissionAccess.*ots:GetStreamRecord on acs:ots:cn-shanghai:1000000000000001:instance\/otsbk-stg\/table\/device_readings: no RAM policy allows/);
  });

  it.each([
    ['the instance in its original case (RAM resources name it in lower case)', IDENTITIES.caseSensitive],
    ['another region', IDENTITIES.otherRegion],
  ])('naming %s, the export is refused', async (_what, identity) => {
    await expect(exportWindow(identity)).rejects.toThrow(/OTSNoPermissionAccess.*ots:ListStream on acs:ots:cn-shanghai:/);
  });

  it('without the PutRow row, Data Integration cannot write its checkpoint', async () => {
    await expect(client(IDENTITIES.noPutRow).putRow({ tableName: STATUS, condition: ignoreCondition(), primaryKey: [{ pk: 'c' }], attributeColumns: [{ v: 'x' }] }))
      .rejects.toEqual(denied('ots:PutRow', STATUS));
  });

  it('matches actions and resources with wildcards (actions case-insensitively) and lets an explicit Deny win', async () => {
    const c = client(IDENTITIES.wildcards);
    await c.getRange({ tableName: STATUS, direction: TableStore.Direction.FORWARD, inclusiveStartPrimaryKey: [{ pk: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ pk: TableStore.INF_MAX }] });
    await c.listTable({});
    await expect(c.getRow({ tableName: STATUS, primaryKey: [{ pk: 'a' }] })).rejects.toEqual(expect.objectContaining({ message: expect.stringContaining('explicitly denied') }));
    await expect(c.describeTable({ tableName: STATUS })).rejects.toEqual(denied('ots:DescribeTable', STATUS));
  });
});
