/**
 * Fault injection for the OSS sandbox. Tests queue rules; each matching request consumes one use of the
 * first rule that matches it.
 */

/** The API operations the sandbox implements, named as in the OSS API reference. */
export type OssOperation =
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'GetObjectMeta'
  | 'DeleteObject'
  | 'DeleteMultipleObjects'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'InitiateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'ListMultipartUploads'
  | 'GetBucketAcl'
  | 'PutBucketPolicy'
  | 'GetBucketPolicy';

export type OssFault =
  /** Answer with this HTTP status and OSS error code (the request body is read and discarded first). */
  | { readonly kind: 'error'; readonly status: number; readonly code: string; readonly message?: string }
  /**
   * Destroy the connection without answering, after `afterBodyBytes` of the request body arrived
   * (default: as soon as the request headers are in).
   */
  | { readonly kind: 'drop'; readonly afterBodyBytes?: number }
  /** Hold the request for `ms` before handling it normally (to exercise client timeouts). */
  | { readonly kind: 'delay'; readonly ms: number };

export interface FaultRule {
  /** Operation to match; '*' matches every operation. */
  readonly operation: OssOperation | '*';
  /** Only requests for this object key (exact string) or matching this expression. */
  readonly key?: string | RegExp;
  /** How many matching requests fail; default 1. */
  readonly count?: number;
  readonly fault: OssFault;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

export class OssFaults {
  private readonly rules: ActiveRule[] = [];
  private injectedCount = 0;

  /** Queues a rule. */
  inject(rule: FaultRule): void {
    const count = rule.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`Fault rule count must be a positive integer, got ${count}`);
    this.rules.push({ rule, remaining: count });
  }

  /** Shorthand: the next `count` UploadPart requests answer 500 InternalError. */
  failUploadParts(count: number, how: 'status500' | 'drop' = 'status500'): void {
    this.inject({
      operation: 'UploadPart',
      count,
      fault: how === 'drop' ? { kind: 'drop', afterBodyBytes: 1 } : { kind: 'error', status: 500, code: 'InternalError' },
    });
  }

  /** Removes every queued rule. */
  clear(): void {
    this.rules.length = 0;
  }

  /** Rule uses not consumed yet. */
  get pending(): number {
    return this.rules.reduce((n, r) => n + r.remaining, 0);
  }

  /** How many requests a fault was applied to since the sandbox started. */
  get injected(): number {
    return this.injectedCount;
  }

  /** Consumes and returns the fault for this request, if a rule matches. */
  take(operation: OssOperation, key: string): OssFault | undefined {
    const i = this.rules.findIndex(({ rule }) =>
      (rule.operation === '*' || rule.operation === operation) &&
      (rule.key === undefined || (typeof rule.key === 'string' ? rule.key === key : rule.key.test(key))));
    if (i < 0) return undefined;
    const active = this.rules[i];
    active.remaining -= 1;
    if (active.remaining === 0) this.rules.splice(i, 1);
    this.injectedCount += 1;
    return active.rule.fault;
  }
}
