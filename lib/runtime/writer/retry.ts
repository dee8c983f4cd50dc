/**
 * OSS requests of the writer through the shared retry loop (lib/common/retry.ts): OSS defaults, OSS's classification,
 * the writer's AbortSignal, and the attempt count in the final error.
 */
import { RetryPolicy, withRetry } from '../../common/retry';
import { isRetryable } from './oss-client';

/** OSS requests: 6 tries, from 200 ms doubling up to 10 s. */
export const OSS_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

/** Overrides of OSS_RETRY_POLICY. */
export interface OssRetryOptions extends Partial<RetryPolicy> {
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

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or runs out of attempts. `describe`
 * names the operation in the final error. `onRetry` sees each error that will be retried.
 */
export async function withOssRetry<T>(
  describe: string,
  operation: (attempt: number) => Promise<T>,
  options: OssRetryOptions & { readonly signal?: AbortSignal; readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void } = {},
): Promise<T> {
  const { retryable = isRetryable, signal, onRetry, ...overrides } = options;
  const policy: RetryPolicy = { ...OSS_RETRY_POLICY, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  let attempts = 0;
  try {
    return await withRetry(
      attempt => {
        attempts = attempt;
        return operation(attempt);
      },
      {
        policy,
        classify: err => (retryable(err) ? 'server' : 'fatal'),
        signal,
        abortError: reason => new WriterAbortedError(reason),
        onRetry: event => onRetry?.(event.error, event.attempt, event.delayMs),
      },
    );
  } catch (err) {
    if (attempts > 1 && err instanceof Error && !(err instanceof WriterAbortedError)) err.message = `${describe} failed after ${attempts} attempts: ${err.message}`;
    throw err;
  }
}
