/**
 * Retry with capped exponential backoff and full jitter, for calls to cloud APIs that throttle and fail
 * transiently. Callers classify errors; this module only decides whether and when to try again.
 */

/** How a failed call failed, as far as retrying is concerned. */
export type FailureKind =
  /** The service refused the request before doing anything (throttling): safe to resend. */
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
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 15_000 };

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly classify: (error: unknown) => FailureKind;
  readonly sleep: Sleep;
  /** What is being tried, for the log line of each retry. */
  readonly what: string;
  readonly onRetry?: (message: string) => void;
  /**
   * Called before resending after an ambiguous failure (`server`/`network`) of a non-idempotent call. Returns the
   * result if the first attempt did take effect (e.g. the node now exists), or undefined to resend.
   */
  readonly recover?: () => Promise<unknown>;
}

export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const kind = options.classify(error);
      if (kind === 'fatal' || attempt >= options.policy.attempts) throw error;
      const delay = backoffDelay(options.policy, attempt);
      options.onRetry?.(`${options.what}: ${kind} failure (${describeError(error)}); retry ${attempt}/${options.policy.attempts - 1} in ${delay} ms`);
      await options.sleep(delay);
      if (options.recover && (kind === 'server' || kind === 'network')) {
        const recovered = await options.recover();
        if (recovered !== undefined) return recovered as T;
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
