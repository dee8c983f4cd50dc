import { Testing, TerraformStack } from 'cdktf';
import { OtsInstance } from '../../.gen/providers/alicloud/ots-instance';
import { BackupBucket } from '../../lib/constructs/backup-bucket';
import { SyncAccess } from '../../lib/constructs/sync-access';
import { resolveReferences } from '../support/terraform-json';
import {
  grantCheckpointWrite, grantStreamRead, SYNC_PERMISSIONS, SyncEngine, SyncPolicyProps, syncPermissionsFor, syncPolicyDocument, syncResourceArns,
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

describe('grants from the constructs', () => {
  const lifecycle = { noncurrentVersionExpireDays: 7, abortMultipartUploadDays: 1 };
  const access = (s: TerraformStack, engine: SyncEngine) =>
    new SyncAccess(s, 'a', { namePrefix: 'otsbk-t', engine, region: 'cn-hangzhou', accountId: '42', mode: { mode: 'role' } });

  it('BackupBucket.grantExportWrite adds exactly the engine\'s OSS and KMS rows, for the prefix', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const grantee = access(stack, 'data-integration');
    new BackupBucket(stack, 'b', { bucketName: 'bkt', lifecycle, lifecyclePrefixes: ['export'], kms: { keyId: 'key-1' } }).grantExportWrite(grantee, 'export');
    const rows = grantee.grants.permissions();
    expect(rows).toEqual(SYNC_PERMISSIONS.filter(p => p.engine === 'data-integration' && ['bucket', 'export-objects', 'kms-key'].includes(p.resource)));
    expect(() => grantee.grants.policyDocument()).toThrow('SyncAccess policy: dataTables/timeseriesTables: at least one exported table is required');
  });

  it('the policy composed from the constructs names the bucket through its resource, and resolves to the one built from names', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const grantee = access(stack, 'runtime');
    const bucket = new BackupBucket(stack, 'b', { bucketName: 'bkt', lifecycle, lifecyclePrefixes: ['export'] });
    bucket.grantExportWrite(grantee, 'export');
    const props = { ...base('runtime'), bucketName: 'bkt', exportPrefix: 'export', timeseriesTables: [], statusTables: [] };
    grantStreamRead(grantee, { dataTables: props.dataTables });
    grantCheckpointWrite(grantee, [{ instanceName: 'otsbk-dev', tableName: 'status' }]);
    const json = JSON.parse(Testing.synth(stack));
    const policy = Object.values(json.resource.alicloud_ram_policy)[0] as { policy_document: string };
    expect(policy.policy_document).toContain('"acs:oss:*:42:${alicloud_oss_bucket.b_bucket_3828F551.bucket}"');
    expect(JSON.parse(resolveReferences(json, policy.policy_document))).toEqual(JSON.parse(syncPolicyDocument(props).toJsonString()));
    expect(policy.policy_document).not.toContain('status');
  });

  it('lowers an instance name taken from a resource in Terraform, as Tablestore ARNs require', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const grantee = access(stack, 'runtime');
    const instance = new OtsInstance(stack, 'i', { name: 'OtsBk-Dev', instanceType: 'Capacity' });
    grantStreamRead(grantee, { dataTables: [{ instanceName: instance.name, tableName: 'readings' }] });
    const json = JSON.parse(Testing.synth(stack));
    const policy = (Object.values(json.resource.alicloud_ram_policy)[0] as { policy_document: string }).policy_document;
    expect(policy).toContain('instance/${lower(alicloud_ots_instance.i.name)}/table/readings');
    expect(JSON.parse(resolveReferences(json, policy)).Statement[0].Resource).toEqual(['acs:ots:cn-hangzhou:42:instance/otsbk-dev/table/readings']);
  });
});
