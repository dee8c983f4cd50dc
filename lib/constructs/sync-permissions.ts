/**
 * Every call the sync makes to Tablestore, OSS and KMS, per engine, with the RAM action it needs and where the call
 * comes from. The sync policy is built from this table and nothing else (`syncPolicyDocument`), and a test checks
 * that the synthesized policy grants exactly these rows; the loopback OSS server enforces the same actions.
 */
import { Arn, PolicyDocument, PolicyStatement } from './policy-document';
import { ConstructPropsError } from './validate';

/** What the scheduled node runs: the Data Integration job, or this project's runtime in a Shell node. */
export type SyncEngine = 'data-integration' | 'runtime';

/** The resources a call touches; `syncPolicyDocument` turns each into ARNs. */
export type SyncResource =
  /** Each exported wide-column data table. */
  | 'data-table'
  /** Each exported time series table. */
  | 'timeseries-table'
  /** The Stream reader's checkpoint table (Data Integration only). */
  | 'status-table'
  /** Objects under `<bucket>/<exportPrefix>/`. */
  | 'export-objects'
  /** The bucket itself (bucket-level APIs). */
  | 'bucket'
  /** The customer KMS key the bucket encrypts with (only when there is one). */
  | 'kms-key';

export interface SyncPermission {
  readonly engine: SyncEngine;
  /** The API call as the engine makes it. */
  readonly call: string;
  readonly action: string;
  readonly resource: SyncResource;
  /** Where the engine makes the call, and which documentation names the action. */
  readonly source: string;
}

const READER = 'DataX otsstreamreader';
const WRITER = 'DataX osswriter';
const OTS_RAM = 'Tablestore "Custom RAM policy" (action = API name, resource = table)';
const OSS_RAM = 'OSS "Policy syntax and elements" (API → action table)';
const OSS_SSE = 'OSS "Server-side encryption" (SSE-KMS needs the KMS key permissions of the caller)';

function rows(engine: SyncEngine, list: ReadonlyArray<readonly [string, string, SyncResource, string]>): SyncPermission[] {
  return list.map(([call, action, resource, source]) => ({ engine, call, action, resource, source }));
}

export const SYNC_PERMISSIONS: readonly SyncPermission[] = [
  ...rows('data-integration', [
    ['DescribeTable', 'ots:DescribeTable', 'data-table', `${READER} OTSStreamReaderChecker (OTSHelper.checkTableExists, getStreamDetails); ${OTS_RAM}`],
    ['DescribeTimeseriesTable', 'ots:DescribeTimeseriesTable', 'timeseries-table', `${READER} OTSHelper.checkTableExists with isTimeseriesTable; ${OTS_RAM}`],
    ['ListStream', 'ots:ListStream', 'data-table', `${READER} OTSHelper.getStreamResponse; ${OTS_RAM}`],
    ['ListStream', 'ots:ListStream', 'timeseries-table', `${READER} OTSHelper.getStreamResponse; ${OTS_RAM}`],
    ['DescribeStream', 'ots:DescribeStream', 'data-table', `${READER} OTSHelper.getOrderedShardList; ${OTS_RAM}`],
    ['DescribeStream', 'ots:DescribeStream', 'timeseries-table', `${READER} OTSHelper.getOrderedShardList; ${OTS_RAM}`],
    ['GetShardIterator', 'ots:GetShardIterator', 'data-table', `${READER} RecordProcessor; ${OTS_RAM}`],
    ['GetShardIterator', 'ots:GetShardIterator', 'timeseries-table', `${READER} RecordProcessor; ${OTS_RAM}`],
    ['GetStreamRecord', 'ots:GetStreamRecord', 'data-table', `${READER} RecordProcessor; ${OTS_RAM}`],
    ['GetStreamRecord', 'ots:GetStreamRecord', 'timeseries-table', `${READER} RecordProcessor; ${OTS_RAM}`],
    ['DescribeTable', 'ots:DescribeTable', 'status-table', `${READER} OTSStreamReaderChecker.checkAndCreateStatusTableIfNotExist; ${OTS_RAM}`],
    ['GetRow', 'ots:GetRow', 'status-table', `${READER} CheckpointTimeTracker; ${OTS_RAM}`],
    ['GetRange', 'ots:GetRange', 'status-table', `${READER} CheckpointTimeTracker; ${OTS_RAM}`],
    ['PutRow', 'ots:PutRow', 'status-table', `${READER} CheckpointTimeTracker; ${OTS_RAM}`],
    ['DeleteRow', 'ots:DeleteRow', 'status-table', `${READER} CheckpointTimeTracker; ${OTS_RAM}`],
    ['GetBucketAcl', 'oss:GetBucketAcl', 'bucket', `${WRITER} OssWriter.Job.prepare (doesBucketExist and getBucketAcl; the Java SDK's doesBucketExists calls GetBucketAcl); ${OSS_RAM}`],
    ['GetObjectMeta', 'oss:GetObject', 'export-objects', `${WRITER} doPrepareForSingleObject (doesObjectExist); ${OSS_RAM}`],
    ['DeleteObject', 'oss:DeleteObject', 'export-objects', `${WRITER} doPrepareForSingleObject (writeMode truncate); ${OSS_RAM}`],
    ['InitiateMultipartUpload, UploadPart, CompleteMultipartUpload', 'oss:PutObject', 'export-objects', `${WRITER} OssWriterProxy; ${OSS_RAM}`],
    ['AbortMultipartUpload', 'oss:AbortMultipartUpload', 'export-objects', `${WRITER} OssWriterProxy; ${OSS_RAM}`],
    ['SSE-KMS data key for uploads', 'kms:GenerateDataKey', 'kms-key', OSS_SSE],
    ['SSE-KMS data key for parts and reads', 'kms:Decrypt', 'kms-key', OSS_SSE],
  ]),
  ...rows('runtime', [
    ['ListStream', 'ots:ListStream', 'data-table', `lib/runtime/sync/stream.ts; ${OTS_RAM}`],
    ['ListStream', 'ots:ListStream', 'timeseries-table', `lib/runtime/sync/stream.ts; ${OTS_RAM}`],
    ['DescribeStream', 'ots:DescribeStream', 'data-table', `lib/runtime/reader/window-reader.ts (shard lineage); ${OTS_RAM}`],
    ['DescribeStream', 'ots:DescribeStream', 'timeseries-table', `lib/runtime/reader/window-reader.ts (shard lineage); ${OTS_RAM}`],
    ['GetShardIterator', 'ots:GetShardIterator', 'data-table', `lib/runtime/reader/window-reader.ts; ${OTS_RAM}`],
    ['GetShardIterator', 'ots:GetShardIterator', 'timeseries-table', `lib/runtime/reader/window-reader.ts; ${OTS_RAM}`],
    ['GetStreamRecord', 'ots:GetStreamRecord', 'data-table', `lib/runtime/reader/window-reader.ts; ${OTS_RAM}`],
    ['GetStreamRecord', 'ots:GetStreamRecord', 'timeseries-table', `lib/runtime/reader/window-reader.ts; ${OTS_RAM}`],
    ['ListObjectsV2', 'oss:ListObjects', 'bucket', `lib/runtime/writer/manifest.ts (window listing); ${OSS_RAM}`],
    ['ListMultipartUploads', 'oss:ListMultipartUploads', 'bucket', `lib/runtime/writer/window-writer.ts (stale uploads); ${OSS_RAM}`],
    ['PutObject, InitiateMultipartUpload, UploadPart, CompleteMultipartUpload', 'oss:PutObject', 'export-objects', `lib/runtime/writer/object-upload.ts, window-writer.ts; ${OSS_RAM}`],
    ['GetObject, HeadObject', 'oss:GetObject', 'export-objects', `lib/runtime/writer/manifest.ts, object-upload.ts; ${OSS_RAM}`],
    ['DeleteObject, DeleteMultipleObjects', 'oss:DeleteObject', 'export-objects', `lib/runtime/writer/window-writer.ts (stale parts, manifest); ${OSS_RAM}`],
    ['AbortMultipartUpload', 'oss:AbortMultipartUpload', 'export-objects', `lib/runtime/writer/window-writer.ts; ${OSS_RAM}`],
    ['SSE-KMS data key for uploads', 'kms:GenerateDataKey', 'kms-key', OSS_SSE],
    ['SSE-KMS data key for parts and reads', 'kms:Decrypt', 'kms-key', OSS_SSE],
  ]),
];

/** A table in an instance of the stack's region. */
export interface TableRef {
  /** Instance name; may be a token. */
  readonly instanceName: string;
  /** Table name; may be a token. */
  readonly tableName: string;
}

/** Whose calls the policy is about, and the region and account its ARNs name. */
export interface SyncScope {
  /** Which engine's rows of SYNC_PERMISSIONS apply. */
  readonly engine: SyncEngine;
  /** Region of the instances and the KMS key. */
  readonly region: string;
  /** Account id; may be a Terraform token. */
  readonly accountId: string;
}

/** Everything the whole sync policy of an environment names: its tables, its bucket and the export prefix. */
export interface SyncPolicyProps extends SyncScope, GrantedBucket {
  /** Exported wide-column data tables. */
  readonly dataTables: readonly TableRef[];
  /** Exported time series tables. */
  readonly timeseriesTables: readonly TableRef[];
  /** The Data Integration reader's checkpoint tables, one per instance. */
  readonly statusTables: readonly TableRef[];
  /** Key prefix of exported objects, without leading or trailing `/`. */
  readonly exportPrefix: string;
}

/** The ARNs one table resource stands for; empty when the environment has none of it. */
export function syncResourceArns(resource: SyncResource, props: SyncPolicyProps): string[] {
  const { region, accountId, bucketName } = props;
  const arns = (tables: readonly TableRef[]): string[] => tables.map(t => Arn.otsTable(region, accountId, t.instanceName, t.tableName));
  switch (resource) {
    case 'data-table': return arns(props.dataTables);
    case 'timeseries-table': return arns(props.timeseriesTables);
    case 'status-table': return arns(props.statusTables);
    case 'export-objects': return [Arn.ossObjects(accountId, bucketName, props.exportPrefix)];
    case 'bucket': return [Arn.ossBucket(accountId, bucketName)];
    case 'kms-key': return props.kmsKeyId === undefined ? [] : [Arn.kmsKey(region, accountId, props.kmsKeyId)];
  }
}

/**
 * The rows of one engine that apply to this environment (no KMS rows without a customer key, etc.); `service`
 * keeps only the rows of one service (e.g. `ots` for an identity that only reads Tablestore).
 */
export function syncPermissionsFor(props: SyncPolicyProps, service?: 'ots' | 'oss' | 'kms'): SyncPermission[] {
  return SYNC_PERMISSIONS.filter(p => p.engine === props.engine && syncResourceArns(p.resource, props).length > 0
    && (service === undefined || p.action.startsWith(`${service}:`)));
}

/**
 * What one engine's identity has been granted: ARNs by resource kind. The policy holds one statement per granted
 * kind, in the table's order, with exactly the actions the engine's rows name for it; a kind the engine never
 * calls (the checkpoint table for the runtime) grants nothing.
 */
export class SyncGrants {
  private readonly arns = new Map<SyncResource, string[]>();

  constructor(readonly engine: SyncEngine, readonly region: string, readonly accountId: string) {}

  grant(resource: SyncResource, arns: readonly string[]): void {
    const current = this.arns.get(resource) ?? [];
    this.arns.set(resource, [...current, ...arns.filter(a => !current.includes(a))]);
  }

  /** The rows of the engine's table this identity has been granted. */
  permissions(service?: 'ots' | 'oss' | 'kms'): SyncPermission[] {
    return SYNC_PERMISSIONS.filter(p => p.engine === this.engine && (this.arns.get(p.resource)?.length ?? 0) > 0
      && (service === undefined || p.action.startsWith(`${service}:`)));
  }

  /** `service` keeps only one service's rows (e.g. `ots` for an identity that only reads Tablestore). */
  policyDocument(service?: 'ots' | 'oss' | 'kms'): PolicyDocument {
    if ((this.arns.get('data-table')?.length ?? 0) + (this.arns.get('timeseries-table')?.length ?? 0) === 0) {
      throw new ConstructPropsError('SyncAccess policy', 'dataTables/timeseriesTables', 'at least one exported table is required');
    }
    const byResource = new Map<SyncResource, string[]>();
    for (const p of this.permissions(service)) byResource.set(p.resource, [...(byResource.get(p.resource) ?? []), p.action]);
    return new PolicyDocument([...byResource].map(([resource, actions]) => new PolicyStatement({ actions, resources: this.arns.get(resource)! })));
  }
}

/** Something the sync's calls can be granted to (SyncAccess). */
export interface ISyncGrantee {
  readonly grants: SyncGrants;
}

/** The bucket a grant is about: its name and the customer KMS key it encrypts with, if any. */
export interface GrantedBucket {
  /** The bucket's name (ARNs name it): the resource's attribute when the stack manages the bucket, so that the policy waits for it. */
  readonly bucketName: string;
  /** Id of the customer KMS key the bucket encrypts with; may be a token. @default - none: OSS-managed keys need no KMS permission */
  readonly kmsKeyId?: string;
}

function checkKeyPrefix(name: string, prefix: string): void {
  if (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/')) {
    throw new ConstructPropsError('SyncAccess policy', name, `"${prefix}" must be non-empty and must not start or end with "/"`);
  }
}

/** The OSS rows for exported objects under `<prefix>/` (and the bucket-level calls), plus the KMS rows for a customer key. */
export function grantExportWrite(grantee: ISyncGrantee, bucket: GrantedBucket, prefix: string): void {
  checkKeyPrefix('exportPrefix', prefix);
  const { grants } = grantee;
  grants.grant('bucket', [Arn.ossBucket(grants.accountId, bucket.bucketName)]);
  grants.grant('export-objects', [Arn.ossObjects(grants.accountId, bucket.bucketName, prefix)]);
  if (bucket.kmsKeyId !== undefined) grants.grant('kms-key', [Arn.kmsKey(grants.region, grants.accountId, bucket.kmsKeyId)]);
}

/** The Tablestore Stream rows for these exported tables. */
export function grantStreamRead(grantee: ISyncGrantee, tables: { readonly dataTables?: readonly TableRef[]; readonly timeseriesTables?: readonly TableRef[] }): void {
  const { grants } = grantee;
  const arns = (list: readonly TableRef[] = []) => list.map(t => Arn.otsTable(grants.region, grants.accountId, t.instanceName, t.tableName));
  grants.grant('data-table', arns(tables.dataTables));
  grants.grant('timeseries-table', arns(tables.timeseriesTables));
}

/** The rows of the Stream reader's checkpoint tables (Data Integration only). */
export function grantCheckpointWrite(grantee: ISyncGrantee, statusTables: readonly TableRef[]): void {
  const { grants } = grantee;
  grants.grant('status-table', statusTables.map(t => Arn.otsTable(grants.region, grants.accountId, t.instanceName, t.tableName)));
}

/** Every grant the sync needs, from plain names (tests, the sandboxes, and SyncAccess given names). */
export function grantSyncPolicy(grantee: ISyncGrantee, props: SyncPolicyProps): void {
  const bucket = { bucketName: props.bucketName, kmsKeyId: props.kmsKeyId };
  grantStreamRead(grantee, props);
  grantCheckpointWrite(grantee, props.statusTables);
  grantExportWrite(grantee, bucket, props.exportPrefix);
}

/** The policy `grantSyncPolicy` composes: exactly the engine's rows for these resources. */
export function syncPolicyDocument(props: SyncPolicyProps): PolicyDocument {
  const grantee = { grants: new SyncGrants(props.engine, props.region, props.accountId) };
  grantSyncPolicy(grantee, props);
  return grantee.grants.policyDocument();
}
