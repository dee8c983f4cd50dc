import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { DataResource, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { DataWorksDataSource } from '../../.gen/providers/alicloud/data-works-data-source';
import { OtsInstance } from '../../.gen/providers/alicloud/ots-instance';
import { OtsTable } from '../../.gen/providers/alicloud/ots-table';
import { SINGLE_TABLE_ADDRESSES } from '../../stacks/single-table-layout';
import { checkConformance, formatViolations, loadAlicloudSchema } from '../../lib/bindings/conformance';
import { loadAlicloudRules } from '../../lib/bindings/provider-rules';
import { buildApp } from '../../lib/app';
import { projectConfig } from '../../lib/config/environments';
import { ConfigurationError } from '../../lib/config/validate';
import { BackupBucket } from '../../lib/constructs/backup-bucket';
import { syncPermissionsFor, SyncPolicyProps, syncResourceArns } from '../../lib/constructs/sync-permissions';
import { resolveReferences } from '../support/terraform-json';
import { ENVIRONMENTS, resourcesOf, StackJson, synthAll, synthEnvironment } from './synth';

const stacks = synthAll();

const schema = loadAlicloudSchema();
const rules = loadAlicloudRules();

describe('synthesized stacks', () => {
  it('has a bootstrap stack and one stack per environment', () => {
    expect([...stacks.keys()]).toEqual(['bootstrap', 'dev', 'staging', 'prod']);
  });

  // An infrastructure review reads as the diff of these snapshots.
  it.each([...stacks.keys()])('%s matches its reviewed snapshot', name => {
    expect(stacks.get(name)).toMatchSnapshot();
  });

  it.each(ENVIRONMENTS)('%s schedules the Data Integration job only: no Shell node, no runtime bundle in the bucket', name => {
    expect(resourcesOf(stacks.get(name)!, 'alicloud_oss_bucket_object')).toEqual([]);
    const nodes = resourcesOf(stacks.get(name)!, 'terraform_data')
      .map(m => m.triggers_replace as { kind: string; flowSpec?: string })
      .filter(t => t.kind === 'sync-node');
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) expect(JSON.stringify(n)).not.toContain('DIDE_SHELL');
  });

  it.each(ENVIRONMENTS)('%s owns its table Stream, time series table and sync nodes through terraform_data', name => {
    const env = projectConfig.environments.find(e => e.name === name)!;
    const managed = resourcesOf(stacks.get(name)!, 'terraform_data');
    const kinds = managed.map(m => (m.triggers_replace as { kind: string }).kind).sort();
    expect(kinds).toEqual(['alert-rule', 'alert-rule', 'alert-rule', 'alert-rule', 'sync-node', 'sync-node', 'table-stream', 'timeseries-table']);
    const stream = managed.find(m => (m.triggers_replace as { kind: string }).kind === 'table-stream')!;
    expect(stream.triggers_replace).toMatchObject({ tableName: env.tablestore.tables[0].name, retentionHours: env.tablestore.streamRetentionHours });
    expect(stream.lifecycle).toEqual({ create_before_destroy: true });
  });

  it.each(ENVIRONMENTS)('%s declares a failure and a lateness alert rule per sync node, after it, without the webhook URL', name => {
    const managed = resourcesOf(stacks.get(name)!, 'terraform_data');
    const nodes = managed.filter(m => (m.triggers_replace as { kind: string }).kind === 'sync-node').map(m => (m.triggers_replace as { nodeName: string }).nodeName);
    const alertRules = managed.filter(m => (m.triggers_replace as { kind: string }).kind === 'alert-rule');
    expect(alertRules.map(r => (r.triggers_replace as { ruleName: string }).ruleName).sort()).toEqual(nodes.flatMap(n => [`${n}_failed`, `${n}_late`]).sort());
    for (const r of alertRules) {
      expect((r.depends_on as string[]).some(d => d.startsWith('terraform_data.sync-node-'))).toBe(true);
      expect((r.triggers_replace as { notification: { Receivers: unknown[] } }).notification.Receivers)
        .toContainEqual({ ReceiverType: 'DingdingUrl', ReceiverValuesFromEnvironment: `OTSBK_ALERT_DINGTALK_WEBHOOK_${name.toUpperCase()}` });
    }
    expect(JSON.stringify(stacks.get(name))).not.toMatch(/dingtalk\.com|access_token/);
  });

  it.each([...stacks.keys()])('%s uses only attributes and blocks of the pinned alicloud provider schema, with values its rules accept', name => {
    const violations = checkConformance(stacks.get(name), schema, { rules });
    expect(formatViolations(violations)).toBe(formatViolations([]));
  });

  it('the conformance check fails on a value the provider\'s ValidateFunc refuses', () => {
    const tampered = JSON.parse(JSON.stringify(stacks.get('dev'))) as StackJson;
    const project = Object.values(tampered.resource!.alicloud_data_works_project)[0];
    project.display_name = 'Tablestore backup (dev)';
    const violations = checkConformance(tampered, schema, { rules });
    expect(violations).toEqual([expect.objectContaining({ kind: 'invalid-value', message: String.raw`"Tablestore backup (dev)" does not match ^[\w.,;/@-]+$` })]);
    expect(violations[0].path).toMatch(/^resource\.alicloud_data_works_project\.\w+\.display_name$/);
  });

  it('the conformance check fails on an attribute the provider does not have', () => {
    const tampered = JSON.parse(JSON.stringify(stacks.get('dev'))) as StackJson;
    const bucket = Object.values(tampered.resource!.alicloud_oss_bucket)[0];
    bucket.bucket_acl = 'private';
    const violations = checkConformance(tampered, schema);
    expect(violations.map(v => v.kind)).toContain('unknown-attribute');
  });

  it.each(ENVIRONMENTS)('%s keeps state in the OSS backend with its own prefix and the Tablestore lock table', name => {
    const env = projectConfig.environments.find(e => e.name === name)!;
    expect((stacks.get(name)!.terraform as any).backend.oss).toEqual({
      bucket: 'otsbk-terraform-state',
      prefix: env.state.prefix,
      key: 'terraform.tfstate',
      region: 'cn-hangzhou',
      encrypt: true,
      acl: 'private',
      tablestore_endpoint: 'https://otsbk-tfstate.cn-hangzhou.ots.aliyuncs.com',
      tablestore_table: env.state.lockTableName,
    });
  });

  it('bootstrap keeps local state and creates the state bucket and one lock table per environment', () => {
    const bootstrap = stacks.get('bootstrap')!;
    expect((bootstrap.terraform as any).backend).toEqual({ local: { path: 'terraform.bootstrap.tfstate' } });
    expect(resourcesOf(bootstrap, 'alicloud_oss_bucket')[0]).toMatchObject({ bucket: 'otsbk-terraform-state', versioning: { status: 'Enabled' } });
    const lockTables = resourcesOf(bootstrap, 'alicloud_ots_table');
    expect(lockTables.map(t => t.table_name).sort()).toEqual(['terraform_lock_dev', 'terraform_lock_prod', 'terraform_lock_staging']);
    for (const table of lockTables) {
      expect(table).toMatchObject({ primary_key: [{ name: 'LockID', type: 'String' }], lifecycle: { prevent_destroy: true } });
    }
  });

  it.each(ENVIRONMENTS)('%s outputs what a user needs', name => {
    expect(Object.keys(stacks.get(name)!.output!).sort()).toEqual(
      expect.arrayContaining(['bucket', 'data_sources', 'export_prefix', 'status_tables', 'sync_nodes', 'tables', 'tablestore_endpoints']),
    );
  });
});

describe('policy', () => {
  it.each(ENVIRONMENTS)('%s grants no wildcard RAM action or resource', name => {
    const env = projectConfig.environments.find(e => e.name === name)!;
    const policies = resourcesOf(stacks.get(name)!, 'alicloud_ram_policy');
    // Role mode adds the Tablestore-only policy of the Tablestore data sources' user.
    expect(policies.map(p => p.policy_name)).toEqual(env.ram.mode === 'role' ? [`${env.namePrefix}-sync`, `${env.namePrefix}-sync-ots`] : [`${env.namePrefix}-sync`]);
    for (const policy of policies) {
      const doc = JSON.parse(policy.policy_document as string);
      expect(doc.Version).toBe('1');
      for (const statement of doc.Statement) {
        for (const action of statement.Action) expect(action).not.toMatch(/\*/);
        for (const resource of statement.Resource) {
          expect(resource).not.toBe('*');
          expect(resource).toMatch(/^acs:(ots|oss|kms):/);
        }
      }
    }
  });

  it.each(ENVIRONMENTS)('%s names the bucket and the tables it manages in the policies through their resources (so Terraform creates them first)', name => {
    const stack = stacks.get(name)!;
    const env = projectConfig.environments.find(e => e.name === name)!;
    for (const policy of resourcesOf(stack, 'alicloud_ram_policy')) {
      const resources: string[] = JSON.parse(policy.policy_document as string).Statement.flatMap((s: { Resource: string[] }) => s.Resource);
      for (const arn of resources.filter(r => r.startsWith('acs:ots:'))) {
        // Every instance and wide-column table of these environments is created or imported: an ARN names the table
        // resource; a time series table (no provider resource) is named as configured, in its instance's resource.
        expect(arn).toMatch(new RegExp(`^acs:ots:${env.region}:\\$\\{data\\.alicloud_account\\.account\\.id\\}:instance/(`
          + '\\$\\{lower\\(alicloud_ots_table\\.([^.]+)\\.instance_name\\)\\}/table/\\$\\{alicloud_ots_table\\.\\2\\.table_name\\}'
          + '|\\$\\{lower\\(alicloud_ots_instance\\.[^.]+\\.name\\)\\}/table/device_metrics)$'));
      }
      for (const arn of resources.filter(r => r.startsWith('acs:oss:'))) expect(arn).toContain('${alicloud_oss_bucket.');
    }
    expect(env.tablestore.tables.every(t => t.adopt !== 'reference')).toBe(true);
  });

  it.each(ENVIRONMENTS)('%s grants exactly the permission table rows of its engine, on its tables, prefix and key', name => {
    const env = projectConfig.environments.find(e => e.name === name)!;
    // As Terraform resolves the references: the ARNs must be exactly those of the configured names.
    const doc = JSON.parse(resolveReferences(stacks.get(name)!, resourcesOf(stacks.get(name)!, 'alicloud_ram_policy').find(p => p.policy_name === `${env.namePrefix}-sync`)!.policy_document as string));
    const granted = new Set<string>(doc.Statement.flatMap((s: { Action: string[]; Resource: string[] }) => s.Action.flatMap(a => s.Resource.map(r => `${a} ${r}`))));
    const refs = (kind: string) => env.tablestore.tables.filter(t => t.kind === kind && t.enabled !== false)
      .map(t => ({ instanceName: t.instance ?? env.tablestore.instances[0].name, tableName: t.name }));
    const createdKeys = Object.keys(stacks.get(name)!.resource?.alicloud_kms_key ?? {});
    const kms = env.bucket.kms;
    const kmsKeyId = kms === undefined ? undefined : 'keyId' in kms ? kms.keyId : `\${alicloud_kms_key.${createdKeys[0]}.id}`;
    const props: SyncPolicyProps = {
      engine: env.engine, region: env.region, accountId: '${data.alicloud_account.account.id}',
      dataTables: refs('wide-column'), timeseriesTables: refs('timeseries'),
      statusTables: env.tablestore.instances.map(i => ({ instanceName: i.name, tableName: i.statusTableName })),
      // No runtime releases in the bucket (the runtime is not scheduled); the Data Integration rows never use this prefix.
      bucketName: env.bucket.name, exportPrefix: env.bucket.exportPrefix, kmsKeyId,
    };
    const expected = new Set(syncPermissionsFor(props).flatMap(p => syncResourceArns(p.resource, props).map(r => `${p.action} ${r}`)));
    expect([...granted].sort()).toEqual([...expected].sort());
  });

  it.each([...stacks.keys()])('%s: every bucket policy is the TLS-only document (Principal *, every OSS action)', name => {
    const stack = stacks.get(name)!;
    const buckets = resourcesOf(stack, 'alicloud_oss_bucket');
    const policies = resourcesOf(stack, 'alicloud_oss_bucket_policy');
    expect(buckets.length).toBeGreaterThan(0);
    expect(policies.map(p => JSON.parse(p.policy as string)))
      .toEqual(buckets.map(b => JSON.parse(BackupBucket.tlsOnlyPolicyDocument(b.bucket as string).toJsonString())));
  });

  it.each(ENVIRONMENTS)('%s bucket is private, versioned, encrypted, blocks public access and denies plain HTTP', name => {
    const stack = stacks.get(name)!;
    const [bucket] = resourcesOf(stack, 'alicloud_oss_bucket');
    expect(bucket.versioning).toEqual({ status: 'Enabled' });
    expect((bucket.server_side_encryption_rule as { sse_algorithm: string }).sse_algorithm).toMatch(/^(AES256|KMS)$/);
    expect(bucket).not.toHaveProperty('acl');
    expect(resourcesOf(stack, 'alicloud_oss_bucket_acl')).toEqual([expect.objectContaining({ acl: 'private' })]);
    expect(resourcesOf(stack, 'alicloud_oss_bucket_public_access_block')).toEqual([expect.objectContaining({ block_public_access: true })]);
    const [policy] = resourcesOf(stack, 'alicloud_oss_bucket_policy');
    const statement = JSON.parse(policy.policy as string).Statement[0];
    expect(statement).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'acs:SecureTransport': ['false'] } } });
  });

  it('prod never force-destroys its bucket and protects its tables; dev allows teardown', () => {
    const bucketOf = (name: string) => resourcesOf(stacks.get(name)!, 'alicloud_oss_bucket')[0];
    expect(bucketOf('prod').force_destroy).toBe(false);
    expect(bucketOf('staging').force_destroy).toBe(false);
    expect(bucketOf('dev').force_destroy).toBe(true);
    const prodTables = resourcesOf(stacks.get('prod')!, 'alicloud_ots_table').filter(t => t.table_name === 'device_readings');
    expect(prodTables[0].lifecycle).toEqual({ prevent_destroy: true });
  });

  it('an explicit OTSBK_ALLOW_TEARDOWN=prod lifts table protection but never force-destroys the prod bucket', () => {
    const allowed = synthEnvironment('prod', projectConfig, { allowTeardownOf: 'prod' });
    const table = resourcesOf(allowed, 'alicloud_ots_table').find(t => t.table_name === 'device_readings')!;
    expect(table.lifecycle).toBeUndefined();
    expect(resourcesOf(allowed, 'alicloud_oss_bucket')[0].force_destroy).toBe(false);
  });

  it('never writes an AccessKey secret into the synthesized JSON', () => {
    for (const [, stack] of stacks) {
      const text = JSON.stringify(stack);
      expect(text).not.toMatch(/LTAI[0-9A-Za-z]{12,}/);
      for (const output of Object.values(stack.output ?? {})) {
        if (String(output.value).includes('.secret}')) expect(output.sensitive).toBe(true);
      }
      for (const variable of Object.values(stack.variable ?? {})) expect(variable).toMatchObject({ sensitive: true });
    }
  });
});

describe('invalid configuration', () => {
  it('stops synthesis before any stack output is written', () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otsbk-synth-')), 'cdktf.out');
    const broken = {
      ...projectConfig,
      environments: projectConfig.environments.map(e => (e.name === 'staging' ? { ...e, bucket: { ...e.bucket, name: 'Not_A_Bucket' } } : e)),
    };
    expect(() => buildApp(broken, { outdir }).synth()).toThrow(ConfigurationError);
    expect(() => buildApp(broken, { outdir })).toThrow(
      'environment "staging": bucket.name: "Not_A_Bucket" is invalid: must be 3–63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit',
    );
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it('a valid configuration writes every stack', () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otsbk-synth-')), 'cdktf.out');
    buildApp(projectConfig, { outdir }).synth();
    expect(fs.readdirSync(path.join(outdir, 'stacks')).sort()).toEqual(['bootstrap', 'dev', 'prod', 'staging']);
  });
});

describe('migration from the single-table layout', () => {
  it('moves from exactly the addresses the single-table construct paths synthesized', () => {
    // The construct paths of the single-table layout, rebuilt: their logical ids are what its state holds.
    const stack = new TerraformStack(Testing.app(), 'legacy');
    const tablestore = new Construct(stack, 'tablestore');
    const dataworks = new Construct(stack, 'dataworks');
    const managed = (id: string) => new DataResource(new Construct(new Construct(stack, id), 'managed'), 'resource', {});
    const address = (r: TerraformResource) => `${r.terraformResourceType}.${r.friendlyUniqueId}`;
    expect({
      instance: address(new OtsInstance(tablestore, 'instance', { name: 'x' })),
      dataTable: address(new OtsTable(tablestore, 'data-table', { instanceName: 'x', tableName: 't', primaryKey: [], maxVersion: 1, timeToLive: -1 })),
      statusTable: address(new OtsTable(tablestore, 'status-table', { instanceName: 'x', tableName: 's', primaryKey: [], maxVersion: 1, timeToLive: -1 })),
      tablestoreDataSource: address(new DataWorksDataSource(dataworks, 'tablestore', { dataSourceName: 'd', type: 'tablestore', projectId: 1, connectionProperties: '{}', connectionPropertiesMode: 'UrlMode' })),
      dataTableStream: address(managed('data-table-stream')),
      dataTableNode: address(managed('sync-node-data-table')),
      timeseriesTable: address(managed('timeseries-table')),
      timeseriesNode: address(managed('sync-node-timeseries-table')),
    }).toEqual(SINGLE_TABLE_ADDRESSES);
  });

  it.each(ENVIRONMENTS)('%s carries every single-table address over with a moved block', name => {
    const moved = (stacks.get(name) as StackJson & { moved?: Array<{ from: string; to: string }> }).moved ?? [];
    expect(moved.map(m => m.from).sort()).toEqual(Object.values(SINGLE_TABLE_ADDRESSES).sort());
    const addresses = new Set(Object.entries(stacks.get(name)!.resource ?? {}).flatMap(([type, rs]) => Object.keys(rs).map(k => `${type}.${k}`)));
    for (const m of moved) expect(addresses.has(m.to)).toBe(true);
  });
});
