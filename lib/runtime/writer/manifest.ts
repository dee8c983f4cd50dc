/**
 * The window manifest: written last, it is the commit marker of a window. A window without `_manifest.json`
 * is incomplete, whatever data files its directory holds; a window with one holds exactly the files it lists
 * (the directory may also hold files of a run in progress, which its manifest will list once it commits).
 *
 * The manifest records no wall-clock time, so rerunning a window over the same records rewrites the same bytes.
 */
import type { StreamAction } from '../reader/types';
import type { OutputColumn } from '../formats';
import { readAttemptRecords } from './attempts';
import { ATTEMPTS_DIRECTORY, attemptOfKey } from './keys';
import { listWindowObjects } from './listing';
import { isNoSuchKey, OssClient } from './oss-client';

export const MANIFEST_VERSION = 1;

export interface ManifestPart {
  readonly key: string;
  /** Stream records in this file. */
  readonly records: number;
  /** Output rows (lines) in this file. */
  readonly rows: number;
  /** Bytes before stream compression (Parquet: pages counted uncompressed). */
  readonly uncompressedBytes: number;
  /** Bytes of the object in OSS. */
  readonly storedBytes: number;
  readonly sha256: string;
  /** CRC-64/ECMA of the object, as `x-oss-hash-crc64ecma` reports it. */
  readonly crc64ecma: string;
  readonly etag: string;
}

export interface WindowManifest {
  readonly manifestVersion: number;
  readonly runtimeVersion: string;
  readonly table: string;
  readonly window: {
    /** Epoch milliseconds, [start, end). */
    readonly start: number;
    readonly end: number;
    readonly startIso: string;
    readonly endIso: string;
    /** yyyyMMddHHmmss in `timeZone`, as in the object keys. */
    readonly startTime: string;
    readonly endTime: string;
    readonly timeZone: string;
  };
  readonly format: {
    readonly fileFormat: 'csv' | 'jsonl' | 'parquet';
    readonly compression: string;
    readonly gzipLevel?: number;
    readonly layout: 'cells' | 'rows';
    readonly encoding: 'UTF-8';
    readonly fieldDelimiter?: string;
    readonly nullFormat?: string;
    readonly header?: boolean;
    readonly binaryEncoding?: string;
  };
  readonly columns: readonly OutputColumn[];
  readonly records: { readonly total: number } & Readonly<Record<StreamAction, number>>;
  readonly rows: number;
  readonly bytes: { readonly uncompressed: number; readonly stored: number };
  /** Smallest and largest stream write time (µs) among the records; null for an empty window. */
  readonly writeTimeMicros: { readonly min: number; readonly max: number } | null;
  /** Shards that contributed records, sorted. */
  readonly shards: readonly string[];
  readonly parts: readonly ManifestPart[];
}

/** Serializes with a fixed key order (the interface's) and a trailing newline. */
export function serializeManifest(manifest: WindowManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}

export class ManifestError extends Error {
  constructor(readonly key: string, problem: string) {
    super(`Manifest ${key}: ${problem}`);
    this.name = 'ManifestError';
  }
}

/** Parses and sanity-checks a manifest body. */
export function parseManifest(key: string, body: Buffer | string): WindowManifest {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new ManifestError(key, `not valid JSON (${(err as Error).message})`);
  }
  const m = value as Partial<WindowManifest>;
  if (typeof m !== 'object' || m === null) throw new ManifestError(key, 'not a JSON object');
  if (m.manifestVersion !== MANIFEST_VERSION) throw new ManifestError(key, `manifestVersion ${String(m.manifestVersion)} is not ${MANIFEST_VERSION}`);
  if (!Array.isArray(m.parts)) throw new ManifestError(key, 'parts is not an array');
  if (!m.records || typeof m.records.total !== 'number') throw new ManifestError(key, 'records.total is missing');
  const sum = m.parts.reduce((n, p) => n + p.records, 0);
  if (sum !== m.records.total) throw new ManifestError(key, `parts hold ${sum} records but records.total is ${m.records.total}`);
  return m as WindowManifest;
}

/** Reads a window's manifest; undefined when the window has none (not written, or not committed yet). */
export async function readManifest(client: OssClient, manifestKey: string): Promise<WindowManifest | undefined> {
  try {
    const { content } = await client.get(manifestKey);
    return parseManifest(manifestKey, content);
  } catch (err) {
    if (isNoSuchKey(err)) return undefined;
    throw err;
  }
}

export interface WindowVerification {
  readonly ok: boolean;
  readonly manifest: WindowManifest | undefined;
  /** What is wrong, one sentence each (missing manifest, missing or altered files, leftovers). */
  readonly problems: readonly string[];
}

/**
 * Checks a committed window against OSS without downloading data: the manifest exists, every listed file
 * exists with the recorded size and CRC-64 (HeadObject), and the directory holds nothing else but the files
 * and records of attempts still running (`now`, default the clock, decides which records are live).
 */
export async function verifyWindow(client: OssClient, directory: string, manifestKey: string, now: number = Date.now()): Promise<WindowVerification> {
  const manifest = await readManifest(client, manifestKey);
  if (!manifest) return { ok: false, manifest, problems: [`no manifest at ${manifestKey}: the window was never committed`] };
  const problems: string[] = [];
  const listed = new Map((await listWindowObjects(client, directory)).map((o) => [o.key, o]));
  for (const part of manifest.parts) {
    const obj = listed.get(part.key);
    if (!obj) {
      problems.push(`${part.key} is listed in the manifest but missing`);
      continue;
    }
    if (obj.size !== part.storedBytes) problems.push(`${part.key} has ${obj.size} bytes, the manifest says ${part.storedBytes}`);
    const head = await client.head(part.key);
    const crc = head.res.headers['x-oss-hash-crc64ecma'];
    if (typeof crc === 'string' && crc !== part.crc64ecma) problems.push(`${part.key} has CRC-64 ${crc}, the manifest says ${part.crc64ecma}`);
  }
  const expected = new Set([manifestKey, ...manifest.parts.map((p) => p.key)]);
  const { live } = await readAttemptRecords(client, directory, now);
  for (const key of listed.keys()) {
    if (expected.has(key)) continue;
    const attempt = attemptOfKey(key);
    if (key.startsWith(directory + ATTEMPTS_DIRECTORY) || (attempt !== undefined && live.has(attempt))) continue; // a run in progress
    problems.push(`${key} is not part of the committed window`);
  }
  return { ok: problems.length === 0, manifest, problems };
}
