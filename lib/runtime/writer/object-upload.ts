/**
 * Streams one object into OSS. Bytes are copied into a part buffer; each full buffer becomes a multipart
 * UploadPart (at most `concurrency` in flight, each retried on transient failures); `finish` uploads the rest and
 * completes. An object that never fills one part is sent with a single PutObject instead. Memory stays at
 * (concurrency + 1) part buffers.
 *
 * Integrity: every request carries Content-MD5 (the server rejects corrupted bodies), part ETags are checked
 * against the MD5s, and the object's CRC-64 is compared with the `x-oss-hash-crc64ecma` OSS reports.
 */
import { createHash, Hash } from 'node:crypto';
import type { PhaseTimes } from '../phase-times';
import { Crc64 } from '../../common/crc64';
import { asOssError, OssClient, OssResponseInfo } from './oss-client';
import { OssRetryOptions, throwIfAborted, withOssRetry } from './retry';

/** OSS accepts parts of 100 KiB to 5 GiB, the last one excepted. */
export const MIN_PART_SIZE = 100 * 1024;
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface ObjectUploadOptions {
  readonly partSize: number;
  readonly concurrency: number;
  readonly contentType: string;
  readonly retry?: OssRetryOptions;
  readonly signal?: AbortSignal;
  /** Per-request timeout in ms passed to ali-oss. */
  readonly requestTimeoutMs?: number;
  /** Sees every retried failure (for logs). */
  readonly onRetry?: (operation: string, err: unknown, attempt: number) => void;
  /** Receives checksum and upload times (the benchmark's breakdown). */
  readonly phaseTimes?: PhaseTimes;
}

export interface UploadedObject {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  /** CRC-64/ECMA as OSS reports it (unsigned decimal). */
  readonly crc64ecma: string;
  readonly etag: string;
  /** Number of multipart parts, 0 for a single PutObject. */
  readonly multipartParts: number;
}

export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

function headerOf(res: OssResponseInfo | undefined, name: string): string | undefined {
  const v = res?.headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

export class ObjectUpload {
  private buffer: Buffer;
  private filled = 0;
  private size = 0;
  private readonly sha256: Hash = createHash('sha256');
  private readonly crc = new Crc64();
  private uploadId: string | undefined;
  private readonly partEtags: string[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private failure: unknown;
  private finished = false;

  constructor(private readonly client: OssClient, readonly key: string, private readonly options: ObjectUploadOptions) {
    if (!Number.isInteger(options.partSize) || options.partSize < MIN_PART_SIZE || options.partSize > MAX_PART_SIZE) {
      throw new Error(`multipart part size must be an integer from ${MIN_PART_SIZE} to ${MAX_PART_SIZE} bytes, got ${options.partSize}`);
    }
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error(`upload concurrency must be a positive integer, got ${options.concurrency}`);
    this.buffer = Buffer.allocUnsafe(options.partSize);
  }

  /** Bytes accepted so far. */
  get bytesWritten(): number {
    return this.size;
  }

  private retry<T>(what: string, op: (attempt: number) => Promise<T>): Promise<T> {
    return withOssRetry(`${what} ${this.key}`, op, {
      ...this.options.retry,
      signal: this.options.signal,
      onRetry: (err, attempt) => this.options.onRetry?.(what, err, attempt),
    });
  }

  private requestOptions(headers: Record<string, string> = {}): { headers: Record<string, string>; timeout?: number; mime: string } {
    return { headers, mime: this.options.contentType, ...(this.options.requestTimeoutMs ? { timeout: this.options.requestTimeoutMs } : {}) };
  }

  /** Appends bytes; resolves once they are buffered (waiting for an upload slot when a part had to go out). */
  async write(chunk: Buffer): Promise<void> {
    if (this.finished) throw new Error(`write after finish on ${this.key}`);
    if (this.failure) throw this.failure;
    const times = this.options.phaseTimes;
    const checksumStart = times ? performance.now() : 0;
    this.sha256.update(chunk);
    this.crc.update(chunk);
    times?.add('checksum', checksumStart);
    this.size += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.buffer.length - this.filled);
      chunk.copy(this.buffer, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.buffer.length) await this.dispatchPart();
    }
  }

  private async dispatchPart(): Promise<void> {
    throwIfAborted(this.options.signal);
    if (this.uploadId === undefined) {
      const init = await this.retry('InitiateMultipartUpload', () => this.client.initMultipartUpload(this.key, this.requestOptions()));
      this.uploadId = init.uploadId;
    }
    const partNumber = this.partEtags.length + 1;
    if (partNumber > MAX_PARTS) throw new Error(`${this.key} needs more than ${MAX_PARTS} parts of ${this.options.partSize} bytes; raise the part size`);
    const body = this.buffer.subarray(0, this.filled);
    this.partEtags.push('');
    this.buffer = Buffer.allocUnsafe(this.options.partSize);
    this.filled = 0;
    const task = this.uploadPart(partNumber, body).then(
      (etag) => {
        this.partEtags[partNumber - 1] = etag;
      },
      (err: unknown) => {
        this.failure ??= err;
      },
    );
    this.inflight.add(task);
    void task.finally(() => this.inflight.delete(task));
    const waitStart = this.options.phaseTimes ? performance.now() : 0;
    while (this.inflight.size >= this.options.concurrency) await Promise.race(this.inflight);
    this.options.phaseTimes?.add('awaitUpload', waitStart);
    if (this.failure) throw this.failure;
  }

  private async uploadPart(partNumber: number, body: Buffer): Promise<string> {
    const times = this.options.phaseTimes;
    const checksumStart = times ? performance.now() : 0;
    const md5 = createHash('md5').update(body).digest();
    times?.add('checksum', checksumStart);
    const expected = md5.toString('hex').toUpperCase();
    const uploadId = this.uploadId!;
    const result = await this.retry(`UploadPart ${partNumber} of`, () => {
      const uploadStart = times ? performance.now() : 0;
      const request = this.client.uploadPart(this.key, uploadId, partNumber, body, 0, body.length, this.requestOptions({ 'Content-MD5': md5.toString('base64') }));
      times?.add('upload', uploadStart);
      return request;
    });
    const etag = result.etag.replace(/"/g, '').toUpperCase();
    if (etag !== expected) {
      throw new IntegrityError(`UploadPart ${partNumber} of ${this.key}: OSS returned ETag ${result.etag}, expected the part MD5 ${expected}`);
    }
    return result.etag;
  }

  private checkCrc(res: OssResponseInfo | undefined, what: string): string {
    const ours = this.crc.digest();
    const theirs = headerOf(res, 'x-oss-hash-crc64ecma');
    if (theirs !== undefined && theirs !== ours) {
      throw new IntegrityError(`${what} ${this.key}: OSS reports CRC-64 ${theirs}, the bytes sent have ${ours}`);
    }
    return ours;
  }

  /** Sends what is left and makes the object visible. */
  async finish(): Promise<UploadedObject> {
    if (this.finished) throw new Error(`finish called twice on ${this.key}`);
    this.finished = true;
    if (this.failure) throw this.failure;
    throwIfAborted(this.options.signal);
    const sha256 = this.sha256.digest('hex');

    if (this.uploadId === undefined) {
      const body = this.buffer.subarray(0, this.filled);
      const result = await this.retry('PutObject', () => this.client.put(this.key, body, this.requestOptions()));
      const crc64ecma = this.checkCrc(result.res, 'PutObject');
      const etag = headerOf(result.res, 'etag') ?? '';
      return { key: this.key, size: this.size, sha256, crc64ecma, etag, multipartParts: 0 };
    }

    if (this.filled > 0) {
      await this.dispatchPart();
    }
    while (this.inflight.size > 0) await Promise.race(this.inflight);
    if (this.failure) throw this.failure;
    const parts = this.partEtags.map((etag, i) => ({ number: i + 1, etag }));
    const uploadId = this.uploadId;
    let result: { etag: string; res: OssResponseInfo } | undefined;
    try {
      result = await this.retry('CompleteMultipartUpload', () =>
        this.client.completeMultipartUpload(this.key, uploadId, parts, this.requestOptions()));
    } catch (err) {
      // A retried Complete whose first attempt did go through finds the upload gone: check the object instead.
      const e = asOssError(err);
      if (e.code !== 'NoSuchUpload') throw err;
      const head = await this.retry('HeadObject', () => this.client.head(this.key, this.requestOptions()));
      const length = Number(headerOf(head.res, 'content-length'));
      if (length !== this.size) throw err;
      this.checkCrc(head.res, 'CompleteMultipartUpload (verified by HeadObject)');
      result = { etag: headerOf(head.res, 'etag') ?? '', res: head.res };
    }
    const crc64ecma = this.checkCrc(result.res, 'CompleteMultipartUpload');
    return { key: this.key, size: this.size, sha256, crc64ecma, etag: result.etag, multipartParts: parts.length };
  }

  /** Abandons the object: aborts the multipart upload if one was started (best effort). */
  async abort(): Promise<void> {
    this.finished = true;
    await Promise.allSettled([...this.inflight]);
    if (this.uploadId === undefined) return;
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    try {
      await withOssRetry(`AbortMultipartUpload ${this.key}`, () => this.client.abortMultipartUpload(this.key, uploadId, this.requestOptions()), this.options.retry);
    } catch (err) {
      if (asOssError(err).code !== 'NoSuchUpload') throw err;
    }
  }
}
