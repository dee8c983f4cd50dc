/**
 * `verify`: is the exported window what the stream holds? Re-reads the window from the stream and compares it
 * with the manifest (records by action, rows, min/max write time, shards, columns, format), then checks the
 * objects against the manifest: each listed file present with the recorded size and CRC-64, nothing else in the
 * window's directory, and with `deep` each file downloaded and its SHA-256 compared.
 */
import { createHash } from 'node:crypto';
import type { FieldValue } from '../formats';
import type { StreamAction } from '../reader/types';
import { verifyWindow as verifyObjects, WindowManifest } from '../writer/manifest';
import { createOssClientFor, createStreamClientFor } from './clients';
import { defaultCredentialProvider } from '../../common/credentials';
import { silentLogger } from '../../common/log';
import { formatSpec, outputLayout } from './output';
import { readWindowPages } from './reader-adapter';
import { admittedWindow, manifestKeyFor, SyncContextOptions, WindowBoundsOptions, WindowInfo, windowInfo } from './run-window';

export interface Mismatch {
  /** What was compared, e.g. `records.PUT`, `writeTimeMicros.min`, `object`. */
  readonly check: string;
  /** From the manifest (or the configuration). */
  readonly expected?: unknown;
  /** From the stream or OSS. */
  readonly actual?: unknown;
  readonly message: string;
}

/** What the stream holds for the window. */
export interface StreamObservation {
  readonly records: { readonly total: number } & Readonly<Record<StreamAction, number>>;
  readonly rows: number;
  readonly writeTimeMicros: { readonly min: number; readonly max: number } | null;
  readonly shards: readonly string[];
}

export interface VerifyWindowResult {
  readonly ok: boolean;
  readonly window: WindowInfo;
  readonly manifestKey: string;
  readonly mismatches: readonly Mismatch[];
  readonly stream: StreamObservation;
  readonly manifest: WindowManifest | null;
}

export type VerifyWindowOptions = SyncContextOptions & WindowBoundsOptions & {
  /** Download every file and compare its SHA-256 with the manifest (costs a full read of the window's objects). */
  readonly deep?: boolean;
};

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function verifyWindow(options: VerifyWindowOptions): Promise<VerifyWindowResult> {
  const { config } = options;
  const log = options.logger ?? silentLogger;
  const credentials = options.credentials ?? defaultCredentialProvider();
  const stream = createStreamClientFor(config.tablestore, credentials, options.tuning);
  try {
    const { window, tableStream } = await admittedWindow(options, stream);
    const oss = await createOssClientFor(config.oss, credentials, options.tuning);
    const { directory, manifestKey } = manifestKeyFor(config, window);
    const layout = outputLayout(config);

    // The stream side.
    const counts: Record<StreamAction, number> = { PUT: 0, UPDATE: 0, DELETE: 0 };
    const shards = new Set<string>();
    let min = Infinity;
    let max = -Infinity;
    let rows = 0;
    const row = new Array<FieldValue>(layout.columns.length).fill(null);
    const noop = (): void => undefined;
    for await (const page of readWindowPages(stream, {
      tableName: config.tablestore.tableName, streamId: tableStream.streamId, isTimeseriesTable: config.tablestore.isTimeseriesTable,
      window, signal: options.signal, logger: log, tuning: { ...options.tuning, recordLimit: options.tuning?.recordLimit ?? config.tablestore.recordLimit }, ...(options.now ? { now: options.now } : {}),
    })) {
      for (const r of page.records) {
        counts[r.action]++;
        shards.add(r.shardId);
        if (r.writeTimeMicros < min) min = r.writeTimeMicros;
        if (r.writeTimeMicros > max) max = r.writeTimeMicros;
        rows += layout.rowsOf(r, row, noop);
      }
    }
    const observed: StreamObservation = {
      records: { total: counts.PUT + counts.UPDATE + counts.DELETE, ...counts },
      rows,
      writeTimeMicros: min === Infinity ? null : { min, max },
      shards: [...shards].sort(),
    };

    // The OSS side.
    const objects = await verifyObjects(oss, directory, manifestKey);
    const manifest = objects.manifest ?? null;
    const mismatches: Mismatch[] = [];
    if (!manifest) {
      mismatches.push({ check: 'manifest', message: `no manifest at ${manifestKey}: the window was never committed (or a run is in progress)` });
    } else {
      const cmp = (check: string, expected: unknown, actual: unknown, what: string, source = 'the stream has'): void => {
        if (!same(expected, actual)) mismatches.push({ check, expected, actual, message: `${what}: the manifest says ${JSON.stringify(expected)}, ${source} ${JSON.stringify(actual)}` });
      };
      const fromConfig = 'the configuration gives';
      cmp('table', manifest.table, config.tablestore.tableName, 'table', fromConfig);
      cmp('window.start', manifest.window.start, window.start, 'window start', fromConfig);
      cmp('window.end', manifest.window.end, window.end, 'window end', fromConfig);
      cmp('records.total', manifest.records.total, observed.records.total, 'record count');
      for (const a of ['PUT', 'UPDATE', 'DELETE'] as const) cmp(`records.${a}`, manifest.records[a], observed.records[a], `${a} records`);
      cmp('rows', manifest.rows, observed.rows, 'output rows');
      cmp('writeTimeMicros.min', manifest.writeTimeMicros?.min ?? null, observed.writeTimeMicros?.min ?? null, 'earliest write time (µs)');
      cmp('writeTimeMicros.max', manifest.writeTimeMicros?.max ?? null, observed.writeTimeMicros?.max ?? null, 'latest write time (µs)');
      cmp('shards', manifest.shards, observed.shards, 'shards with records');
      cmp('columns', manifest.columns, layout.columns, 'column list', fromConfig);
      const spec = formatSpec(config);
      cmp('format.fileFormat', manifest.format.fileFormat, spec.fileFormat, 'file format', fromConfig);
      cmp('format.compression', manifest.format.compression, spec.compression ?? 'gzip', 'compression', fromConfig);
      for (const problem of objects.problems) mismatches.push({ check: 'objects', message: problem });
      if (options.deep) {
        for (const part of manifest.parts) {
          let content: Buffer;
          try {
            content = (await oss.get(part.key)).content;
          } catch {
            continue; // reported as missing by the listing check
          }
          const sha256 = createHash('sha256').update(content).digest('hex');
          if (content.length !== part.storedBytes) mismatches.push({ check: 'objects.size', expected: part.storedBytes, actual: content.length, message: `${part.key} downloads as ${content.length} bytes, the manifest says ${part.storedBytes}` });
          if (sha256 !== part.sha256) mismatches.push({ check: 'objects.sha256', expected: part.sha256, actual: sha256, message: `${part.key} has SHA-256 ${sha256}, the manifest says ${part.sha256}` });
        }
      }
    }
    const ok = mismatches.length === 0;
    (ok ? log.info.bind(log) : log.error.bind(log))(ok ? 'window verified' : 'window verification found mismatches', { manifestKey, mismatches: mismatches.length, records: observed.records.total });
    return { ok, window: windowInfo(window, config.timezone), manifestKey, mismatches, stream: observed, manifest };
  } finally {
    stream.close();
  }
}
