import { Testing, TerraformStack } from 'cdktf';
import { SyncAccess } from '../../lib/constructs/sync-access';
import {
  SYNC_PERMISSIONS, SyncEngine, SyncPolicyProps, syncPermissionsFor, syncPolicyDocument, syncResourceArns,
} from '../../lib/constructs/sync-permissions';

const base = (engine: SyncEngine, extra: Partial<SyncPolicyProps> = {}): SyncPolicyProps => ({
  engine,
  region: 'cn-hangzhou',
  accountId: '42',
  dataTables: [{ instanceName: 'Otsbk-Dev', tableName: 'orders' }],
  timeseriesTables: [{ instanceName: 'Otsbk-Dev', tableName: 'metrics' }],
  statusTables: [{ instanceName: 'Otsbk-Dev', tableName: 'status' }],
  bucketName: 'bkt',
  exportPrefix: 'export',
  runtimeKeyPrefix: '_otsbk/runtime',
  ...extra,
});

/** Every (action, resource) pair a policy document grants. */
function grants(policyJson: string): Set<string> {
  const out = new Set<string>();
  for (const st of JSON.parse(policyJson).Statement) {
    expect(st.Effect).toBe('Allow');
    expect(st.Condition).toBeUndefined();
    for (const a of st.Action) for (const r of st.Resource) out.add(`${a} ${r}`);
  }
  return out;
}

/** Every (action, resource) pair the table's rows ask for. */
function expected(props: SyncPolicyProps): Set<string> {
  return new Set(syncPermissionsFor(props).flatMap(p => syncResourceArns(p.resource, props).map(arn => `${p.action} ${arn}`)));
}

describe('sync permission table', () => {
  it('cites a source for every row and names actions of the service the resource belongs to', () => {
    for (const row of SYNC_PERMISSIONS) {
      expect(row.source.length).toBeGreaterThan(10);
      const service = row.resource.endsWith('table') ? 'ots' : row.resource === 'kms-key' ? 'kms' : 'oss';
      expect(row.action.startsWith(`${service}:`)).toBe(true);
    }
  });

  it.each<[SyncEngine, Partial<SyncPolicyProps>]>([
    ['data-integration', {}],
    ['data-integration', { kmsKeyId: 'key-1', timeseriesTables: [] }],
    ['runtime', {}],
    ['runtime', { kmsKeyId: 'key-1', dataTables: [] }],
  ])('the %s policy (%j) grants exactly the table rows', (engine, extra) => {
    const props = base(engine, extra);
    expect([...grants(syncPolicyDocument(props).toJsonString())].sort()).toEqual([...expected(props)].sort());
  });

  it('the synthesized RAM policy is that document', () => {
    const stack = new TerraformStack(Testing.app(), 't');
    new SyncAccess(stack, 'a', { ...base('data-integration', { kmsKeyId: 'key-1' }), namePrefix: 'otsbk-t', mode: { mode: 'role' } });
    const policy = Object.values(JSON.parse(Testing.synth(stack)).resource.alicloud_ram_policy)[0] as { policy_document: string };
    expect(grants(policy.policy_document)).toEqual(expected(base('data-integration', { kmsKeyId: 'key-1' })));
  });

  it('gives Data Integration what DataX calls and nothing it does not', () => {
    const g = grants(syncPolicyDocument(base('data-integration', { kmsKeyId: 'key-1' })).toJsonString());
    expect(g).toContain('oss:GetBucketAcl acs:oss:*:42:bkt');
    expect(g).toContain('ots:DescribeTimeseriesTable acs:ots:cn-hangzhou:42:instance/otsbk-dev/table/metrics');
    expect(g).toContain('kms:GenerateDataKey acs:kms:cn-hangzhou:42:key/key-1');
    expect(g).toContain('kms:Decrypt acs:kms:cn-hangzhou:42:key/key-1');
    const actions = new Set([...g].map(x => x.split(' ')[0]));
    for (const excess of ['ots:BatchWriteRow', 'ots:UpdateRow', 'oss:ListParts', 'oss:ListObjects', 'oss:GetBucketInfo', 'ots:PutRow acs:ots:cn-hangzhou:42:instance/otsbk-dev/table/orders']) {
      expect(actions.has(excess) || g.has(excess)).toBe(false);
    }
  });

  it('writes Tablestore instance names in lower case in ARNs', () => {
    expect(syncResourceArns('data-table', base('runtime'))).toEqual(['acs:ots:cn-hangzhou:42:instance/otsbk-dev/table/orders']);
  });

  it('needs no KMS statement without a customer key', () => {
    expect(syncPolicyDocument(base('runtime')).toJsonString()).not.toContain('kms:');
  });
});
