/**
 * Signed HTTP transport to a Tablestore endpoint: one POST per operation,
 * keep-alive connections (http1.ts), retries (see retry.ts), service errors decoded
 * from the protobuf Error body, responses checked against x-ots-contentmd5.
 */
import { decodeMessage } from './protocol/messages';
import { RetryPolicy, Sleep, validateRetryPolicy, withRetry } from '../common/retry';
import { TablestoreError, tablestoreFailureKind } from './errors';
import { Http1Pool, Http1Response, HttpTimeoutError } from './http1';
import { contentMd5, HEADER_CONTENT_MD5, HEADER_REQUEST_ID, signRequest, TablestoreCredentials } from './signing';

/** Tablestore calls: 10 tries; transient failures from 100 ms, throttling from 500 ms, doubling up to 10 s. */
export const TABLESTORE_RETRY_POLICY: RetryPolicy = { attempts: 10, baseDelayMs: 100, throttleBaseDelayMs: 500, maxDelayMs: 10_000 };

/** Overrides of TABLESTORE_RETRY_POLICY, and test hooks. */
export interface TablestoreRetryOptions extends Partial<RetryPolicy> {
  readonly random?: () => number;
  readonly sleep?: Sleep;
}

export type CredentialsSource = TablestoreCredentials | (() => TablestoreCredentials | Promise<TablestoreCredentials>);

export interface TransportOptions {
  /** http(s)://host[:port]; any path is ignored (operations are POST /<Operation>). */
  readonly endpoint: string;
  readonly instanceName: string;
  /** Fixed credentials, or a provider called before every attempt (STS refresh). */
  readonly credentials: CredentialsSource;
  readonly retry?: TablestoreRetryOptions;
  /** Per-attempt timeout in ms (default 30000). */
  readonly requestTimeoutMs?: number;
  /** Keep-alive sockets per endpoint (default 16). */
  readonly maxSockets?: number;
  /** Check x-ots-contentmd5 of responses when present (default true). */
  readonly verifyResponseMd5?: boolean;
}

interface ServiceErrorBody {
  code?: string;
  message?: string;
}

export class TablestoreTransport {
  private readonly pool: Http1Pool;
  private readonly retry: { readonly policy: RetryPolicy; readonly random?: () => number; readonly sleep?: Sleep };
  private readonly timeoutMs: number;
  private readonly verifyMd5: boolean;
  private serverTime: number | null = null;

  constructor(private readonly options: TransportOptions) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new TypeError(`endpoint "${options.endpoint}" is not a URL (expected http(s)://host[:port])`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`endpoint "${options.endpoint}" must use http or https, not ${url.protocol}`);
    }
    if (!options.instanceName) throw new TypeError('instanceName must not be empty');
    this.pool = new Http1Pool({ url, maxSockets: options.maxSockets ?? 16 });
    const { random, sleep, ...policy } = options.retry ?? {};
    this.retry = { policy: validateRetryPolicy({ ...TABLESTORE_RETRY_POLICY, ...withoutUndefined(policy) }), random, sleep };
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.verifyMd5 = options.verifyResponseMd5 !== false;
  }

  /** Sends `body` to POST /<operation> with retries; resolves with the response body. */
  call(operation: string, body: Buffer): Promise<Buffer> {
    return withRetry(
      attempt =>
        this.attempt(operation, body).catch((err: unknown) => {
          if (err instanceof TablestoreError) err.attempts = attempt;
          throw err;
        }),
      { ...this.retry, classify: tablestoreFailureKind },
    );
  }

  /**
   * The service's time (epoch ms) from the latest response's `x-ots-date`, or null before any response carried one.
   * The Go SDK lists x-ots-date among response headers; readers compare it with the Stream retention.
   */
  get serverTimeMs(): number | null {
    return this.serverTime;
  }

  close(): void {
    this.pool.close();
  }

  private async attempt(operation: string, body: Buffer): Promise<Buffer> {
    const source = this.options.credentials;
    const credentials = typeof source === 'function' ? await source() : source;
    const path = `/${operation}`;
    const headers = signRequest({ path, body, instanceName: this.options.instanceName, credentials });
    // A header HTTP cannot carry throws here, a TypeError no retry can mend.
    const exchange = this.pool.post(path, headers, body, this.timeoutMs);
    let res: Http1Response;
    try {
      res = await exchange;
    } catch (err) {
      throw transportError(operation, err as Error & { code?: string });
    }
    const requestId = res.headers.get(HEADER_REQUEST_ID) ?? null;
    const date = Date.parse(res.headers.get('x-ots-date') ?? '');
    if (Number.isFinite(date)) this.serverTime = date;
    const payload = res.body;
    const status = res.status;
    if (status < 200 || status >= 300) throw serviceError(operation, status, requestId, payload);
    const md5 = res.headers.get(HEADER_CONTENT_MD5);
    if (this.verifyMd5 && md5 !== undefined && contentMd5(payload) !== md5) {
      throw new TablestoreError({ code: 'NetworkError', message: 'response body does not match x-ots-contentmd5', httpStatus: status, requestId, operation });
    }
    return payload;
  }
}

/** A failed exchange (no response): TimeoutError when nothing moved for the timeout, else NetworkError. */
function transportError(operation: string, cause: Error & { code?: string }): TablestoreError {
  if (cause instanceof HttpTimeoutError) {
    return new TablestoreError({ code: 'TimeoutError', message: cause.message, httpStatus: null, requestId: null, operation, cause });
  }
  return new TablestoreError({ code: 'NetworkError', message: `${cause.code ?? cause.name}: ${cause.message}`, httpStatus: null, requestId: null, operation, cause });
}

function serviceError(operation: string, status: number, requestId: string | null, payload: Buffer): TablestoreError {
  let code = `HTTP${status}`;
  let message = payload.length > 0 ? payload.toString('utf8', 0, Math.min(payload.length, 200)) : 'empty error body';
  try {
    const decoded = decodeMessage<ServiceErrorBody>('Error', payload);
    if (decoded.code) {
      code = decoded.code;
      message = decoded.message ?? '';
    }
  } catch {
    // Not a protobuf Error (e.g. a proxy page): keep the HTTP status as the code.
  }
  return new TablestoreError({ code, message, httpStatus: status, requestId, operation });
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
