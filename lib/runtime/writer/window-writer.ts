/**
 * Writes one window [start, end) of stream records to OSS as data files plus a manifest.
 *
 * Order of operations, chosen so that readers never see a half-written window as committed and a rerun
 * converges on the same objects:
 *   1. delete the window's manifest (the old commit marker goes first);
 *   2. abort multipart uploads left under the window directory by an interrupted run;
 *   3. stream the records into part-00000, part-00001, ... (rolled by uncompressed size and/or record count,
 *      decided per record so the split depends only on the record sequence, never on page boundaries);
 *   4. delete every other object under the directory (files of an earlier attempt that wrote more parts);
 *   5. abort uploads under the directory once more (orphans of retried InitiateMultipartUpload calls);
 *   6. write `_manifest.json`, the commit marker.
 * A window without records still gets its manifest, with zero parts.
 *
 * Memory: one page of records, the encoder's per-call string, and (concurrency + 1) multipart buffers.
 */
import type { Gzip } from 'node:zlib';
import type { Window } from '../../schedule';
import { createDeterministicGzip, createFileFormat, FileFormat, FormatSpec, OutputLayout, ParquetEncoder } from '../formats';
import type { StreamRecord, StreamRecordPage } from '../reader/types';
import { windowObjectKeys, WindowObjectKeys } from './keys';
import { listWindowObjects, ManifestPart, MANIFEST_VERSION, serializeManifest, WindowManifest } from './manifest';
import { ObjectUpload } from './object-upload';
import { asOssError, isNoSuchKey, OssClient } from './oss-client';
import { RetryOptions, throwIfAborted, withRetry } from './retry';

export const RUNTIME_VERSION = '0.1.0';

export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_UPLOAD_CONCURRENCY = 2;

export type WriterEvent =
  | { readonly type: 'manifest-deleted'; readonly key: string }
  | { readonly type: 'upload-aborted'; readonly key: string; readonly uploadId: string }
  | { readonly type: 'file-written'; readonly part: ManifestPart }
  | { readonly type: 'stale-deleted'; readonly keys: readonly string[] }
  | { readonly type: 'retry'; readonly operation: string; readonly attempt: number; readonly error: string }
  | { readonly type: 'committed'; readonly manifestKey: string; readonly records: number; readonly parts: number };

export interface WriteWindowOptions {
  readonly client: OssClient;
  /** Export prefix (bucket.exportPrefix), no leading/trailing slash needed. */
  readonly prefix: string;
  readonly table: string;
  readonly window: Window;
  /** IANA zone of the key times (schedule.timezone). */
  readonly timeZone: string;
  readonly layout: OutputLayout;
  readonly format: FormatSpec;
  /** Roll to a new file once this many uncompressed bytes are in the current one. Default 64 MiB. */
  readonly maxFileBytes?: number;
  /** Roll to a new file after this many stream records. Default: no limit. */
  readonly maxFileRecords?: number;
  /** Multipart part size, at least 100 KiB. Default 8 MiB. */
  readonly partSize?: number;
  /** Parts of one file uploading at once. Default 2. */
  readonly uploadConcurrency?: number;
  readonly retry?: RetryOptions;
  /** Per-request timeout for ali-oss, ms. */
  readonly requestTimeoutMs?: number;
  /**
   * Stops the run as a crash would: no cleanup, no manifest; the promise rejects with WriterAbortedError and the
   * next run of the window removes the leftovers.
   */
  readonly signal?: AbortSignal;
  /** Recorded in the manifest. Default RUNTIME_VERSION. */
  readonly runtimeVersion?: string;
  readonly onEvent?: (event: WriterEvent) => void;
}

/** One data file being written: encoder output -> optional gzip -> multipart upload. */
class DataFile {
  records = 0;
  rows = 0;
  /** Size accounted for rolling (encoder units, header included). */
  accounted = 0;
  private written = 0;
  private readonly gzip: Gzip | undefined;
  private readonly pump: Promise<void> | undefined;

  constructor(readonly key: string, private readonly format: FileFormat, private readonly upload: ObjectUpload) {
    if (format.streamCompression === 'gzip') {
      const gzip = createDeterministicGzip(format.gzipLevel);
      this.gzip = gzip;
      this.pump = (async () => {
        for await (const chunk of gzip) await upload.write(chunk as Buffer);
      })();
      // Surfaced by write/close; keep Node from reporting it as unhandled meanwhile.
      this.pump.catch(() => undefined);
    }
  }

  async write(bytes: Buffer): Promise<void> {
    this.written += bytes.length;
    if (!this.gzip) {
      await this.upload.write(bytes);
      return;
    }
    if (!this.gzip.write(bytes)) {
      await Promise.race([
        new Promise<void>((resolve) => this.gzip!.once('drain', resolve)),
        this.pump!.then(() => {
          throw new Error(`gzip output of ${this.key} stopped before its input ended`);
        }),
      ]);
    }
  }

  async close(): Promise<ManifestPart> {
    const tail = this.format.encoder.finish();
    if (tail) await this.write(tail);
    if (this.gzip) {
      this.gzip.end();
      await this.pump;
    }
    const uploaded = await this.upload.finish();
    const encoder = this.format.encoder;
    return {
      key: this.key,
      records: this.records,
      rows: this.rows,
      uncompressedBytes: encoder instanceof ParquetEncoder ? encoder.uncompressedSize : this.written,
      storedBytes: uploaded.size,
      sha256: uploaded.sha256,
      crc64ecma: uploaded.crc64ecma,
      etag: uploaded.etag,
    };
  }

  async abort(): Promise<void> {
    this.gzip?.destroy();
    await this.pump?.catch(() => undefined);
    await this.upload.abort();
  }
}

function positiveInteger(name: string, value: number | undefined, dflt: number): number {
  const v = value ?? dflt;
  if (!(Number.isInteger(v) && v > 0) && v !== Infinity) throw new Error(`${name} must be a positive integer, got ${value}`);
  return v;
}

/** Aborts every multipart upload whose key lies under `directory`. */
type Retrier = <T>(what: string, op: () => Promise<T>) => Promise<T>;

async function abortUploadsUnder(client: OssClient, directory: string, retry: Retrier, onEvent: WriteWindowOptions['onEvent']): Promise<void> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await retry('ListMultipartUploads', () => client.listUploads({
      prefix: directory,
      'max-uploads': 1000,
      ...(keyMarker ? { 'key-marker': keyMarker } : {}),
      ...(uploadIdMarker ? { 'upload-id-marker': uploadIdMarker } : {}),
    }));
    for (const u of page.uploads) {
      try {
        await retry('AbortMultipartUpload', () => client.abortMultipartUpload(u.name, u.uploadId));
      } catch (err) {
        if (asOssError(err).code !== 'NoSuchUpload') throw err;
      }
      onEvent?.({ type: 'upload-aborted', key: u.name, uploadId: u.uploadId });
    }
    if (!page.isTruncated || !page.nextKeyMarker) return;
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}

function formatSummary(format: FileFormat, spec: FormatSpec, layout: OutputLayout): WindowManifest['format'] {
  const base = {
    fileFormat: spec.fileFormat,
    compression: format.compression,
    ...(format.compression === 'gzip' ? { gzipLevel: format.gzipLevel } : {}),
    layout: layout.kind,
    encoding: 'UTF-8' as const,
  };
  if (spec.fileFormat !== 'csv') return base;
  return {
    ...base,
    fieldDelimiter: spec.csv?.fieldDelimiter ?? ',',
    nullFormat: spec.csv?.nullFormat ?? '\\N',
    header: spec.csv?.header ?? false,
    binaryEncoding: spec.csv?.binaryEncoding ?? 'base64',
  };
}

/** Writes the window and returns the manifest that committed it. */
export async function writeWindow(pages: AsyncIterable<StreamRecordPage> | Iterable<StreamRecordPage>, options: WriteWindowOptions): Promise<WindowManifest> {
  const { client, signal, onEvent } = options;
  const format = createFileFormat(options.layout, options.format);
  const keys: WindowObjectKeys = windowObjectKeys({
    prefix: options.prefix, table: options.table, window: options.window, timeZone: options.timeZone, extension: format.extension,
  });
  const maxFileBytes = positiveInteger('maxFileBytes', options.maxFileBytes, DEFAULT_MAX_FILE_BYTES);
  const maxFileRecords = positiveInteger('maxFileRecords', options.maxFileRecords, Infinity);
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const concurrency = options.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY;
  const startMicros = options.window.start * 1000;
  const endMicros = options.window.end * 1000;
  const onRetry = (operation: string, err: unknown, attempt: number): void =>
    onEvent?.({ type: 'retry', operation, attempt, error: asOssError(err).message ?? String(err) });
  const retry: Retrier = (what, op) =>
    withRetry(what, op, { ...options.retry, signal, onRetry: (err, attempt) => onRetry(what, err, attempt) });

  // 1. The old commit marker goes before anything else changes.
  throwIfAborted(signal);
  try {
    await retry(`DeleteObject ${keys.manifestKey}`, () => client.delete(keys.manifestKey));
  } catch (err) {
    if (!isNoSuchKey(err)) throw err;
  }
  onEvent?.({ type: 'manifest-deleted', key: keys.manifestKey });

  // 2. Uploads an interrupted run left behind.
  await abortUploadsUnder(client, keys.directory, retry, onEvent);

  // 3. Data files.
  const parts: ManifestPart[] = [];
  const counts: Record<StreamRecord['action'], number> = { PUT: 0, UPDATE: 0, DELETE: 0 };
  const shards = new Set<string>();
  let minTime = Infinity;
  let maxTime = -Infinity;
  let current: DataFile | undefined;

  const openFile = async (): Promise<DataFile> => {
    const key = keys.partKey(parts.length);
    const upload = new ObjectUpload(client, key, {
      partSize, concurrency, contentType: format.contentType, retry: options.retry, signal, requestTimeoutMs: options.requestTimeoutMs, onRetry,
    });
    const file = new DataFile(key, format, upload);
    const head = format.encoder.begin();
    if (head) {
      file.accounted += head.length;
      await file.write(head);
    }
    return file;
  };

  const closeFile = async (): Promise<void> => {
    const file = current!;
    current = undefined;
    let part: ManifestPart;
    try {
      part = await file.close();
    } catch (err) {
      if (!signal?.aborted) await file.abort().catch(() => undefined);
      throw err;
    }
    parts.push(part);
    onEvent?.({ type: 'file-written', part });
  };

  try {
    for await (const page of pages) {
      throwIfAborted(signal);
      const records = page.records;
      for (const r of records) {
        const t = r.writeTimeMicros;
        if (!(t >= startMicros && t < endMicros)) {
          throw new Error(`Stream record from shard ${r.shardId} written at ${t} µs lies outside the window [${startMicros}, ${endMicros}) µs`);
        }
        counts[r.action] += 1;
        if (t < minTime) minTime = t;
        if (t > maxTime) maxTime = t;
        shards.add(r.shardId);
      }
      let i = 0;
      while (i < records.length) {
        current ??= await openFile();
        const file = current;
        const end = Math.min(records.length, i + (maxFileRecords - file.records));
        const result = format.encoder.encode(records, i, end, maxFileBytes - file.accounted);
        file.records += result.records;
        file.rows += result.rows;
        file.accounted += result.size;
        if (result.bytes) await file.write(result.bytes);
        i += result.records;
        if (file.accounted >= maxFileBytes || file.records >= maxFileRecords) await closeFile();
      }
    }
    if (current) await closeFile();
  } catch (err) {
    // A crash (abort signal) leaves everything as it is; any other failure abandons the open upload.
    if (current && !signal?.aborted) await current.abort().catch(() => undefined);
    throw err;
  }

  // 4. Objects under the window directory this run did not write.
  throwIfAborted(signal);
  const written = new Set(parts.map((p) => p.key));
  const stale = (await retry(`ListObjectsV2 ${keys.directory}`, () => listWindowObjects(client, keys.directory)))
    .map((o) => o.key)
    .filter((k) => !written.has(k) && k !== keys.manifestKey);
  for (let i = 0; i < stale.length; i += 1000) {
    const batch = stale.slice(i, i + 1000);
    await retry('DeleteMultipleObjects', () => client.deleteMulti(batch, { quiet: true }));
  }
  if (stale.length > 0) onEvent?.({ type: 'stale-deleted', keys: stale });

  // 5. Orphaned uploads of this run's own retried initiations.
  await abortUploadsUnder(client, keys.directory, retry, onEvent);

  // 6. Commit.
  const manifest: WindowManifest = {
    manifestVersion: MANIFEST_VERSION,
    runtimeVersion: options.runtimeVersion ?? RUNTIME_VERSION,
    table: options.table,
    window: {
      start: options.window.start,
      end: options.window.end,
      startIso: new Date(options.window.start).toISOString(),
      endIso: new Date(options.window.end).toISOString(),
      startTime: keys.startTime,
      endTime: keys.endTime,
      timeZone: options.timeZone,
    },
    format: formatSummary(format, options.format, options.layout),
    columns: options.layout.columns,
    records: { total: counts.PUT + counts.UPDATE + counts.DELETE, ...counts },
    rows: parts.reduce((n, p) => n + p.rows, 0),
    bytes: {
      uncompressed: parts.reduce((n, p) => n + p.uncompressedBytes, 0),
      stored: parts.reduce((n, p) => n + p.storedBytes, 0),
    },
    writeTimeMicros: minTime === Infinity ? null : { min: minTime, max: maxTime },
    shards: [...shards].sort(),
    parts,
  };
  throwIfAborted(signal);
  const body = serializeManifest(manifest);
  await retry(`PutObject ${keys.manifestKey}`, () => client.put(keys.manifestKey, body, { mime: 'application/json' }));
  onEvent?.({ type: 'committed', manifestKey: keys.manifestKey, records: manifest.records.total, parts: parts.length });
  return manifest;
}
