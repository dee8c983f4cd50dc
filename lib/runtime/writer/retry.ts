/**
 * Retries with capped exponential backoff and full jitter for OSS requests that fail transiently.
 */
import { isRetryable } from './oss-client';

export interface RetryOptions {
  /** Attempts in total, first one included. Default 6. */
  readonly attempts?: number;
  /** Delay before the first retry, doubled each time (before jitter). Default 200 ms. */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay. Default 10 s. */
  readonly maxDelayMs?: number;
  /** Which errors are worth another attempt; default: 5xx, 429 and network errors. */
  readonly retryable?: (err: unknown) => boolean;
}

/** Thrown when the writer's AbortSignal fires: the run stops as a crash would, leaving cleanup to the next run. */
export class WriterAbortedError extends Error {
  constructor(reason?: unknown) {
    super(`Window write aborted${reason instanceof Error ? `: ${reason.message}` : reason !== undefined ? `: ${String(reason)}` : ''}`);
    this.name = 'WriterAbortedError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new WriterAbortedError(signal.reason);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new WriterAbortedError(signal.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new WriterAbortedError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or runs out of attempts. `describe`
 * names the operation in the final error. `onRetry` sees each error that will be retried.
 */
export async function withRetry<T>(
  describe: string,
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions & { readonly signal?: AbortSignal; readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void } = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 10_000;
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await operation(attempt);
    } catch (err) {
      throwIfAborted(options.signal);
      if (attempt >= attempts || !retryable(err)) {
        if (attempt > 1 && err instanceof Error) err.message = `${describe} failed after ${attempt} attempts: ${err.message}`;
        throw err;
      }
      const delay = Math.random() * Math.min(max, base * 2 ** (attempt - 1));
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
