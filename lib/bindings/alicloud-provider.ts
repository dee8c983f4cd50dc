/**
 * The alicloud provider release the schema snapshot and the generated bindings correspond to,
 * and the resource and data source types the snapshot covers.
 */

export const ALICLOUD_PROVIDER = {
  /** Registry source address, as written in cdktf.json `terraformProviders`. */
  source: 'aliyun/alicloud',
  /** Fully qualified provider name, the key of `provider_schemas`. */
  fqpn: 'registry.terraform.io/aliyun/alicloud',
  /** Local name, the folder under `.gen/providers/`. */
  name: 'alicloud',
  version: '1.289.0',
  /** Commit of aliyun/terraform-provider-alicloud tagged v1.289.0 that the snapshot was read from. */
  commit: '28ee93bc63fa0e5f919a21fc1711bde8c45d7b44',
  /** The terraform-plugin-sdk release that provider version builds against (go.mod). */
  pluginSdk: 'github.com/hashicorp/terraform-plugin-sdk v1.17.2',
} as const;

/** The cdktf.json `terraformProviders` entry that pins exactly this release. */
export const ALICLOUD_PROVIDER_CONSTRAINT = `${ALICLOUD_PROVIDER.source}@= ${ALICLOUD_PROVIDER.version}`;

export const SNAPSHOT_RESOURCE_TYPES = [
  'alicloud_data_works_data_source',
  'alicloud_data_works_project',
  'alicloud_kms_key',
  'alicloud_oss_bucket',
  'alicloud_oss_bucket_acl',
  'alicloud_oss_bucket_object',
  'alicloud_oss_bucket_policy',
  'alicloud_oss_bucket_public_access_block',
  'alicloud_oss_bucket_server_side_encryption',
  'alicloud_oss_bucket_versioning',
  'alicloud_ots_instance',
  'alicloud_ots_table',
  'alicloud_ram_access_key',
  'alicloud_ram_policy',
  'alicloud_ram_role',
  'alicloud_ram_role_policy_attachment',
  'alicloud_ram_user',
  'alicloud_ram_user_policy_attachment',
] as const;

export const SNAPSHOT_DATA_SOURCE_TYPES = ['alicloud_account', 'alicloud_caller_identity', 'alicloud_regions'] as const;

export type SnapshotResourceType = (typeof SNAPSHOT_RESOURCE_TYPES)[number];
export type SnapshotDataSourceType = (typeof SNAPSHOT_DATA_SOURCE_TYPES)[number];
