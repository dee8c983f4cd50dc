/**
 * Retry policy: exponential backoff with "equal jitter" (half fixed, half
 * random), a longer base for throttling errors, capped per attempt.
 */
import { isRetryable, isThrottling, TablestoreError } from './errors';

export interface RetryOptions {
  /** Total attempts including the first (default 10). */
  readonly maxAttempts?: number;
  /** First backoff for transient errors in ms (default 100). */
  readonly baseDelayMs?: number;
  /** First backoff for throttling errors in ms (default 500). */
  readonly throttleBaseDelayMs?: number;
  /** Cap of one backoff in ms (default 10000). */
  readonly maxDelayMs?: number;
  /** Injectable for tests. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly throttleBaseDelayMs: number;
  readonly maxDelayMs: number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export function resolveRetryOptions(o: RetryOptions = {}): ResolvedRetryOptions {
  const maxAttempts = o.maxAttempts ?? 10;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  for (const [name, v] of [['baseDelayMs', o.baseDelayMs], ['throttleBaseDelayMs', o.throttleBaseDelayMs], ['maxDelayMs', o.maxDelayMs]] as const) {
    if (v !== undefined && !(v >= 0)) throw new RangeError(`retry.${name} must be >= 0, got ${v}`);
  }
  return {
    maxAttempts,
    baseDelayMs: o.baseDelayMs ?? 100,
    throttleBaseDelayMs: o.throttleBaseDelayMs ?? 500,
    maxDelayMs: o.maxDelayMs ?? 10_000,
    random: o.random ?? Math.random,
    sleep: o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}

/** Backoff before retry number `retry` (1 = first retry). */
export function backoffDelayMs(retry: number, err: TablestoreError, o: ResolvedRetryOptions): number {
  const base = isThrottling(err) ? o.throttleBaseDelayMs : o.baseDelayMs;
  const cap = Math.min(o.maxDelayMs, base * 2 ** (retry - 1));
  return cap / 2 + o.random() * (cap / 2);
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T>(o: ResolvedRetryOptions, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof TablestoreError) err.attempts = n;
      if (n >= o.maxAttempts || !isRetryable(err)) throw err;
      await o.sleep(backoffDelayMs(n, err as TablestoreError, o));
    }
  }
}
