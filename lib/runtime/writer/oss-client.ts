/**
 * The part of the `ali-oss` client the window writer uses, typed after what ali-oss 6.23 actually returns
 * (the community @types package disagrees in places, e.g. uploadPart's `etag` and listV2's query types).
 */
import type OSS from 'ali-oss';

export interface OssResponseInfo {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface OssRequestOptions {
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly timeout?: number;
  readonly mime?: string;
}

export interface OssListedObject {
  readonly name: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: string;
}

export interface OssClient {
  put(name: string, body: Buffer, options?: OssRequestOptions): Promise<{ readonly name: string; readonly res: OssResponseInfo }>;
  get(name: string, file?: null, options?: OssRequestOptions): Promise<{ readonly content: Buffer; readonly res: OssResponseInfo }>;
  head(name: string, options?: OssRequestOptions): Promise<{ readonly status: number; readonly res: OssResponseInfo }>;
  delete(name: string, options?: OssRequestOptions): Promise<{ readonly res: OssResponseInfo }>;
  deleteMulti(names: readonly string[], options?: { readonly quiet?: boolean }): Promise<{ readonly res: OssResponseInfo }>;
  listV2(
    query: { readonly prefix?: string; readonly delimiter?: string; readonly 'max-keys'?: string; readonly 'continuation-token'?: string; readonly 'start-after'?: string },
    options?: OssRequestOptions,
  ): Promise<{
    readonly objects: readonly OssListedObject[];
    readonly prefixes: readonly string[] | null;
    readonly isTruncated: boolean;
    readonly nextContinuationToken?: string;
  }>;
  initMultipartUpload(name: string, options?: OssRequestOptions): Promise<{ readonly uploadId: string; readonly res: OssResponseInfo }>;
  uploadPart(name: string, uploadId: string, partNo: number, file: Buffer, start: number, end: number, options?: OssRequestOptions):
    Promise<{ readonly etag: string; readonly res: OssResponseInfo }>;
  completeMultipartUpload(name: string, uploadId: string, parts: ReadonlyArray<{ readonly number: number; readonly etag: string }>, options?: OssRequestOptions):
    Promise<{ readonly etag: string; readonly res: OssResponseInfo }>;
  abortMultipartUpload(name: string, uploadId: string, options?: OssRequestOptions): Promise<{ readonly res: OssResponseInfo }>;
  listUploads(
    query: { readonly prefix?: string; readonly 'max-uploads'?: number; readonly 'key-marker'?: string; readonly 'upload-id-marker'?: string },
    options?: OssRequestOptions,
  ): Promise<{
    readonly uploads: ReadonlyArray<{ readonly name: string; readonly uploadId: string; readonly initiated: string }>;
    readonly isTruncated: boolean;
    readonly nextKeyMarker?: string;
    readonly nextUploadIdMarker?: string;
  }>;
}

/** Options for `new OSS(...)`: endpoint or region, bucket, credentials, and anything else ali-oss accepts. */
export interface OssClientOptions {
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly stsToken?: string;
  readonly secure?: boolean;
  readonly timeout?: number;
  readonly authorizationV4?: boolean;
  readonly [option: string]: unknown;
}

/**
 * An ali-oss client seen through the OssClient interface. ali-oss (and urllib under it) is loaded on the first
 * client: a command or module that never reaches OSS does not pay for loading it.
 */
export function createOssClient(options: OssClientOptions): OssClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Client = require('ali-oss') as typeof OSS;
  return new Client(options as unknown as OSS.Options) as unknown as OssClient;
}

/** The fields ali-oss puts on the errors it throws. */
export interface OssErrorLike {
  readonly name?: string;
  readonly code?: string;
  readonly status?: number;
  readonly message?: string;
  readonly requestId?: string;
}

export function asOssError(err: unknown): OssErrorLike {
  return typeof err === 'object' && err !== null ? (err as OssErrorLike) : { message: String(err) };
}

export function isNoSuchKey(err: unknown): boolean {
  const e = asOssError(err);
  return e.status === 404 && (e.code === 'NoSuchKey' || e.name === 'NoSuchKeyError');
}

/**
 * Whether a failed request may succeed when sent again: server errors (5xx), throttling (429), and network
 * failures (ali-oss status -1 for connection errors, -2 for timeouts, or urllib's error names).
 */
export function isRetryable(err: unknown): boolean {
  const e = asOssError(err);
  if (typeof e.status === 'number' && (e.status >= 500 || e.status === 429 || e.status === -1 || e.status === -2)) return true;
  const names = [e.name, e.code].filter((x): x is string => typeof x === 'string');
  return names.some((n) => /ResponseTimeoutError|ConnectionTimeoutError|RequestError|ResponseError|SocketError|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up/i.test(n));
}
