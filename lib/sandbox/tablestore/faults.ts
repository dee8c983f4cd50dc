/**
 * Fault injection: the next N matching requests fail in a chosen way. Faults
 * apply after signature verification, in the order they were added.
 */
export type FaultKind =
  /** 503 OTSServerBusy before the request is handled. */
  | 'throttle'
  /** 500 OTSInternalServerError before the request is handled. */
  | 'serverError'
  /** The request is handled, then the socket is destroyed half-way through the response body. */
  | 'dropConnection'
  /** Any error code/status before the request is handled. */
  | 'error';

export interface FaultRule {
  readonly kind: FaultKind;
  remaining: number;
  /** Operations it applies to (e.g. ["GetStreamRecord"]); all when absent. */
  readonly operations?: readonly string[];
  readonly status?: number;
  readonly code?: string;
  readonly message?: string;
}

export interface FaultOptions {
  readonly operations?: readonly string[];
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  /** Faults fired so far, by kind. */
  readonly fired: Record<FaultKind, number> = { throttle: 0, serverError: 0, dropConnection: 0, error: 0 };

  /** The next `count` matching requests get 503 OTSServerBusy. */
  throttle(count: number, options: FaultOptions = {}): void {
    this.add({ kind: 'throttle', remaining: count, operations: options.operations, status: 503, code: 'OTSServerBusy', message: 'Service is busy.' });
  }

  /** The next `count` matching requests get 500 OTSInternalServerError. */
  serverError(count: number, options: FaultOptions = {}): void {
    this.add({ kind: 'serverError', remaining: count, operations: options.operations, status: 500, code: 'OTSInternalServerError', message: 'Internal server error.' });
  }

  /** The next `count` matching responses are cut off mid-body (the request itself took effect). */
  dropConnection(count: number, options: FaultOptions = {}): void {
    this.add({ kind: 'dropConnection', remaining: count, operations: options.operations });
  }

  /** The next `count` matching requests fail with this error, e.g. 403 OTSQuotaExhausted. */
  error(count: number, error: { status: number; code: string; message?: string }, options: FaultOptions = {}): void {
    this.add({ kind: 'error', remaining: count, operations: options.operations, status: error.status, code: error.code, message: error.message ?? error.code });
  }

  clear(): void {
    this.rules = [];
  }

  /** Faults still armed. */
  get pending(): number {
    return this.rules.reduce((n, r) => n + r.remaining, 0);
  }

  /** Consumes and returns the fault for this request, if any. */
  take(operation: string): FaultRule | null {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i];
      if (rule.operations && !rule.operations.includes(operation)) continue;
      rule.remaining--;
      if (rule.remaining <= 0) this.rules.splice(i, 1);
      this.fired[rule.kind]++;
      return rule;
    }
    return null;
  }

  private add(rule: FaultRule): void {
    if (!Number.isInteger(rule.remaining) || rule.remaining < 1) throw new RangeError(`fault count must be a positive integer, got ${rule.remaining}`);
    this.rules.push(rule);
  }
}
