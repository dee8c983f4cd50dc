import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { OssBucket, OssBucketLifecycleRule } from '../../.gen/providers/alicloud/oss-bucket';
import { OssBucketAcl } from '../../.gen/providers/alicloud/oss-bucket-acl';
import { OssBucketPolicy } from '../../.gen/providers/alicloud/oss-bucket-policy';
import { OssBucketPublicAccessBlock } from '../../.gen/providers/alicloud/oss-bucket-public-access-block';
import { KmsKey } from '../../.gen/providers/alicloud/kms-key';
import { BucketKmsConfig, BucketLifecycle } from '../config/types';
import { Arn, PolicyDocument, PolicyStatement } from './policy-document';
import { grantExportWrite, ISyncGrantee } from './sync-permissions';
import { checkName, ConstructPropsError } from './validate';

export interface BackupBucketProps {
  /** Globally unique OSS bucket name (3–63 lowercase letters, digits and hyphens); may be a token. */
  readonly bucketName: string;
  /** When backups move to IA and Archive, expire, and when old versions and stale multipart uploads are removed. */
  readonly lifecycle: BucketLifecycle;
  /**
   * SSE-KMS with a customer key, existing (`keyId`) or created here with automatic rotation (`create`).
   * @default - OSS-managed keys (AES256)
   */
  readonly kms?: BucketKmsConfig;
  /**
   * Zone-redundant or locally redundant storage.
   * @default 'ZRS' (survives the loss of one zone)
   */
  readonly redundancyType?: 'LRS' | 'ZRS';
  /**
   * Let `terraform destroy` delete a bucket that still holds objects. Only for environments that allow teardown.
   * @default false
   */
  readonly forceDestroy?: boolean;
  /** @default - no tags */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Key prefixes (without trailing `/`) the lifecycle rules apply to, one rule each: the backups (or the state
   * files). Everything else, such as runtime releases and access logs, never ages or expires.
   */
  readonly lifecyclePrefixes: readonly string[];
  /**
   * Where OSS writes this bucket's access logs, in the bucket itself; must lie outside `lifecyclePrefixes`.
   * @default '_otsbk/access-log/'
   */
  readonly accessLogPrefix?: string;
  /**
   * The bucket exists: import it, its ACL, public access block and policy (import id: the bucket name, as the
   * provider documents for each) instead of creating them.
   * @default false
   */
  readonly importExisting?: boolean;
  /**
   * Keep Terraform from deleting the bucket (`prevent_destroy`).
   * @default false
   */
  readonly preventDestroy?: boolean;
}

/** Where access logs go unless told otherwise: beside the runtime releases, outside every lifecycle rule. */
export const DEFAULT_ACCESS_LOG_PREFIX = '_otsbk/access-log/';

/**
 * The OSS bucket the backups land in: private, versioned, encrypted at rest, public access blocked, TLS-only,
 * with lifecycle rules that age backups into colder storage.
 */
export class BackupBucket extends Construct {
  readonly bucket: OssBucket;
  /** The bucket's name, from the resource: referencing it makes Terraform create the bucket first. */
  readonly bucketName: string;
  /** Set when `kms.create` was given: the customer key the bucket encrypts with. */
  readonly kmsKey?: KmsKey;
  /** Id of the customer KMS key the bucket encrypts with (a token when created here), when there is one. */
  readonly kmsKeyId?: string;

  constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    const where = `BackupBucket ${this.node.path}`;
    checkName(where, 'bucketName', 'bucketName', props.bucketName);
    const lc = props.lifecycle;
    if (lc.transitionToIaDays !== undefined && lc.transitionToArchiveDays !== undefined
      && !Token.isUnresolved(lc.transitionToIaDays) && !Token.isUnresolved(lc.transitionToArchiveDays) && lc.transitionToArchiveDays <= lc.transitionToIaDays) {
      throw new ConstructPropsError(where, 'lifecycle.transitionToArchiveDays', `(${lc.transitionToArchiveDays}) must be later than transitionToIaDays (${lc.transitionToIaDays})`);
    }
    const accessLogPrefix = props.accessLogPrefix ?? DEFAULT_ACCESS_LOG_PREFIX;
    if (props.lifecyclePrefixes.length === 0) {
      throw new ConstructPropsError(where, 'lifecyclePrefixes', 'needs at least one prefix (a rule over the whole bucket would age the access logs too)');
    }
    for (const prefix of props.lifecyclePrefixes) {
      if (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/')) {
        throw new ConstructPropsError(where, 'lifecyclePrefixes', `"${prefix}" must be non-empty and must not start or end with "/"`);
      }
      if (accessLogPrefix.startsWith(`${prefix}/`)) {
        throw new ConstructPropsError(where, 'accessLogPrefix', `"${accessLogPrefix}" lies under the lifecycle prefix "${prefix}/"; logs must stay outside the lifecycle rules`);
      }
    }
    if (!accessLogPrefix.endsWith('/') || accessLogPrefix.startsWith('/')) {
      throw new ConstructPropsError(where, 'accessLogPrefix', `"${accessLogPrefix}" must end with "/" and not start with it`);
    }
    if (props.kms && 'create' in props.kms) {
      const create = props.kms.create;
      this.kmsKey = new KmsKey(this, 'kms-key', {
        description: `SSE-KMS key of OSS bucket ${props.bucketName}`,
        keySpec: 'Aliyun_AES_256',
        keyUsage: 'ENCRYPT/DECRYPT',
        automaticRotation: 'Enabled',
        rotationInterval: `${create.rotationIntervalDays}d`,
        ...(create.kmsInstanceId ? { dkmsInstanceId: create.kmsInstanceId } : {}),
        // Deleting the key makes every backup unreadable: protect it wherever the bucket is protected.
        deletionProtection: props.forceDestroy ? 'Disabled' : 'Enabled',
        pendingWindowInDays: 30,
        tags: props.tags ? { ...props.tags } : undefined,
        lifecycle: { preventDestroy: !props.forceDestroy },
      });
      this.kmsKeyId = this.kmsKey.id;
    } else if (props.kms) {
      this.kmsKeyId = props.kms.keyId;
    }

    this.bucket = new OssBucket(this, 'bucket', {
      bucket: props.bucketName,
      storageClass: 'Standard',
      redundancyType: props.redundancyType ?? 'ZRS',
      versioning: { status: 'Enabled' },
      serverSideEncryptionRule: this.kmsKeyId !== undefined
        ? { sseAlgorithm: 'KMS', kmsMasterKeyId: this.kmsKeyId }
        : { sseAlgorithm: 'AES256' },
      lifecycleRule: props.lifecyclePrefixes.map((prefix, i) => lifecycleRule(lc, prefix, props.lifecyclePrefixes.length === 1 ? 'backup-retention' : `retention-${i + 1}`)),
      // Access logs into the bucket itself, under a prefix no lifecycle rule covers.
      logging: { targetBucket: props.bucketName, targetPrefix: accessLogPrefix },
      forceDestroy: props.forceDestroy ?? false,
      tags: props.tags ? { ...props.tags } : undefined,
      ...(props.preventDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });

    this.bucketName = this.bucket.bucket;

    const acl = new OssBucketAcl(this, 'acl', { bucket: this.bucket.bucket, acl: 'private' });
    const publicAccessBlock = new OssBucketPublicAccessBlock(this, 'public-access-block', { bucket: this.bucket.bucket, blockPublicAccess: true });

    const policy = new OssBucketPolicy(this, 'tls-only-policy', {
      bucket: this.bucket.bucket,
      policy: BackupBucket.tlsOnlyPolicyDocument(props.bucketName).toJsonString(),
    });
    if (props.importExisting) {
      for (const resource of [this.bucket, acl, publicAccessBlock, policy]) resource.importFrom(props.bucketName);
    }
  }

  /**
   * Lets the grantee write exported objects under `<prefix>/`: exactly the OSS rows (and, with a customer key, the
   * KMS rows) of the grantee engine's SYNC_PERMISSIONS. The ARNs name the bucket through the resource, so the
   * grantee's policy is created after the bucket.
   */
  grantExportWrite(grantee: ISyncGrantee, prefix: string): void {
    grantExportWrite(grantee, { bucketName: this.bucketName, kmsKeyId: this.kmsKeyId }, prefix);
  }

  /**
   * The bucket policy: deny every OSS action on the bucket and its objects to everyone over plain http. OSS requires
   * `Principal` in bucket policies, and a `*` principal with a condition also binds the bucket owner (OSS "Bucket
   * Policy"), so nobody reaches the bucket without TLS.
   */
  static tlsOnlyPolicyDocument(bucketName: string): PolicyDocument {
    return new PolicyDocument([new PolicyStatement({
      effect: 'Deny',
      principals: ['*'],
      actions: ['oss:*'],
      resources: [Arn.ossBucket('*', bucketName), `${Arn.ossBucket('*', bucketName)}/*`],
      condition: { Bool: { 'acs:SecureTransport': ['false'] } },
    })]);
  }
}

function lifecycleRule(lc: BucketLifecycle, prefix: string, id: string): OssBucketLifecycleRule {
  const transitions = [
    ...(lc.transitionToIaDays !== undefined ? [{ days: lc.transitionToIaDays, storageClass: 'IA' }] : []),
    ...(lc.transitionToArchiveDays !== undefined ? [{ days: lc.transitionToArchiveDays, storageClass: 'Archive' }] : []),
  ];
  return {
    id,
    enabled: true,
    prefix: `${prefix}/`,
    ...(transitions.length > 0 ? { transitions } : {}),
    ...(lc.expireDays !== undefined ? { expiration: [{ days: lc.expireDays }] } : {}),
    noncurrentVersionExpiration: [{ days: lc.noncurrentVersionExpireDays }],
    abortMultipartUpload: [{ days: lc.abortMultipartUploadDays }],
  };
}
