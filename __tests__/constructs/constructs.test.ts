import { Testing } from 'cdktf';
import '../support/cdktf-matchers';
import { DataWorksProject } from '../../.gen/providers/alicloud/data-works-project';
import { OssBucket } from '../../.gen/providers/alicloud/oss-bucket';
import { RamAccessKey } from '../../.gen/providers/alicloud/ram-access-key';
import { RamRolePolicyAttachment } from '../../.gen/providers/alicloud/ram-role-policy-attachment';
import { RamUserPolicyAttachment } from '../../.gen/providers/alicloud/ram-user-policy-attachment';
import { resourcesOf } from '../support/terraform-json';
import { BackupBucket } from '../../lib/constructs/backup-bucket';
import { DataWorksDataSources } from '../../lib/constructs/dataworks-data-sources';
import { PolicyDocument, PolicyStatement } from '../../lib/constructs/policy-document';
import { StateStore } from '../../lib/constructs/state-backend';
import { SyncAccess, SyncAccessProps } from '../../lib/constructs/sync-access';
import { TablestoreTables } from '../../lib/constructs/tablestore-tables';
import { projectConfig } from '../../lib/config/environments';
import { resolvedTables } from '../../lib/config/tables';
import { WideColumnTableConfig } from '../../lib/config/types';

const dev = projectConfig.environments.find(e => e.name === 'dev')!;


describe('BackupBucket', () => {
  const lifecycle = { transitionToIaDays: 30, transitionToArchiveDays: 90, expireDays: 365, noncurrentVersionExpireDays: 14, abortMultipartUploadDays: 2 };

  it('defaults to AES256, ZRS, versioning and no force destroy', () => {
    const json = Testing.synthScope(s => new BackupBucket(s, 'b', { bucketName: 'my-bucket', lifecycle, lifecyclePrefixes: ['backups'] }));
    expect(json).toHaveResourceWithProperties(OssBucket, {
      bucket: 'my-bucket',
      redundancy_type: 'ZRS',
      force_destroy: false,
      versioning: { status: 'Enabled' },
      server_side_encryption_rule: { sse_algorithm: 'AES256' },
    });
  });

  it('uses SSE-KMS with the given key', () => {
    const json = Testing.synthScope(s => new BackupBucket(s, 'b', { bucketName: 'my-bucket', lifecycle, lifecyclePrefixes: ['backups'], kms: { keyId: 'key-123' } }));
    expect(resourcesOf(json, 'alicloud_oss_bucket')[0].server_side_encryption_rule).toEqual({ sse_algorithm: 'KMS', kms_master_key_id: 'key-123' });
  });

  it('turns the lifecycle into transitions, expiry, noncurrent expiry and multipart abort', () => {
    const json = Testing.synthScope(s => new BackupBucket(s, 'b', { bucketName: 'my-bucket', lifecycle, lifecyclePrefixes: ['backups'] }));
    expect(resourcesOf(json, 'alicloud_oss_bucket')[0].lifecycle_rule).toEqual([
      {
        id: 'backup-retention',
        enabled: true,
        prefix: 'backups/',
        transitions: [{ days: 30, storage_class: 'IA' }, { days: 90, storage_class: 'Archive' }],
        expiration: [{ days: 365 }],
        noncurrent_version_expiration: [{ days: 14 }],
        abort_multipart_upload: [{ days: 2 }],
      },
    ]);
  });

  it('denies every OSS action to everyone without TLS, on the bucket and its objects', () => {
    const json = Testing.synthScope(s => new BackupBucket(s, 'b', { bucketName: 'my-bucket', lifecycle, lifecyclePrefixes: ['backups'] }));
    const policy = JSON.parse(resourcesOf(json, 'alicloud_oss_bucket_policy')[0].policy);
    expect(policy.Statement).toEqual([{
      Effect: 'Deny',
      Principal: ['*'],
      Action: ['oss:*'],
      Resource: ['acs:oss:*:*:my-bucket', 'acs:oss:*:*:my-bucket/*'],
      Condition: { Bool: { 'acs:SecureTransport': ['false'] } },
    }]);
    expect(policy).toEqual(JSON.parse(BackupBucket.tlsOnlyPolicyDocument('my-bucket').toJsonString()));
  });

  it('creates a rotated customer key when asked, and encrypts with it', () => {
    const json = Testing.synthScope(s => new BackupBucket(s, 'b', { bucketName: 'my-bucket', lifecycle, lifecyclePrefixes: ['backups'], kms: { create: { rotationIntervalDays: 365 } } }));
    expect(resourcesOf(json, 'alicloud_kms_key')[0]).toMatchObject({ automatic_rotation: 'Enabled', rotation_interval: '365d', deletion_protection: 'Enabled', key_spec: 'Aliyun_AES_256', lifecycle: { prevent_destroy: true } });
    expect(resourcesOf(json, 'alicloud_oss_bucket')[0].server_side_encryption_rule).toEqual({ sse_algorithm: 'KMS', kms_master_key_id: expect.stringMatching(/^\$\{alicloud_kms_key\..*\.id\}$/) });
  });

  it('logs access into the bucket under a prefix outside every lifecycle rule', () => {
    const json = Testing.synthScope(s => new BackupBucket(s, 'b', { bucketName: 'my-bucket', lifecycle, lifecyclePrefixes: ['backups'] }));
    expect(resourcesOf(json, 'alicloud_oss_bucket')[0].logging).toEqual({ target_bucket: 'my-bucket', target_prefix: '_otsbk/access-log/' });
    expect(() => Testing.synthScope(s => new BackupBucket(s, 'b', { bucketName: 'my-bucket', lifecycle, lifecyclePrefixes: ['backups'], accessLogPrefix: 'backups/logs/' })))
      .toThrow('accessLogPrefix: "backups/logs/" lies under the lifecycle prefix "backups/"');
    expect(() => Testing.synthScope(s => new BackupBucket(s, 'b', { bucketName: 'my-bucket', lifecycle, lifecyclePrefixes: [] })))
      .toThrow('lifecyclePrefixes: needs at least one prefix');
  });

  it('refuses an archive transition that is not after the IA transition', () => {
    expect(() => Testing.synthScope(s => new BackupBucket(s, 'b', { bucketName: 'my-bucket', lifecycle: { ...lifecycle, transitionToArchiveDays: 30 }, lifecyclePrefixes: ['backups'] })))
      .toThrow('BackupBucket stack/b: lifecycle.transitionToArchiveDays: (30) must be later than transitionToIaDays (30)');
  });
});

describe('PolicyStatement', () => {
  it.each(['oss:*', '*', 'ots:Get*'])('refuses the wildcard action %s in an Allow statement', action => {
    expect(() => new PolicyStatement({ actions: [action], resources: ['acs:oss:*:1:b'] })).toThrow(`action "${action}" must be one explicit "service:Operation" (no wildcards in an Allow statement)`);
  });

  it('lets a Deny statement deny a whole service, but not a name pattern', () => {
    expect(new PolicyStatement({ effect: 'Deny', actions: ['oss:*'], resources: ['acs:oss:*:*:b'] }).actions).toEqual(['oss:*']);
    expect(() => new PolicyStatement({ effect: 'Deny', actions: ['oss:Get*'], resources: ['acs:oss:*:*:b'] })).toThrow('action "oss:Get*" must be one explicit');
  });

  it('refuses an empty principal list', () => {
    expect(() => new PolicyStatement({ principals: [], actions: ['oss:GetObject'], resources: ['acs:oss:*:*:b'] })).toThrow('principals, when given, must name at least one principal');
  });

  it('refuses a bare * resource', () => {
    expect(() => new PolicyStatement({ actions: ['oss:GetObject'], resources: ['*'] })).toThrow('resource "*" must be an explicit acs: ARN, never "*"');
  });

  it('sorts and de-duplicates actions so policy diffs are stable', () => {
    const doc = new PolicyDocument([new PolicyStatement({ actions: ['oss:PutObject', 'oss:GetObject', 'oss:PutObject'], resources: ['acs:oss:*:1:b/p/*'] })]);
    expect(JSON.parse(doc.toJsonString()).Statement[0].Action).toEqual(['oss:GetObject', 'oss:PutObject']);
  });

  it('refuses an empty document', () => {
    expect(() => new PolicyDocument().toJsonString()).toThrow('a policy needs at least one statement');
  });
});

describe('SyncAccess', () => {
  const base: Omit<SyncAccessProps, 'mode'> = {
    namePrefix: 'otsbk-t',
    region: 'cn-hangzhou',
    accountId: '42',
    bucketName: 'bkt',
    exportPrefix: 'export',
    engine: 'data-integration',
        dataTables: [{ instanceName: 'inst', tableName: 'data' }],
    timeseriesTables: [],
    statusTables: [{ instanceName: 'inst', tableName: 'status' }],
  };

  it('role mode creates a role trusted by DataWorks and Data Integration, with the policy', () => {
    const json = Testing.synthScope(s => new SyncAccess(s, 'a', { ...base, mode: { mode: 'role' } }));
    const [role] = resourcesOf(json, 'alicloud_ram_role');
    expect(role.role_name).toBe('otsbk-t-sync');
    expect(JSON.parse(role.assume_role_policy_document).Statement[0].Principal).toEqual({ Service: ['dataworks.aliyuncs.com', 'di.dataworks.aliyuncs.com'] });
    expect(resourcesOf(json, 'alicloud_ram_role_policy_attachment')).toHaveLength(1);
  });

  it('role mode gives the Tablestore data sources a user and key allowed only the Tablestore rows', () => {
    const json = Testing.synthScope(s => new SyncAccess(s, 'a', { ...base, mode: { mode: 'role' } }));
    expect(resourcesOf(json, 'alicloud_ram_user').map(u => u.name)).toEqual(['otsbk-t-sync-ots']);
    expect(resourcesOf(json, 'alicloud_ram_access_key')).toHaveLength(1);
    const ots = resourcesOf(json, 'alicloud_ram_policy').find(p => p.policy_name === 'otsbk-t-sync-ots');
    const actions = JSON.parse(ots!.policy_document).Statement.flatMap((st: { Action: string[] }) => st.Action);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a: string) => a.startsWith('ots:'))).toBe(true);
    expect(JSON.parse(json).output).toBeUndefined();
  });

  it('user mode without a key creates the user and attachment only', () => {
    const json = Testing.synthScope(s => new SyncAccess(s, 'a', { ...base, mode: { mode: 'user', createAccessKey: false } }));
    expect(resourcesOf(json, 'alicloud_ram_user')).toHaveLength(1);
    expect(json).toHaveResourceWithProperties(RamUserPolicyAttachment, { policy_type: 'Custom' });
    expect(json).not.toHaveResource(RamRolePolicyAttachment);
    expect(json).not.toHaveResource(RamAccessKey);
  });

  it('an AccessKey secret is only ever a sensitive output', () => {
    const json = JSON.parse(Testing.synthScope(s => new SyncAccess(s, 'a', { ...base, mode: { mode: 'user', createAccessKey: true } })));
    const outputs = Object.values(json.output) as Array<{ value: string; sensitive?: boolean }>;
    const secret = outputs.find(o => o.value.endsWith('.secret}'))!;
    expect(secret.sensitive).toBe(true);
  });

  it('with a PGP key, outputs only the encrypted secret', () => {
    const json = JSON.parse(Testing.synthScope(s => new SyncAccess(s, 'a', { ...base, mode: { mode: 'user', createAccessKey: true, pgpKey: 'keybase:ops' } })));
    expect(Object.values(json.resource.alicloud_ram_access_key)[0]).toMatchObject({ pgp_key: 'keybase:ops' });
    const values = (Object.values(json.output) as Array<{ value: string }>).map(o => o.value);
    expect(values.some(v => v.endsWith('.encrypted_secret}'))).toBe(true);
    expect(values.some(v => v.endsWith('.secret}'))).toBe(false);
  });

  it('refuses an export prefix with slashes at its ends', () => {
    expect(() => Testing.synthScope(s => new SyncAccess(s, 'a', { ...base, exportPrefix: '/x/', mode: { mode: 'role' } })))
      .toThrow('SyncAccess policy: exportPrefix: "/x/" must be non-empty and must not start or end with "/"');
  });
});

describe('TablestoreTables', () => {
  it('creates the data table with one version and the status table with the reader checkpoint schema', () => {
    const json = Testing.synthScope(s => new TablestoreTables(s, 't', { region: 'cn-hangzhou', instances: dev.tablestore.instances, tables: resolvedTables(dev) }));
    const tables = resourcesOf(json, 'alicloud_ots_table');
    const data = tables.find(t => t.table_name === 'device_readings');
    expect(data).toMatchObject({
      max_version: 1,
      time_to_live: 2592000,
      primary_key: [{ name: 'device_id', type: 'String' }, { name: 'ts', type: 'Integer' }],
      defined_column: [{ name: 'temperature', type: 'Double' }, { name: 'humidity', type: 'Double' }, { name: 'status', type: 'String' }],
    });
    const status = tables.find(t => t.table_name === 'otsbk_sync_status');
    expect(status!.primary_key.map((k: { name: string }) => k.name)).toEqual(['StreamId', 'StatusType', 'StatusValue']);
  });

  it('maps network access to the instance ACLs and protects tables when asked', () => {
    const json = Testing.synthScope(s => new TablestoreTables(s, 't', {
      region: 'cn-beijing', instances: [{ ...dev.tablestore.instances[0], accessedBy: 'Vpc' }], tables: resolvedTables(dev), preventDestroy: true,
    }));
    expect(resourcesOf(json, 'alicloud_ots_instance')[0]).toMatchObject({ network_type_acl: ['VPC'], lifecycle: { prevent_destroy: true } });
    expect(resourcesOf(json, 'alicloud_ots_table').find(t => t.table_name === 'device_readings')!.lifecycle).toEqual({ prevent_destroy: true });
  });

  it('refuses a primary key of more than four columns', () => {
    const pk = ['a', 'b', 'c', 'd', 'e'].map(name => ({ name, type: 'String' as const }));
    const tables = resolvedTables({ ...dev, tablestore: { ...dev.tablestore, tables: [{ ...(dev.tablestore.tables[0] as WideColumnTableConfig), primaryKey: pk }] } });
    expect(() => Testing.synthScope(s => new TablestoreTables(s, 't', { region: 'cn-hangzhou', instances: dev.tablestore.instances, tables })))
      .toThrow('TablestoreTables stack/t: tables[device_readings].primaryKey: must have 1 to 4 columns, has 5');
  });
});

describe('DataWorksDataSources', () => {
  const props = {
    region: 'cn-hangzhou',
    workspace: { existing: { id: '1234', identifier: 'ws_one' } },
    tablestore: [{ name: 'ts_src', endpoint: 'https://inst.cn-hangzhou.ots.aliyuncs.com', instanceName: 'inst' }],
    oss: { name: 'oss_dst', bucketName: 'bkt' },
  };

  it('signs the OSS data source in with the RAM role and the Tablestore ones with an AccessKey, as each type documents', () => {
    const json = Testing.synthScope(s => new DataWorksDataSources(s, 'd', {
      ...props,
      ossAuth: { kind: 'ram-role', roleId: 'role-1' },
      tablestoreAuth: { kind: 'access-key', accessKeyId: 'test-id', accessKeySecret: 'test-secret' },
    }));
    const sources = resourcesOf(json, 'alicloud_data_works_data_source').sort((a, b) => b.type.localeCompare(a.type));
    expect(sources.map(d => [d.type, d.project_id, d.connection_properties_mode])).toEqual([
      ['tablestore', 1234, 'UrlMode'],
      ['oss', 1234, 'UrlMode'],
    ]);
    // tablestore (UrlMode): regionId, endpoint, instanceName, accessId, accessKey, envType; no authType.
    expect(sources[0].connection_properties).toContain('"accessId" = "test-id"');
    expect(sources[0].connection_properties).toContain('"instanceName" = "inst"');
    expect(sources[0].connection_properties).not.toContain('authType');
    expect(sources[1].connection_properties).toContain('"authType" = "RamRole"');
    expect(sources[1].connection_properties).toContain('"authIdentity" = "role-1"');
    expect(sources[1].connection_properties).toContain('"bucket" = "bkt"');
    expect(json).not.toHaveResource(DataWorksProject);
    expect(JSON.parse(json).variable).toBeUndefined();
  });

  it('creates the workspace when asked and takes an AccessKey from sensitive variables by default', () => {
    const json = JSON.parse(Testing.synthScope(s => new DataWorksDataSources(s, 'd', { ...props, workspace: { create: { identifier: 'ws_new', displayName: 'New' } } })));
    expect(Object.values(json.resource.alicloud_data_works_project)[0]).toMatchObject({ project_name: 'ws_new', pai_task_enabled: false });
    expect(json.variable.sync_access_key_secret).toMatchObject({ sensitive: true });
    const ds = Object.values(json.resource.alicloud_data_works_data_source)[0] as { connection_properties: string };
    expect(ds.connection_properties).toContain('var.sync_access_key_secret');
  });

  it('refuses two data sources with one name', () => {
    expect(() => Testing.synthScope(s => new DataWorksDataSources(s, 'd', { ...props, oss: { name: 'ts_src', bucketName: 'bkt' } })))
      .toThrow('DataWorksDataSources stack/d: tablestore/oss: every data source needs its own name, "ts_src" is used twice');
  });
});

describe('StateStore', () => {
  it('refuses duplicated lock table names', () => {
    expect(() => Testing.synthScope(s => new StateStore(s, 'st', { region: 'cn-hangzhou', bucketName: 'state-bkt', lockInstanceName: 'locks', lockTableNames: ['a', 'a'], statePrefixes: ['env/a'] })))
      .toThrow('StateStore stack/st: lockTableNames: must be distinct and at least one, got [a, a]');
  });

  it('creates a protected lock table with the LockID key Terraform expects', () => {
    const json = Testing.synthScope(s => new StateStore(s, 'st', { region: 'cn-hangzhou', bucketName: 'state-bkt', lockInstanceName: 'locks', lockTableNames: ['tf_lock'], statePrefixes: ['env/dev', 'env/prod'] }));
    expect(resourcesOf(json, 'alicloud_ots_table')[0]).toMatchObject({ table_name: 'tf_lock', primary_key: [{ name: 'LockID', type: 'String' }], lifecycle: { prevent_destroy: true } });
    expect(resourcesOf(json, 'alicloud_oss_bucket')[0]).toMatchObject({ bucket: 'state-bkt', force_destroy: false, versioning: { status: 'Enabled' } });
    // One rule per environment's state prefix, so the access logs stay outside them.
    expect(resourcesOf(json, 'alicloud_oss_bucket')[0].lifecycle_rule.map((r: { prefix: string }) => r.prefix)).toEqual(['env/dev/', 'env/prod/']);
  });
});
