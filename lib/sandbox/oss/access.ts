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

/** A request as the evaluator sees it. */
export interface AccessRequest {
  readonly action: string;
  /** `acs:oss:<region>:<owner account>:<bucket>` or `.../<bucket>/<key>`. */
  readonly resource: string;
  /** Whether the request came over TLS (`acs:SecureTransport`). */
  readonly secureTransport: boolean;
}

export interface Caller {
  /** Account the AccessKey belongs to. */
  readonly accountId: string;
  /** RAM user id for a RAM identity; undefined for the account's own AccessKey. */
  readonly ramUserId?: string;
  /** RAM policies attached to a RAM identity. */
  readonly policies: readonly ParsedPolicy[];
}

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals?: readonly string[];
  readonly secureTransport?: boolean;
}

export interface ParsedPolicy {
  readonly statements: readonly Statement[];
}

export class PolicyError extends Error {}

const list = (v: unknown, what: string): string[] => {
  const arr = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(arr) || arr.some(x => typeof x !== 'string')) throw new PolicyError(`${what} must be a string or a list of strings`);
  return arr as string[];
};

/**
 * Parses a policy document. `kind: 'bucket'` requires `Principal` in every statement (OSS: required for bucket
 * policies; `[]` means everyone); `kind: 'ram'` refuses it (RAM policies carry no Principal). Conditions other than
 * `Bool` on `acs:SecureTransport` are refused: the sandbox does not model them, and must not silently ignore them.
 */
export function parsePolicy(text: string, kind: 'bucket' | 'ram'): ParsedPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PolicyError('the policy is not valid JSON');
  }
  const d = doc as { Version?: unknown; Statement?: unknown };
  if (typeof d !== 'object' || d === null || d.Version !== '1') throw new PolicyError('Version must be "1"');
  if (!Array.isArray(d.Statement) || d.Statement.length === 0) throw new PolicyError('Statement must be a non-empty list');
  const statements = d.Statement.map((raw: Record<string, unknown>, i: number): Statement => {
    const where = `Statement[${i}]`;
    if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw new PolicyError(`${where}.Effect must be Allow or Deny`);
    const actions = list(raw.Action, `${where}.Action`);
    const resources = list(raw.Resource, `${where}.Resource`);
    if (actions.length === 0 || resources.length === 0) throw new PolicyError(`${where} needs at least one Action and one Resource`);
    let principals: string[] | undefined;
    if (kind === 'bucket') {
      if (raw.Principal === undefined) throw new PolicyError(`${where}.Principal is required in a bucket policy`);
      principals = list(raw.Principal, `${where}.Principal`);
      if (principals.length === 0) principals = ['*'];
    } else if (raw.Principal !== undefined) {
      throw new PolicyError(`${where}.Principal is not allowed in a RAM policy`);
    }
    let secureTransport: boolean | undefined;
    if (raw.Condition !== undefined) {
      const cond = raw.Condition as Record<string, Record<string, unknown>>;
      for (const [op, keys] of Object.entries(cond)) {
        for (const [key, value] of Object.entries(keys ?? {})) {
          const values = list(value, `${where}.Condition.${op}.${key}`).map(v => v.toLowerCase());
          if (op !== 'Bool' || key !== 'acs:SecureTransport' || values.length !== 1 || !['true', 'false'].includes(values[0])) {
            throw new PolicyError(`${where}.Condition ${op} ${key}: the OSS sandbox only models Bool acs:SecureTransport true|false`);
          }
          secureTransport = values[0] === 'true';
        }
      }
    }
    return { effect: raw.Effect, actions, resources, principals, secureTransport };
  });
  return { statements };
}

/** RAM-style wildcard match: `*` any run, `?` one character. Actions match case-insensitively. */
function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.split('').map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, ignoreCase ? 'i' : '');
  return re.test(value);
}

function statementMatches(st: Statement, req: AccessRequest): boolean {
  if (!st.actions.some(a => globMatch(a, req.action, true))) return false;
  if (!st.resources.some(r => globMatch(r, req.resource, false))) return false;
  if (st.secureTransport !== undefined && st.secureTransport !== req.secureTransport) return false;
  return true;
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

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export function evaluateAccess(req: AccessRequest, caller: Caller, bucketPolicy: ParsedPolicy | undefined, bucketOwner: string): Decision {
  const bucketStatements = (bucketPolicy?.statements ?? []).filter(st => principalMatches(st, caller, bucketOwner) && statementMatches(st, req));
  const ramStatements = caller.ramUserId !== undefined ? caller.policies.flatMap(p => p.statements).filter(st => statementMatches(st, req)) : [];
  if (bucketStatements.some(st => st.effect === 'Deny')) return { allowed: false, reason: `explicitly denied by the bucket policy` };
  if (ramStatements.some(st => st.effect === 'Deny')) return { allowed: false, reason: `explicitly denied by a RAM policy` };
  if (caller.ramUserId === undefined && caller.accountId === bucketOwner) return { allowed: true };
  if (caller.accountId === bucketOwner && ramStatements.some(st => st.effect === 'Allow')) return { allowed: true };
  if (bucketStatements.some(st => st.effect === 'Allow')) return { allowed: true };
  return { allowed: false, reason: `no RAM policy or bucket policy allows ${req.action} on ${req.resource}` };
}
