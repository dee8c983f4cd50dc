/**
 * Who may do what in the OSS sandbox: the RAM action each API needs, bucket policies and RAM policies, evaluated the
 * way OSS documents it ("Policy syntax and elements", "Bucket Policy", "RAM Policy"):
 *   1. an explicit Deny in the bucket policy or in the caller's RAM policies denies;
 *   2. the bucket owner's account is otherwise allowed everything;
 *   3. an Allow in the caller's RAM policies (same account) or in the bucket policy allows;
 *   4. anything else is denied.
 * A bucket-policy statement with Principal `*` and no Condition does not bind the bucket owner; with a Condition it
 * binds everyone, the owner included.
 */
import type { OssOperation } from './faults';
import { AccessRequest, Decision, matchingStatements, ParsedPolicy, statementMatches, Statement } from '../ram-policy';

export { parsePolicy, PolicyError } from '../ram-policy';
export type { AccessRequest, Decision, ParsedPolicy } from '../ram-policy';

/** Every API the sandbox serves, and the RAM action OSS checks for it (OSS "Policy syntax and elements"). */
export const OSS_ACTION_OF: Readonly<Record<OssOperation, string>> = {
  PutObject: 'oss:PutObject',
  InitiateMultipartUpload: 'oss:PutObject',
  UploadPart: 'oss:PutObject',
  CompleteMultipartUpload: 'oss:PutObject',
  GetObject: 'oss:GetObject',
  HeadObject: 'oss:GetObject',
  GetObjectMeta: 'oss:GetObject',
  DeleteObject: 'oss:DeleteObject',
  DeleteMultipleObjects: 'oss:DeleteObject',
  AbortMultipartUpload: 'oss:AbortMultipartUpload',
  ListParts: 'oss:ListParts',
  ListMultipartUploads: 'oss:ListMultipartUploads',
  ListObjects: 'oss:ListObjects',
  ListObjectsV2: 'oss:ListObjects',
  GetBucketAcl: 'oss:GetBucketAcl',
  PutBucketPolicy: 'oss:PutBucketPolicy',
  GetBucketPolicy: 'oss:GetBucketPolicy',
};

/**
 * The KMS action a request needs on a bucket encrypted with a customer key (OSS "Server-side encryption": callers
 * need the key's permissions). Uploads generate a data key; parts of a multipart upload and reads decrypt it
 * (which action each multipart step needs is an Assumption, see README).
 */
export const KMS_ACTION_OF: Partial<Readonly<Record<OssOperation, string>>> = {
  PutObject: 'kms:GenerateDataKey',
  InitiateMultipartUpload: 'kms:GenerateDataKey',
  UploadPart: 'kms:Decrypt',
  CompleteMultipartUpload: 'kms:Decrypt',
  GetObject: 'kms:Decrypt',
};

export interface Caller {
  /** Account the AccessKey belongs to. */
  readonly accountId: string;
  /** RAM user id for a RAM identity; undefined for the account's own AccessKey. */
  readonly ramUserId?: string;
  /** RAM policies attached to a RAM identity. */
  readonly policies: readonly ParsedPolicy[];
}

function principalMatches(st: Statement, caller: Caller, bucketOwner: string): boolean {
  for (const p of st.principals ?? []) {
    if (p === '*') {
      // `*` without a condition leaves the owner's account alone; with one it binds everyone.
      if (st.secureTransport !== undefined || caller.ramUserId !== undefined || caller.accountId !== bucketOwner) return true;
    } else if (p === caller.ramUserId || (caller.ramUserId === undefined && p === caller.accountId)) {
      return true;
    }
  }
  return false;
}

export function evaluateAccess(req: AccessRequest, caller: Caller, bucketPolicy: ParsedPolicy | undefined, bucketOwner: string): Decision {
  const bucketStatements = (bucketPolicy?.statements ?? []).filter(st => principalMatches(st, caller, bucketOwner) && statementMatches(st, req));
  const ramStatements = caller.ramUserId !== undefined ? matchingStatements(caller.policies, req) : [];
  if (bucketStatements.some(st => st.effect === 'Deny')) return { allowed: false, reason: `explicitly denied by the bucket policy` };
  if (ramStatements.some(st => st.effect === 'Deny')) return { allowed: false, reason: `explicitly denied by a RAM policy` };
  if (caller.ramUserId === undefined && caller.accountId === bucketOwner) return { allowed: true };
  if (caller.accountId === bucketOwner && ramStatements.some(st => st.effect === 'Allow')) return { allowed: true };
  if (bucketStatements.some(st => st.effect === 'Allow')) return { allowed: true };
  return { allowed: false, reason: `no RAM policy or bucket policy allows ${req.action} on ${req.resource}` };
}
