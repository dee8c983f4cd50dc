/**
 * Retry with capped exponential backoff and equal jitter, for calls to cloud services (DataWorks, Tablestore, OSS)
 * that throttle and fail transiently. Each caller classifies its own errors; this module only decides whether and
 * when to try again.
 *
 * Equal jitter (half the capped delay fixed, half random) rather than full jitter: every retry waits at least half
 * its step, so a throttled caller really backs off instead of sometimes resending at once, while the random half
 * still spreads concurrent callers apart.
 */

/** How a failed call failed, as far as retrying is concerned. */
export type FailureKind =
  /** The service refused the request before doing anything (throttling): safe to resend, after the longer backoff. */
  | 'throttled'
  /** The service answered 5xx: it may or may not have acted. */
  | 'server'
  /** No complete answer (reset, refused, timeout): it may or may not have acted. */
  | 'network'
  /** A real error (bad request, permission, conflict): retrying cannot help. */
  | 'fatal';

export interface RetryPolicy {
  /** Total tries, the first included. */
  readonly attempts: number;
  /** Step before the first retry, doubled for each further one. */
  readonly baseDelayMs: number;
  /** Cap of one step. */
  readonly maxDelayMs: number;
  /**
   * Step before the first retry of a `throttled` failure.
   * @default baseDelayMs
   */
  readonly throttleBaseDelayMs?: number;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A timer; with a signal, rejects with the signal's reason as soon as it fires. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * The wait before retry number `retry` (1 = first retry): the step `min(max, base * 2^(retry-1))` (base is the
 * throttle base for throttled failures), of which half is fixed and half random, in whole milliseconds.
 */
export function equalJitterDelay(policy: RetryPolicy, retry: number, kind: FailureKind = 'server', random: () => number = Math.random): number {
  const base = kind === 'throttled' ? (policy.throttleBaseDelayMs ?? policy.baseDelayMs) : policy.baseDelayMs;
  const step = Math.min(policy.maxDelayMs, base * 2 ** (retry - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Checks a policy given by a user; `name` prefixes the messages (e.g. "retry"). */
export function validateRetryPolicy(policy: RetryPolicy, name = 'retry'): RetryPolicy {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw new RangeError(`${name}.attempts must be an integer >= 1, got ${policy.attempts}`);
  for (const [field, value] of [['baseDelayMs', policy.baseDelayMs], ['throttleBaseDelayMs', policy.throttleBaseDelayMs], ['maxDelayMs', policy.maxDelayMs]] as const) {
    if (value !== undefined && !(value >= 0)) throw new RangeError(`${name}.${field} must be >= 0, got ${value}`);
  }
  return policy;
}

/** One failure that will be retried. */
export interface RetryEvent {
  readonly error: unknown;
  readonly kind: FailureKind;
  /** The attempt that failed (1 = the first). */
  readonly attempt: number;
  /** The wait before the next attempt. */
  readonly delayMs: number;
}

export interface RetryOptions<T> {
  readonly policy: RetryPolicy;
  readonly classify: (error: unknown) => FailureKind;
  /** @default realSleep */
  readonly sleep?: Sleep;
  /** @default Math.random */
  readonly random?: () => number;
  /** Stops retrying: checked before each attempt, after each failure and during each wait. */
  readonly signal?: AbortSignal;
  /**
   * The error thrown when `signal` fires.
   * @default the signal's reason
   */
  readonly abortError?: (reason: unknown) => unknown;
  /** Sees each failure that will be retried, before the wait. */
  readonly onRetry?: (event: RetryEvent) => void;
  /**
   * Called after the wait that follows an ambiguous failure (`server`/`network`) of a non-idempotent call. Returns
   * the result if the first attempt did take effect (e.g. the node now exists), or undefined to resend.
   */
  readonly recover?: () => Promise<T | undefined>;
}

/** Runs `call` until it succeeds, fails with a `fatal` error, runs out of attempts or is aborted. */
export async function withRetry<T>(call: (attempt: number) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const { policy, signal } = options;
  const sleep = options.sleep ?? realSleep;
  const abortError = (): unknown => (options.abortError ? options.abortError(signal?.reason) : signal?.reason);
  const throwIfAborted = (): void => {
    if (signal?.aborted) throw abortError();
  };
  for (let attempt = 1; ; attempt++) {
    throwIfAborted();
    try {
      return await call(attempt);
    } catch (error) {
      throwIfAborted();
      const kind = options.classify(error);
      if (kind === 'fatal' || attempt >= policy.attempts) throw error;
      const delayMs = equalJitterDelay(policy, attempt, kind, options.random);
      options.onRetry?.({ error, kind, attempt, delayMs });
      try {
        await sleep(delayMs, signal);
      } catch (sleepError) {
        if (signal?.aborted) throw abortError();
        throw sleepError;
      }
      if (options.recover && (kind === 'server' || kind === 'network')) {
        const recovered = await options.recover();
        if (recovered !== undefined) return recovered;
      }
    }
  }
}

/** One line about an error, without request bodies or headers (which may carry signatures or tokens). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code !== undefined && !error.message.includes(String(code)) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** The log line of a retry: what is tried, how it failed, which retry of how many, and the wait. */
export function retryLine(what: string, policy: RetryPolicy, event: RetryEvent): string {
  return `${what}: ${event.kind} failure (${describeError(event.error)}); retry ${event.attempt}/${policy.attempts - 1} in ${event.delayMs} ms`;
}
