/**
 * Writes one window [start, end) of stream records to OSS as data files plus a manifest.
 *
 * Order of operations, chosen so that a committed window stays committed until a new commit replaces it,
 * concurrent runs of a window neither fail nor corrupt each other, and a rerun converges on the same objects:
 *   1. publish this attempt's liveness record (./attempts.ts) and read the committed manifest, if any;
 *   2. stream the records into part-00000-<attempt>, part-00001-<attempt>, ... (rolled by uncompressed size
 *      and/or record count, decided per record so the split depends only on the record sequence): keys no
 *      other attempt writes, so the committed files stay untouched while this runs;
 *   3. a new file byte-identical to the committed file at the same position is dropped in favour of the
 *      committed one, so a rerun over the same records leaves the same keys, bytes and manifest;
 *   4. put `_manifest.json` (skipped when unchanged), the commit: one PUT, so readers see the old commit or
 *      the new one; the last of two concurrent commits wins, and each is complete;
 *   5. clean up: delete objects and abort uploads under the directory that the manifest now in place does not
 *      list, except those of attempts whose record is still live (a concurrent run); then release the record.
 * A window without records still gets its manifest, with zero parts. A failure or crash before step 4 leaves
 * the previous commit as it was.
 *
 * Memory: one page of records, the encoder's per-call string, and (concurrency + 1) multipart buffers.
 */
import type { Gzip } from 'node:zlib';
import type { Window } from '../../schedule';
import { createDeterministicGzip, createFileFormat, FileFormat, FormatSpec, OutputLayout, ParquetEncoder } from '../formats';
import type { StreamRecord, StreamRecordPage } from '../reader/types';
import { AttemptLease, DEFAULT_ATTEMPT_TTL_MS, newAttemptId, readAttemptRecords } from './attempts';
import { attemptOfKey, windowObjectKeys, WindowObjectKeys } from './keys';
import { listWindowObjects } from './listing';
import { ManifestPart, MANIFEST_VERSION, readManifest, serializeManifest, WindowManifest } from './manifest';
import type { PhaseTimes } from '../phase-times';
import { ObjectUpload } from './object-upload';
import { asOssError, OssClient } from './oss-client';
import { OssRetryOptions, throwIfAborted, withOssRetry } from './retry';

export const RUNTIME_VERSION = '0.1.0';

export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_UPLOAD_CONCURRENCY = 2;

export type WriterEvent =
  | { readonly type: 'attempt-started'; readonly attempt: string; readonly previousCommit: boolean }
  | { readonly type: 'upload-aborted'; readonly key: string; readonly uploadId: string }
  | { readonly type: 'file-reused'; readonly key: string; readonly duplicate: string }
  | { readonly type: 'file-written'; readonly part: ManifestPart }
  | { readonly type: 'stale-deleted'; readonly keys: readonly string[] }
  | { readonly type: 'retry'; readonly operation: string; readonly attempt: number; readonly error: string }
  | { readonly type: 'committed'; readonly manifestKey: string; readonly records: number; readonly parts: number; readonly unchanged: boolean }
  | { readonly type: 'attempt-renewal-failed'; readonly attempt: string; readonly error: string };

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
  readonly retry?: OssRetryOptions;
  /** Per-request timeout for ali-oss, ms. */
  readonly requestTimeoutMs?: number;
  /**
   * Stops the run as a crash would: no cleanup, no manifest; the promise rejects with WriterAbortedError and the
   * next run of the window removes the leftovers.
   */
  readonly signal?: AbortSignal;
  /** Id of this attempt (12 lowercase hex digits); default random. */
  readonly attemptId?: string;
  /** How long this attempt's liveness record lasts without renewal (renewed every third). Default 5 minutes. */
  readonly attemptTtlMs?: number;
  /** Clock of the liveness records, epoch ms. Default Date.now. */
  readonly now?: () => number;
  /** Receives the time of the writer's phases (the benchmark's breakdown). */
  readonly phaseTimes?: PhaseTimes;
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

  constructor(readonly key: string, private readonly format: FileFormat, private readonly upload: ObjectUpload, private readonly phaseTimes?: PhaseTimes) {
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
    const compressStart = this.phaseTimes ? performance.now() : 0;
    const flowing = this.gzip.write(bytes);
    this.phaseTimes?.add('compress', compressStart);
    if (!flowing) {
      const drainStart = this.phaseTimes ? performance.now() : 0;
      await Promise.race([
        new Promise<void>((resolve) => this.gzip!.once('drain', resolve)),
        this.pump!.then(() => {
          throw new Error(`gzip output of ${this.key} stopped before its input ended`);
        }),
      ]);
      this.phaseTimes?.add('awaitCompression', drainStart);
    }
  }

  async close(): Promise<ManifestPart> {
    const finishStart = this.phaseTimes ? performance.now() : 0;
    const tail = this.format.encoder.finish();
    this.phaseTimes?.add('format', finishStart);
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

type Retrier = <T>(what: string, op: () => Promise<T>) => Promise<T>;

/** Aborts the multipart uploads under `directory` whose key `abandoned` selects. */
async function abortUploadsUnder(
  client: OssClient, directory: string, abandoned: (key: string) => boolean, retry: Retrier, onEvent: WriteWindowOptions['onEvent'],
): Promise<void> {
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
      if (!abandoned(u.name)) continue;
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
    withOssRetry(what, op, { ...options.retry, signal, onRetry: (err, attempt) => onRetry(what, err, attempt) });

  // 1. This attempt's record, then the commit it may replace.
  throwIfAborted(signal);
  const attempt = options.attemptId ?? newAttemptId();
  const now = options.now ?? Date.now;
  const lease = new AttemptLease(client, keys.attemptKey(attempt), attempt, {
    ttlMs: options.attemptTtlMs ?? DEFAULT_ATTEMPT_TTL_MS,
    now,
    retry,
    onRenewalError: (err) => onEvent?.({ type: 'attempt-renewal-failed', attempt, error: asOssError(err).message ?? String(err) }),
  });
  await lease.start();
  try {
    const previous = await retry(`GetObject ${keys.manifestKey}`, () => readManifest(client, keys.manifestKey));
    onEvent?.({ type: 'attempt-started', attempt, previousCommit: previous !== undefined });
    const manifest = await writeAttempt(pages, options, { format, keys, attempt, previous, retry, onRetry, maxFileBytes, maxFileRecords, partSize, concurrency, startMicros, endMicros });
    await cleanUp(client, keys, attempt, now(), retry, onEvent);
    await lease.release();
    return manifest;
  } catch (err) {
    // A crash leaves the record to expire; any other failure releases it (its files go at the next cleanup).
    if (signal?.aborted) await lease.stop();
    else await lease.release().catch(() => undefined);
    throw err;
  }
}

interface AttemptContext {
  readonly format: FileFormat;
  readonly keys: WindowObjectKeys;
  readonly attempt: string;
  readonly previous: WindowManifest | undefined;
  readonly retry: Retrier;
  readonly onRetry: (operation: string, err: unknown, attempt: number) => void;
  readonly maxFileBytes: number;
  readonly maxFileRecords: number;
  readonly partSize: number;
  readonly concurrency: number;
  readonly startMicros: number;
  readonly endMicros: number;
}

function sameFile(a: ManifestPart | undefined, b: ManifestPart): a is ManifestPart {
  return a !== undefined && a.sha256 === b.sha256 && a.storedBytes === b.storedBytes && a.crc64ecma === b.crc64ecma
    && a.records === b.records && a.rows === b.rows && a.uncompressedBytes === b.uncompressedBytes;
}

/** The pages, with the time the writer waits for each one (decoding excluded) added to `awaitPages`. */
async function* timedPages(pages: AsyncIterable<StreamRecordPage> | Iterable<StreamRecordPage>, times: PhaseTimes): AsyncGenerator<StreamRecordPage> {
  const iterator = Symbol.asyncIterator in pages ? pages[Symbol.asyncIterator]() : (pages as Iterable<StreamRecordPage>)[Symbol.iterator]();
  try {
    for (;;) {
      const start = performance.now();
      const decodedBefore = times.ms.decode;
      const next = await iterator.next();
      times.add('awaitPages', start);
      times.ms.awaitPages -= times.ms.decode - decodedBefore;
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/** Steps 2 to 4: the data files and the commit. */
async function writeAttempt(
  pages: AsyncIterable<StreamRecordPage> | Iterable<StreamRecordPage>, options: WriteWindowOptions, ctx: AttemptContext,
): Promise<WindowManifest> {
  const { client, signal, onEvent } = options;
  const { format, keys, attempt, retry, onRetry, maxFileBytes, maxFileRecords, partSize, concurrency, startMicros, endMicros } = ctx;

  // 2. Data files.
  const parts: ManifestPart[] = [];
  const counts: Record<StreamRecord['action'], number> = { PUT: 0, UPDATE: 0, DELETE: 0 };
  const shards = new Set<string>();
  let minTime = Infinity;
  let maxTime = -Infinity;
  let current: DataFile | undefined;

  const openFile = async (): Promise<DataFile> => {
    const key = keys.partKey(parts.length, attempt);
    const upload = new ObjectUpload(client, key, {
      partSize, concurrency, contentType: format.contentType, retry: options.retry, signal, requestTimeoutMs: options.requestTimeoutMs, onRetry,
      phaseTimes: options.phaseTimes,
    });
    const file = new DataFile(key, format, upload, options.phaseTimes);
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
    for await (const page of options.phaseTimes ? timedPages(pages, options.phaseTimes) : pages) {
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
        const formatStart = options.phaseTimes ? performance.now() : 0;
        const result = format.encoder.encode(records, i, end, maxFileBytes - file.accounted);
        options.phaseTimes?.add('format', formatStart);
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

  // 3. Files identical to the committed ones at the same position keep the committed keys.
  const committedParts = parts.map((p, i) => {
    const old = ctx.previous?.parts[i];
    if (!sameFile(old, p)) return p;
    onEvent?.({ type: 'file-reused', key: old.key, duplicate: p.key });
    return old;
  });

  // 4. Commit.
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
    parts: committedParts,
  };
  throwIfAborted(signal);
  const body = serializeManifest(manifest);
  const unchanged = ctx.previous !== undefined && serializeManifest(ctx.previous).equals(body);
  if (!unchanged) await retry(`PutObject ${keys.manifestKey}`, () => client.put(keys.manifestKey, body, { mime: 'application/json' }));

  // A concurrent run's cleanup may have removed a committed file this commit kept: fall back to this run's copy.
  const reused = committedParts.filter((p, i) => p !== parts[i]);
  if (reused.length > 0) {
    const present = new Set((await retry(`ListObjectsV2 ${keys.directory}`, () => listWindowObjects(client, keys.directory))).map((o) => o.key));
    if (reused.some((p) => !present.has(p.key))) {
      const repaired: WindowManifest = { ...manifest, parts: committedParts.map((p, i) => (present.has(p.key) ? p : parts[i])) };
      await retry(`PutObject ${keys.manifestKey}`, () => client.put(keys.manifestKey, serializeManifest(repaired), { mime: 'application/json' }));
      onEvent?.({ type: 'committed', manifestKey: keys.manifestKey, records: repaired.records.total, parts: parts.length, unchanged: false });
      return repaired;
    }
  }
  onEvent?.({ type: 'committed', manifestKey: keys.manifestKey, records: manifest.records.total, parts: parts.length, unchanged });
  return manifest;
}

/**
 * Step 5: removes what no commit needs. Keeps the files the manifest in place lists (it may be a concurrent
 * run's) and everything of attempts whose record is live; aborts their uploads likewise.
 */
async function cleanUp(client: OssClient, keys: WindowObjectKeys, attempt: string, now: number, retry: Retrier, onEvent: WriteWindowOptions['onEvent']): Promise<void> {
  const { live, expiredKeys } = await retry(`ListObjectsV2 ${keys.attemptsDirectory}`, () => readAttemptRecords(client, keys.directory, now));
  const current = await retry(`GetObject ${keys.manifestKey}`, () => readManifest(client, keys.manifestKey));
  const keep = new Set([keys.manifestKey, ...(current?.parts.map((p) => p.key) ?? [])]);
  const abandoned = (key: string): boolean => {
    const owner = attemptOfKey(key);
    return owner === attempt || owner === undefined || !live.has(owner);
  };
  const stale = (await retry(`ListObjectsV2 ${keys.directory}`, () => listWindowObjects(client, keys.directory)))
    .map((o) => o.key)
    .filter((k) => !keep.has(k) && !k.startsWith(keys.attemptsDirectory) && abandoned(k))
    .concat(expiredKeys);
  for (let i = 0; i < stale.length; i += 1000) {
    const batch = stale.slice(i, i + 1000);
    await retry('DeleteMultipleObjects', () => client.deleteMulti(batch, { quiet: true }));
  }
  if (stale.length > 0) onEvent?.({ type: 'stale-deleted', keys: stale });
  await abortUploadsUnder(client, keys.directory, abandoned, retry, onEvent);
}
