import { Construct } from 'constructs';
import { OssBackend, TerraformStack } from 'cdktf';
import { OtsInstance } from '../../.gen/providers/alicloud/ots-instance';
import { OtsTable } from '../../.gen/providers/alicloud/ots-table';
import { BackupBucket } from './backup-bucket';
import { tablestoreEndpointFor } from '../tablestore/endpoints';
import { ConstructPropsError } from './validate';

/** Terraform's OSS backend locks state through a Tablestore table with exactly this primary key. */
export const LOCK_TABLE_PRIMARY_KEY = [{ name: 'LockID', type: 'String' }] as const;

export interface StateLocation {
  /** Region of the state bucket and the lock instance. */
  readonly region: string;
  /** The state bucket (StateStore). */
  readonly bucket: string;
  /** Key prefix of this stack's state object. */
  readonly prefix: string;
  /** Tablestore instance holding the lock tables. */
  readonly lockInstanceName: string;
  /** This environment's lock table (primary key LOCK_TABLE_PRIMARY_KEY). */
  readonly lockTableName: string;
}

/** Points a stack's state at the shared OSS bucket, locked through the Tablestore lock table. */
export function useOssStateBackend(stack: TerraformStack, location: StateLocation): OssBackend {
  return new OssBackend(stack, {
    bucket: location.bucket,
    prefix: location.prefix,
    key: 'terraform.tfstate',
    region: location.region,
    encrypt: true,
    acl: 'private',
    // Terraform runs where cdktf runs; the lock instance accepts the internet (its network_type_acl below).
    tablestoreEndpoint: tablestoreEndpointFor(location.lockInstanceName, location.region, 'internet'),
    tablestoreTable: location.lockTableName,
  });
}

/** `region` and `lockInstanceName` are those every environment's StateLocation names; the store creates the instance. */
export interface StateStoreProps extends Pick<StateLocation, 'region' | 'lockInstanceName'> {
  /** Globally unique name of the state bucket. */
  readonly bucketName: string;
  /** One lock table per environment, so one environment's lock never blocks another's deploy. */
  readonly lockTableNames: readonly string[];
  /** Each environment's state key prefix: the lifecycle rules keep old state versions there, and nowhere else. */
  readonly statePrefixes: readonly string[];
  /** @default - no tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The state bucket every environment's backend uses, and each environment's lock table. The bootstrap stack creates it with local
 * state, since it cannot keep its own state in the bucket it is creating.
 */
export class StateStore extends Construct {
  readonly bucket: BackupBucket;
  readonly lockTables: OtsTable[];

  constructor(scope: Construct, id: string, props: StateStoreProps) {
    super(scope, id);
    // Same safe defaults as the backup bucket; old state versions are kept for 90 days for recovery.
    this.bucket = new BackupBucket(this, 'bucket', {
      bucketName: props.bucketName,
      lifecycle: { noncurrentVersionExpireDays: 90, abortMultipartUploadDays: 1 },
      lifecyclePrefixes: [...new Set(props.statePrefixes)],
      forceDestroy: false,
      tags: props.tags,
    });
    const lifecycle = { preventDestroy: true };
    const instance = new OtsInstance(this, 'lock-instance', {
      name: props.lockInstanceName,
      description: 'Terraform state locks',
      instanceType: 'Capacity',
      networkTypeAcl: ['VPC', 'INTERNET'],
      tags: props.tags ? { ...props.tags } : undefined,
      lifecycle,
    });
    if (props.lockTableNames.length === 0 || new Set(props.lockTableNames).size !== props.lockTableNames.length) {
      throw new ConstructPropsError(`StateStore ${this.node.path}`, 'lockTableNames', `must be distinct and at least one, got [${props.lockTableNames.join(', ')}]`);
    }
    this.lockTables = props.lockTableNames.map(name => new OtsTable(this, `lock-table-${name}`, {
      instanceName: instance.name,
      tableName: name,
      primaryKey: LOCK_TABLE_PRIMARY_KEY.map(k => ({ ...k })),
      maxVersion: 1,
      timeToLive: -1,
      lifecycle,
    }));
  }
}
