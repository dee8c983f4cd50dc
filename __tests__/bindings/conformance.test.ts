import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { ALICLOUD_PROVIDER, SNAPSHOT_DATA_SOURCE_TYPES, SNAPSHOT_RESOURCE_TYPES } from '../../lib/bindings/alicloud-provider';
import { checkConformance, formatViolations, loadAlicloudSchema, Violation } from '../../lib/bindings/conformance';
import { loadAlicloudRules, ProviderRulesDocument, rulesDocumentProblems } from '../../lib/bindings/provider-rules';
import { DataAlicloudAccount } from '../../.gen/providers/alicloud/data-alicloud-account';
import { OssBucket } from '../../.gen/providers/alicloud/oss-bucket';
import { OtsTable } from '../../.gen/providers/alicloud/ots-table';
import { AlicloudProvider } from '../../.gen/providers/alicloud/provider';

const schema = loadAlicloudSchema();
const rules = loadAlicloudRules();
const GEN = path.resolve(__dirname, '..', '..', '.gen', 'providers', 'alicloud');

/** A stack with one resource instance `r` of `type` configured with `config`. */
function resourceStack(type: string, config: Record<string, unknown>): unknown {
  return { resource: { [type]: { r: config } } };
}

function kinds(violations: readonly Violation[]): string[] {
  return violations.map((v) => `${v.kind} ${v.path}`);
}

const validTable = {
  instance_name: 'backup',
  table_name: 'checkpoints',
  time_to_live: -1,
  max_version: 1,
  primary_key: [{ name: 'pk', type: 'String' }],
};

describe('schema snapshot', () => {
  test('covers exactly the requested resources and data sources', () => {
    expect(Object.keys(schema.resource_schemas ?? {}).sort()).toEqual([...SNAPSHOT_RESOURCE_TYPES].sort());
    expect(Object.keys(schema.data_source_schemas ?? {}).sort()).toEqual([...SNAPSHOT_DATA_SOURCE_TYPES].sort());
  });

  test('reports the SDK conventions: implicit id, timeouts, required blocks', () => {
    const bucketAcl = schema.resource_schemas!.alicloud_oss_bucket_acl.block;
    expect(bucketAcl.attributes!.id).toMatchObject({ type: 'string', optional: true, computed: true });
    expect(bucketAcl.block_types!.timeouts.nesting_mode).toBe('single');
    const table = schema.resource_schemas!.alicloud_ots_table.block;
    expect(table.block_types!.primary_key).toMatchObject({ nesting_mode: 'list', min_items: 1, max_items: 4 });
    expect(schema.provider.block.attributes!.region).toMatchObject({ type: 'string', optional: true });
    expect(schema.provider.block.block_types!.assume_role).toMatchObject({ nesting_mode: 'set', max_items: 1 });
  });

  test('every type has a generated binding file', () => {
    const folder = (type: string): string => type.replace(/^alicloud_/, '').replace(/_/g, '-');
    for (const type of SNAPSHOT_RESOURCE_TYPES) expect(fs.existsSync(path.join(GEN, folder(type), 'index.ts'))).toBe(true);
    for (const type of SNAPSHOT_DATA_SOURCE_TYPES) {
      expect(fs.existsSync(path.join(GEN, `data-${type.replace(/_/g, '-')}`, 'index.ts'))).toBe(true);
    }
    expect(fs.existsSync(path.join(GEN, 'provider', 'index.ts'))).toBe(true);
    const versions = JSON.parse(fs.readFileSync(path.join(GEN, '..', '..', 'versions.json'), 'utf8'));
    expect(versions).toEqual({ [ALICLOUD_PROVIDER.fqpn]: ALICLOUD_PROVIDER.version });
  });
});

describe('checkConformance', () => {
  test('accepts a valid configuration with meta-arguments, interpolations and a provider block', () => {
    const stack = {
      provider: { alicloud: [{ region: 'cn-hangzhou', alias: 'hz', assume_role: [{ role_arn: '${var.role}' }] }] },
      resource: {
        alicloud_ots_table: {
          t: { ...validTable, time_to_live: '${var.ttl}', depends_on: ['alicloud_ots_instance.i'], '//': { metadata: {} } },
        },
        alicloud_oss_bucket: {
          b: {
            bucket: 'my-bucket',
            tags: { env: 'dev' },
            versioning: { status: 'Enabled' },
            lifecycle_rule: [{ enabled: true, expiration: [{ days: '30' }] }],
            lifecycle: { prevent_destroy: true },
            provider: 'alicloud.hz',
            policy: null,
          },
        },
        alicloud_oss_bucket_acl: { a: { bucket: '${alicloud_oss_bucket.b.id}', acl: 'private', timeouts: { create: '5m' } } },
        null_resource: { ignored: { anything: 1 } },
      },
      data: { alicloud_account: { current: {} } },
    };
    expect(formatViolations(checkConformance(stack, schema))).toBe('');
  });

  test('unknown attribute and unknown block', () => {
    const v = checkConformance(resourceStack('alicloud_ots_table', { ...validTable, colour: 'red', colours: [{ a: 1 }] }), schema);
    expect(kinds(v)).toEqual([
      'unknown-attribute resource.alicloud_ots_table.r.colour',
      'unknown-block resource.alicloud_ots_table.r.colours',
    ]);
  });

  test('unknown attribute inside a nested block', () => {
    const v = checkConformance(
      resourceStack('alicloud_ots_table', { ...validTable, primary_key: [{ name: 'pk', type: 'String', size: 3 }] }),
      schema,
    );
    expect(kinds(v)).toEqual(['unknown-attribute resource.alicloud_ots_table.r.primary_key[0].size']);
  });

  test('missing required attribute, also when null', () => {
    const { max_version: _omitted, ...rest } = validTable;
    void _omitted;
    const v = checkConformance(resourceStack('alicloud_ots_table', { ...rest, table_name: null }), schema);
    expect(kinds(v).sort()).toEqual([
      'missing-required-attribute resource.alicloud_ots_table.r.max_version',
      'missing-required-attribute resource.alicloud_ots_table.r.table_name',
    ]);
  });

  test('missing required block (min_items)', () => {
    const { primary_key: _omitted, ...rest } = validTable;
    void _omitted;
    expect(kinds(checkConformance(resourceStack('alicloud_ots_table', rest), schema))).toEqual([
      'missing-required-block resource.alicloud_ots_table.r.primary_key',
    ]);
    expect(kinds(checkConformance(resourceStack('alicloud_ots_table', { ...rest, primary_key: [] }), schema))).toEqual([
      'missing-required-block resource.alicloud_ots_table.r.primary_key',
    ]);
  });

  test('block count above max_items', () => {
    const keys = Array.from({ length: 5 }, (_, i) => ({ name: `k${i}`, type: 'String' }));
    const v = checkConformance(resourceStack('alicloud_ots_table', { ...validTable, primary_key: keys }), schema);
    expect(kinds(v)).toEqual(['block-count resource.alicloud_ots_table.r.primary_key']);
    expect(v[0].message).toContain('5 primary_key block(s) given; allowed 1..4');
  });

  test('wrong primitive and collection types', () => {
    const v = checkConformance(
      resourceStack('alicloud_oss_bucket', {
        force_destroy: 'yes',
        tags: ['a'],
        cors_rule: [{ allowed_methods: 'GET', allowed_origins: ['*'], max_age_seconds: 'ten' }],
        policy: { Version: '1' },
      }),
      schema,
    );
    expect(kinds(v)).toEqual([
      'wrong-type resource.alicloud_oss_bucket.r.cors_rule[0].allowed_methods',
      'wrong-type resource.alicloud_oss_bucket.r.cors_rule[0].max_age_seconds',
      'wrong-type resource.alicloud_oss_bucket.r.force_destroy',
      'wrong-type resource.alicloud_oss_bucket.r.policy',
      'wrong-type resource.alicloud_oss_bucket.r.tags',
    ]);
  });

  test('an interpolation is accepted for any type, a literal string is not a list', () => {
    const ok = checkConformance(
      resourceStack('alicloud_oss_bucket', { force_destroy: '${var.f}', tags: '${var.tags}', lifecycle_rule_allow_same_action_overlap: 'true' }),
      schema,
    );
    expect(ok).toEqual([]);
    expect(kinds(checkConformance(resourceStack('alicloud_ram_role', { name: 'r', ram_users: 'alice' }), schema))).toEqual([
      'wrong-type resource.alicloud_ram_role.r.ram_users',
    ]);
  });

  test('computed-only attribute set', () => {
    const v = checkConformance(resourceStack('alicloud_oss_bucket', { bucket: 'b', creation_date: '2024-01-01' }), schema);
    expect(kinds(v)).toEqual(['computed-attribute-set resource.alicloud_oss_bucket.r.creation_date']);
    const data = checkConformance({ data: { alicloud_caller_identity: { me: { arn: 'x' } } } }, schema);
    expect(kinds(data)).toEqual(['computed-attribute-set data.alicloud_caller_identity.me.arn']);
  });

  test('provider block: unknown argument, wrong type, too many assume_role blocks', () => {
    const v = checkConformance(
      {
        provider: {
          alicloud: [{ region: 'cn-hangzhou', regoin: 'typo', max_retry_timeout: 'soon', assume_role: [{ role_arn: 'a' }, { role_arn: 'b' }] }],
        },
      },
      schema,
    );
    expect(kinds(v)).toEqual([
      'block-count provider.alicloud[0].assume_role',
      'wrong-type provider.alicloud[0].max_retry_timeout',
      'unknown-attribute provider.alicloud[0].regoin',
    ]);
  });

  test('meta-arguments are allowed only where Terraform allows them', () => {
    const v = checkConformance({ data: { alicloud_regions: { r: { current: true, provisioner: [] } } } }, schema);
    expect(kinds(v)).toEqual(['unknown-attribute data.alicloud_regions.r.provisioner']);
  });

  test('alicloud types outside the snapshot are reported, other providers ignored', () => {
    const v = checkConformance({ resource: { alicloud_vpc: { v: {} }, random_id: { r: { x: 1 } } } }, schema);
    expect(kinds(v)).toEqual(['unknown-type resource.alicloud_vpc']);
  });

  test('a stack synthesized with the generated bindings conforms', () => {
    const app: App = Testing.app();
    const stack = new TerraformStack(app, 'conformance');
    new AlicloudProvider(stack, 'alicloud', { region: 'cn-shanghai' });
    const table = new OtsTable(stack, 'table', {
      instanceName: 'inst',
      tableName: 'tbl',
      timeToLive: -1,
      maxVersion: 1,
      primaryKey: [{ name: 'pk', type: 'String' }],
    });
    new OssBucket(stack, 'bucket', {
      bucket: `backup-${table.tableName}`,
      versioning: { status: 'Enabled' },
      lifecycleRule: [{ enabled: true, prefix: 'x/', expiration: [{ days: 7 }] }],
      serverSideEncryptionRule: { sseAlgorithm: 'AES256' },
      dependsOn: [table],
    });
    new DataAlicloudAccount(stack, 'account');
    const synthesized = JSON.parse(Testing.synth(stack)) as unknown;
    expect(formatViolations(checkConformance(synthesized, schema))).toBe('');
  });
});

describe('provider rules (ValidateFunc and cross-attribute constraints)', () => {
  const check = (stack: unknown): string[] => checkConformance(stack, schema, { rules }).map((v) => `${v.kind} ${v.path}: ${v.message}`);

  test('the rules file was read from the same provider release as the schema snapshot', () => {
    expect(rules.provider).toEqual({ source: ALICLOUD_PROVIDER.source, version: ALICLOUD_PROVIDER.version, commit: ALICLOUD_PROVIDER.commit });
    expect(rulesDocumentProblems(rules, schema, ALICLOUD_PROVIDER)).toEqual([]);
    expect(Object.keys(rules.resources).sort()).toEqual([...SNAPSHOT_RESOURCE_TYPES].sort());
  });

  test('a rules file that does not belong with the snapshot is refused', () => {
    const tampered = JSON.parse(JSON.stringify(rules)) as { -readonly [K in keyof ProviderRulesDocument]: any };
    tampered.provider = { ...tampered.provider, version: '1.288.0' };
    tampered.resources.alicloud_ots_table.colour = { validate: [{ kind: 'json' }] };
    tampered.resources.alicloud_ram_policy.name = { conflicts_with: ['policy_nme'] };
    tampered.resources.alicloud_oss_bucket_versioning.status = { validate: [{ kind: 'one-of', values: ['Enabled'], ignoreCase: true }] };
    delete tampered.resources.alicloud_ram_user;
    expect(rulesDocumentProblems(tampered as ProviderRulesDocument, schema, ALICLOUD_PROVIDER)).toEqual([
      'provider.version is "1.288.0", the snapshot is "1.289.0"',
      expect.stringMatching(/^resources covers .* the schema snapshot has .*alicloud_ram_user,/),
      'resources.alicloud_oss_bucket_versioning.status: rule {"kind":"one-of","values":["Enabled"],"ignoreCase":true} is not a one-of rule (kind, values, ignore_case)',
      'resources.alicloud_ots_table.colour: no such attribute in the schema snapshot',
      'resources.alicloud_ram_policy.name: refers to policy_nme, which the schema snapshot does not have',
    ]);
  });

  test('values the provider validators refuse, at any depth; interpolations wait for apply', () => {
    const stack = {
      resource: {
        alicloud_ots_table: { t: { ...validTable, table_name: '9-readings', time_to_live: -2, primary_key: [{ name: 'pk', type: 'Float' }] } },
        alicloud_oss_bucket: {
          b: {
            bucket: 'ab',
            redundancy_type: '${var.redundancy}',
            lifecycle_rule: [{ enabled: true, expiration: [{ date: '2024-02-30' }], transitions: [{ days: 30, storage_class: 'Glacier' }] }],
          },
        },
        alicloud_oss_bucket_versioning: { v: { bucket: 'b', status: 'enabled' } },
      },
      provider: { alicloud: { region: 'cn-hangzhou', protocol: 'FTP' } },
    };
    expect(check(stack)).toEqual([
      'invalid-value resource.alicloud_oss_bucket.b.bucket: "ab" must be 3 to 63 bytes long, is 2',
      'invalid-value resource.alicloud_oss_bucket.b.lifecycle_rule[0].expiration[0].date: "2024-02-30" must be a date YYYY-MM-DD',
      'invalid-value resource.alicloud_oss_bucket.b.lifecycle_rule[0].transitions[0].storage_class: "Glacier" must be one of Standard, IA, Archive, ColdArchive, DeepColdArchive',
      'invalid-value resource.alicloud_ots_table.t.primary_key[0].type: "Float" must be one of Integer, Binary, String',
      String.raw`invalid-value resource.alicloud_ots_table.t.table_name: "9-readings" does not match ^[a-zA-Z_][a-zA-Z0-9_]{0,254}$`,
      'invalid-value resource.alicloud_ots_table.t.time_to_live: -2 must be from -1 to 2147483647',
      'invalid-value provider.alicloud.protocol: "FTP" must be one of HTTP, HTTPS',
    ]);
  });

  test('ConflictsWith and RequiredWith', () => {
    const policy = JSON.stringify({ Version: '1', Statement: [] });
    const stack = {
      resource: {
        alicloud_ram_policy: {
          both: { policy_name: 'p', policy_document: policy, statement: [{ effect: 'Allow', action: ['oss:GetObject'], resource: ['*'] }] },
          later: { policy_name: 'q', policy_document: '${data.x.json}', name: 'q' },
        },
        alicloud_oss_bucket_object: {
          o: { bucket: 'b', key: 'k', content: 'x', object_worm_mode: 'COMPLIANCE' },
          // RequiredWith holds for a value known only at apply; ConflictsWith waits for it.
          p: { bucket: 'b', key: 'p', content: '${var.body}', source: 'file.txt', object_worm_mode: '${var.mode}' },
        },
      },
    };
    expect(check(stack)).toEqual([
      'required-with resource.alicloud_oss_bucket_object.o.object_worm_mode: all of object_worm_mode, object_worm_retain_until_date must be specified',
      'required-with resource.alicloud_oss_bucket_object.p.object_worm_mode: all of object_worm_mode, object_worm_retain_until_date must be specified',
      'conflicting-attributes resource.alicloud_ram_policy.both.policy_document: policy_document conflicts with statement',
      'conflicting-attributes resource.alicloud_ram_policy.later.name: name conflicts with policy_name',
      'conflicting-attributes resource.alicloud_ram_policy.later.policy_name: policy_name conflicts with name',
    ]);
  });
});
