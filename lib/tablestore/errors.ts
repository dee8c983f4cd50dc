import type { FailureKind } from '../common/retry';

/**
 * Errors raised by the Tablestore client: a service error (code, message and
 * request id from the response) or a transport failure.
 */
export class TablestoreError extends Error {
  /** OTS error code (e.g. OTSServerBusy), or NetworkError / TimeoutError / HTTP<status>. */
  readonly code: string;
  /** HTTP status, null for transport failures. */
  readonly httpStatus: number | null;
  /** x-ots-requestid of the failed response, null when none was received. */
  readonly requestId: string | null;
  /** API operation, e.g. GetStreamRecord. */
  readonly operation: string;
  /** Attempts made, the failing one included. */
  attempts = 1;

  constructor(init: { code: string; message: string; httpStatus: number | null; requestId: string | null; operation: string; cause?: unknown }) {
    super(
      `${init.operation} failed: ${init.code}: ${init.message}` +
        (init.httpStatus !== null ? ` (HTTP ${init.httpStatus}` + (init.requestId ? `, request id ${init.requestId})` : ')') : ''),
      init.cause !== undefined ? { cause: init.cause } : undefined,
    );
    this.name = 'TablestoreError';
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.requestId = init.requestId;
    this.operation = init.operation;
  }
}

/** Error codes the service uses to push back on load; retried with the longer backoff. */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'OTSServerBusy',
  'OTSQuotaExhausted',
  'OTSTooFrequentReservedThroughputAdjustment',
  'OTSNotEnoughCapacityUnit',
  'OTSCapacityUnitExhausted',
  'OTSOperationThrottled',
  'OTSRowOperationConflict',
]);

/** Transient server-side failures worth retrying. */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'OTSInternalServerError',
  'OTSPartitionUnavailable',
  'OTSTableNotReady',
  'OTSTimeout',
  'OTSServerUnavailable',
  'NetworkError',
  'TimeoutError',
]);

export function isThrottling(err: TablestoreError): boolean {
  return THROTTLING_CODES.has(err.code);
}

export function isRetryable(err: unknown): boolean {
  if (!(err instanceof TablestoreError)) return false;
  if (THROTTLING_CODES.has(err.code) || TRANSIENT_CODES.has(err.code)) return true;
  return err.httpStatus !== null && err.httpStatus >= 500;
}

/** How a Tablestore call failed, for the retry loop: throttling waits longer, other retryable codes are transient. */
export function tablestoreFailureKind(err: unknown): FailureKind {
  if (!(err instanceof TablestoreError)) return 'fatal';
  if (isThrottling(err)) return 'throttled';
  if (err.code === 'NetworkError' || err.code === 'TimeoutError') return 'network';
  return isRetryable(err) ? 'server' : 'fatal';
}
