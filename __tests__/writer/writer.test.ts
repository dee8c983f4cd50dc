import { gunzipSync } from 'node:zlib';
import { cellsLayout, CsvEncoder, FormatSpec, OutputLayout } from '../../lib/runtime/formats';
import type { StreamRecord } from '../../lib/runtime/reader/types';
import {
  attemptOfKey, createOssClient, listWindowObjects, OssClient, readManifest, verifyWindow, windowObjectKeys, WindowManifest, writeWindow,
  WriterAbortedError, WriterEvent, WriteWindowOptions,
} from '../../lib/runtime/writer';
import { syncPolicyDocument } from '../../lib/constructs/sync-permissions';
import { OssSandbox, startOssSandbox } from '../../lib/sandbox/oss';

/** The writer runs as the runtime node's RAM identity: exactly the permission table's runtime rows on `backup/`. */
const WRITER_IDENTITY = {
  accessKeyId: 'writer-test-user',
  accessKeySecret: 'writer-test-secret',
  policies: [syncPolicyDocument({
    engine: 'runtime', region: 'cn-hangzhou', accountId: '1000000000000001', dataTables: [{ instanceName: 'inst', tableName: 'orders' }],
    timeseriesTables: [], statusTables: [], bucketName: 'backups', exportPrefix: 'backup',   }).toJsonString()],
};
const startWriterSandbox = (): Promise<OssSandbox> => startOssSandbox({ bucket: 'backups', identities: [WRITER_IDENTITY] });
const writerClientOptions = (s: OssSandbox) => s.clientOptions({ accessKeyId: WRITER_IDENTITY.accessKeyId, accessKeySecret: WRITER_IDENTITY.accessKeySecret });
import { asyncPages, pagesOf, PRIMARY_KEY, readWithHyparquet, syntheticRecords } from '../formats/helpers';

const TZ = 'Asia/Shanghai';
// 2024-03-05 10:00 to 11:00 in Shanghai (UTC+8).
const WINDOW = { start: Date.UTC(2024, 2, 5, 2, 0, 0), end: Date.UTC(2024, 2, 5, 3, 0, 0) };
const START_MICROS = WINDOW.start * 1000;
const DIR = 'backup/orders/2024/03/05/20240305100000_20240305110000/';
const layout: OutputLayout = cellsLayout({ primaryKey: PRIMARY_KEY });
const CSV: FormatSpec = { fileFormat: 'csv', compression: 'gzip', csv: { fieldDelimiter: ',', nullFormat: '' } };
const FAST_RETRY = { attempts: 5, baseDelayMs: 1, maxDelayMs: 5 };
/**
 * Records of about 1.4 KB of CSV each (a 2000-character name on PUTs), for the tests whose point is multipart sizes
 * (OSS parts are at least 100 KB): a few hundred make several parts and files.
 */
const bulkyRecords = (count: number): StreamRecord[] => syntheticRecords(count, START_MICROS, 1, 2000);

let sandbox: OssSandbox;
let client: OssClient;

beforeEach(async () => {
  sandbox = await startWriterSandbox();
  client = createOssClient(writerClientOptions(sandbox));
});

afterEach(async () => {
  await sandbox.close();
});

function options(overrides: Partial<WriteWindowOptions> = {}): WriteWindowOptions {
  return {
    client, prefix: 'backup', table: 'orders', window: WINDOW, timeZone: TZ, layout, format: CSV, retry: FAST_RETRY, ...overrides,
  };
}

/** The CSV the records should produce, as one string. */
function expectedCsv(records: readonly StreamRecord[]): string {
  const encoder = new CsvEncoder(layout, CSV.csv);
  return encoder.encode(records, 0, records.length, Infinity).bytes?.toString('utf8') ?? '';
}

/** Concatenated, decompressed data files of a committed window, in manifest order. */
function committedCsv(manifest: WindowManifest, s: OssSandbox = sandbox): string {
  const objects = s.objects();
  return manifest.parts.map((p) => gunzipSync(objects.get(p.key)!).toString('utf8')).join('');
}

function snapshot(s: OssSandbox = sandbox): Map<string, string> {
  return new Map([...s.objects()].map(([k, v]) => [k, v.toString('base64')]));
}

describe('windowObjectKeys', () => {
  test('keys are <prefix>/<table>/<yyyy>/<MM>/<dd>/<start>_<end>/part-NNNNN-<attempt>.<ext> in the configured zone', () => {
    const keys = windowObjectKeys({ prefix: '/backup/', table: 'orders', window: WINDOW, timeZone: TZ, extension: 'csv.gz' });
    expect(keys.directory).toBe(DIR);
    expect(keys.partKey(0, '0123456789ab')).toBe(`${DIR}part-00000-0123456789ab.csv.gz`);
    expect(keys.partKey(123, '0123456789ab')).toBe(`${DIR}part-00123-0123456789ab.csv.gz`);
    expect(() => keys.partKey(0, 'ABC')).toThrow(/attempt id "ABC" must be 12 lowercase hex digits/);
    expect(keys.manifestKey).toBe(`${DIR}_manifest.json`);
    expect(keys.attemptKey('0123456789ab')).toBe(`${DIR}_attempts/0123456789ab.json`);
    expect(keys.isPartKey(`${DIR}part-00007-0123456789ab.csv.gz`)).toBe(true);
    expect(keys.isPartKey(`${DIR}part-00007.csv.gz`)).toBe(true); // runtime 0.1 files, no attempt id
    expect(keys.isPartKey(`${DIR}part-00007.jsonl`)).toBe(false);
    expect(attemptOfKey(`${DIR}part-00007-0123456789ab.csv.gz`)).toBe('0123456789ab');
    expect(attemptOfKey(`${DIR}part-00007.csv.gz`)).toBeUndefined();
    // The date directory follows the window start in the zone, not UTC.
    const utc = windowObjectKeys({ prefix: '', table: 't', window: { start: Date.UTC(2024, 2, 4, 16), end: Date.UTC(2024, 2, 4, 17) }, timeZone: TZ, extension: 'parquet' });
    expect(utc.directory).toBe('t/2024/03/05/20240305000000_20240305010000/');
  });

  test('bad inputs are named', () => {
    const base = { prefix: 'p', table: 't', window: WINDOW, timeZone: TZ, extension: 'csv' };
    expect(() => windowObjectKeys({ ...base, table: 'a/b' })).toThrow(/table "a\/b" must be one path segment/);
    expect(() => windowObjectKeys({ ...base, prefix: 'a//b' })).toThrow(/prefix/);
    expect(() => windowObjectKeys({ ...base, window: { start: 5, end: 5 } })).toThrow(/not a non-empty interval/);
    expect(() => windowObjectKeys({ ...base, timeZone: 'Mars/Base' })).toThrow(/time zone/i);
  });
});

describe('writeWindow', () => {
  test('writes rolled gzip CSV files and commits a manifest last', async () => {
    const records = syntheticRecords(1000, START_MICROS);
    const manifest = await writeWindow(asyncPages(pagesOf(records, 100)), options({ maxFileBytes: 20 * 1024 }));

    expect(manifest.parts.length).toBeGreaterThan(3);
    const attempt = attemptOfKey(manifest.parts[0].key)!;
    expect(attempt).toMatch(/^[0-9a-f]{12}$/);
    expect(manifest.parts.map((p) => p.key)).toEqual(manifest.parts.map((_, i) => `${DIR}part-${String(i).padStart(5, '0')}-${attempt}.csv.gz`));
    expect(committedCsv(manifest)).toBe(expectedCsv(records));
    expect(manifest.records).toEqual({
      total: 1000,
      PUT: records.filter((r) => r.action === 'PUT').length,
      UPDATE: records.filter((r) => r.action === 'UPDATE').length,
      DELETE: records.filter((r) => r.action === 'DELETE').length,
    });
    expect(manifest.parts.reduce((n, p) => n + p.records, 0)).toBe(1000);
    expect(manifest.writeTimeMicros).toEqual({ min: START_MICROS, max: START_MICROS + 999 * 1000 });
    expect(manifest.bytes.uncompressed).toBe(Buffer.byteLength(expectedCsv(records)));
    expect(manifest.format).toMatchObject({ fileFormat: 'csv', compression: 'gzip', gzipLevel: 6, layout: 'cells', fieldDelimiter: ',', nullFormat: '' });
    expect(manifest.columns.map((c) => c.name)).toEqual(['user_id', 'seq', 'column_name', 'timestamp', 'column_value', 'op_type']);
    expect(manifest.window).toMatchObject({ startTime: '20240305100000', endTime: '20240305110000', timeZone: TZ });
    for (const p of manifest.parts) {
      const head = sandbox.head(p.key)!;
      expect([p.storedBytes, p.crc64ecma]).toEqual([head.size, head.crc64]);
    }

    // The attempt's record goes first and last; the manifest is the last data written, and it matches the result.
    const mutations = sandbox.requests.filter((r) => ['PutObject', 'CompleteMultipartUpload', 'DeleteObject', 'DeleteMultipleObjects'].includes(r.operation));
    expect(mutations[0]).toMatchObject({ operation: 'PutObject', key: `${DIR}_attempts/${attempt}.json` });
    expect(mutations[mutations.length - 2]).toMatchObject({ operation: 'PutObject', key: `${DIR}_manifest.json`, status: 200 });
    expect(mutations[mutations.length - 1]).toMatchObject({ operation: 'DeleteObject', key: `${DIR}_attempts/${attempt}.json` });
    expect([...sandbox.objects().keys()].filter((k) => k.includes('_attempts/'))).toEqual([]);
    expect(await readManifest(client, `${DIR}_manifest.json`)).toEqual(manifest);
    expect((await verifyWindow(client, DIR, `${DIR}_manifest.json`)).ok).toBe(true);
  });

  test('an empty window still commits a manifest, with zero parts', async () => {
    const manifest = await writeWindow(asyncPages([]), options());
    expect(manifest.parts).toEqual([]);
    expect(manifest.records).toEqual({ total: 0, PUT: 0, UPDATE: 0, DELETE: 0 });
    expect(manifest.writeTimeMicros).toBeNull();
    expect([...sandbox.objects().keys()]).toEqual([`${DIR}_manifest.json`]);
  });

  test('files larger than the part size go up as multipart uploads', async () => {
    const records = bulkyRecords(500);
    const events: WriterEvent[] = [];
    const manifest = await writeWindow(asyncPages(pagesOf(records, 60)), options({
      format: { ...CSV, compression: 'none' }, partSize: 100 * 1024, maxFileBytes: 300 * 1024, onEvent: (e) => events.push(e),
    }));
    expect(manifest.parts.length).toBeGreaterThan(1);
    expect(sandbox.requests.filter((r) => r.operation === 'UploadPart').length).toBeGreaterThan(manifest.parts.length);
    // Full-size files are multipart (ETag "<md5>-<n>"); a last file smaller than one part is a single PutObject.
    expect(manifest.parts.slice(0, -1).every((p) => /-\d+"$/.test(p.etag))).toBe(true);
    const objects = sandbox.objects();
    expect(manifest.parts.map((p) => objects.get(p.key)!.toString('utf8')).join('')).toBe(expectedCsv(records));
    expect(events.filter((e) => e.type === 'file-written').length).toBe(manifest.parts.length);
    expect(sandbox.uploads()).toEqual([]);
  });

  test('the same records give byte-identical objects whatever the page size', async () => {
    const records = syntheticRecords(800, START_MICROS);
    await writeWindow(asyncPages(pagesOf(records, 7)), options({ maxFileBytes: 16 * 1024 }));
    const first = snapshot();
    await writeWindow(asyncPages(pagesOf(records, 500)), options({ maxFileBytes: 16 * 1024 }));
    expect(snapshot()).toEqual(first);
  });

  test('maxFileRecords rolls files by stream record count', async () => {
    const records = syntheticRecords(1000, START_MICROS);
    const manifest = await writeWindow(asyncPages(pagesOf(records, 64)), options({ maxFileRecords: 300 }));
    expect(manifest.parts.map((p) => p.records)).toEqual([300, 300, 300, 100]);
  });

  test('records outside the window are refused and nothing is committed', async () => {
    const records = syntheticRecords(10, WINDOW.end * 1000 - 5000);
    await expect(writeWindow(asyncPages(pagesOf(records, 10)), options())).rejects.toThrow(/outside the window/);
    expect(sandbox.head(`${DIR}_manifest.json`)).toBeUndefined();
  });

  test('parquet output reads back with hyparquet', async () => {
    const records = syntheticRecords(500, START_MICROS);
    const manifest = await writeWindow(asyncPages(pagesOf(records, 100)), options({ format: { fileFormat: 'parquet', compression: 'gzip', parquet: { rowGroupRows: 400 } } }));
    expect(manifest.parts.map((p) => p.key)).toEqual([expect.stringMatching(/part-00000-[0-9a-f]{12}\.parquet$/)]);
    const read = await readWithHyparquet(sandbox.objects().get(manifest.parts[0].key)!);
    expect(read.rows.length).toBe(manifest.rows);
    expect(read.rowGroups).toBe(Math.ceil(manifest.rows / 400));
    expect(manifest.format).toMatchObject({ fileFormat: 'parquet', compression: 'gzip', layout: 'cells' });
  });
});

describe('failures and reruns', () => {
  const big = { format: { ...CSV, compression: 'none' as const }, partSize: 100 * 1024, maxFileBytes: 350 * 1024 };

  test('UploadPart failures with 500 and dropped connections are retried per part', async () => {
    const records = bulkyRecords(400);
    sandbox.faults.failUploadParts(2, 'status500');
    sandbox.faults.failUploadParts(2, 'drop');
    const events: WriterEvent[] = [];
    const manifest = await writeWindow(asyncPages(pagesOf(records, 40)), options({ ...big, onEvent: (e) => events.push(e) }));
    expect(sandbox.faults.pending).toBe(0);
    const retries = events.filter((e): e is Extract<WriterEvent, { type: 'retry' }> => e.type === 'retry');
    expect(retries.length).toBe(4);
    expect(retries.every((e) => e.operation.startsWith('UploadPart'))).toBe(true);
    const objects = sandbox.objects();
    expect(manifest.parts.map((p) => objects.get(p.key)!.toString()).join('')).toBe(expectedCsv(records));
  });

  test('a crash mid-upload keeps the earlier commit; the rerun commits the clean run\'s content with no record lost or doubled', async () => {
    const records = bulkyRecords(600);
    const withoutAttempt = (m: WindowManifest): unknown => ({ ...m, parts: m.parts.map((p) => ({ ...p, key: p.key.replace(/-[0-9a-f]{12}\./, '.') })) });

    // Reference: a clean run in its own sandbox.
    const clean = await startWriterSandbox();
    const cleanManifest = await writeWindow(asyncPages(pagesOf(records, 50)), options({ ...big, client: createOssClient(writerClientOptions(clean)) }));
    await clean.close();
    expect(cleanManifest.parts.length).toBeGreaterThan(2);

    // An earlier committed attempt with a different split.
    const earlier = await writeWindow(asyncPages(pagesOf(records, 50)), options({ ...big, maxFileBytes: 120 * 1024 }));
    const earlierObjects = snapshot();

    // Crash after the 5th part upload of this run.
    const controller = new AbortController();
    let parts = 0;
    const off = sandbox.onRequest((r) => {
      if (r.operation === 'UploadPart' && r.status === 200 && ++parts === 5) controller.abort(new Error('simulated crash'));
    });
    await expect(writeWindow(asyncPages(pagesOf(records, 50)), options({ ...big, attemptTtlMs: 60_000, signal: controller.signal })))
      .rejects.toBeInstanceOf(WriterAbortedError);
    off();
    // The earlier commit is intact; the crash left its record, files and an unfinished upload beside it.
    expect(await readManifest(client, `${DIR}_manifest.json`)).toEqual(earlier);
    const afterCrash = snapshot();
    for (const [key, body] of earlierObjects) expect(afterCrash.get(key)).toBe(body);
    expect(sandbox.uploads().length).toBeGreaterThan(0);
    expect((await verifyWindow(client, DIR, `${DIR}_manifest.json`)).ok).toBe(true); // a run looks in progress
    // A minute later the crashed attempt's record has expired: its files are leftovers, and the rerun removes them.
    const later = (): number => Date.now() + 61_000;
    expect((await verifyWindow(client, DIR, `${DIR}_manifest.json`, later())).problems.join('\n')).toMatch(/is not part of the committed window/);

    const manifest = await writeWindow(asyncPages(pagesOf(records, 50)), options({ ...big, now: later }));
    expect(withoutAttempt(manifest)).toEqual(withoutAttempt(cleanManifest));
    expect([...sandbox.objects().keys()].sort()).toEqual([`${DIR}_manifest.json`, ...manifest.parts.map((p) => p.key)].sort());
    expect(sandbox.uploads()).toEqual([]);
    const lines = manifest.parts.map((p) => sandbox.objects().get(p.key)!.toString()).join('');
    expect(lines).toBe(expectedCsv(records));
    expect((await verifyWindow(client, DIR, `${DIR}_manifest.json`)).ok).toBe(true);
  });

  test('a rerun over the same records keeps the same keys, bytes and manifest, and writes no new commit', async () => {
    const records = syntheticRecords(1000, START_MICROS);
    const first = await writeWindow(asyncPages(pagesOf(records, 170)), options({ maxFileBytes: 13 * 1024 }));
    const objects = snapshot();
    const events: WriterEvent[] = [];
    const requestsBefore = sandbox.requests.length;
    const second = await writeWindow(asyncPages(pagesOf(records, 100)), options({ maxFileBytes: 13 * 1024, onEvent: (e) => events.push(e) }));
    expect(second).toEqual(first);
    expect(snapshot()).toEqual(objects);
    expect(events.filter((e) => e.type === 'file-reused').length).toBe(first.parts.length);
    expect(events.find((e) => e.type === 'committed')).toMatchObject({ unchanged: true });
    expect(sandbox.requests.slice(requestsBefore).some((r) => r.operation === 'PutObject' && r.key === `${DIR}_manifest.json`)).toBe(false);
  });

  test('a rerun with fewer parts replaces the commit in one PUT, then deletes the files it replaced and leftovers', async () => {
    const records = syntheticRecords(1000, START_MICROS);
    const first = await writeWindow(asyncPages(pagesOf(records, 170)), options({ maxFileBytes: 13 * 1024 }));
    sandbox.putObject(`${DIR}part-00999.csv.gz`, 'left by someone');
    const requestsBefore = sandbox.requests.length;
    const second = await writeWindow(asyncPages(pagesOf(records, 170)), options({ maxFileBytes: 1024 * 1024 }));
    expect(second.parts.length).toBe(1);
    expect(first.parts.length).toBeGreaterThan(1);
    expect([...sandbox.objects().keys()]).toEqual([`${DIR}_manifest.json`, second.parts[0].key]);
    expect(committedCsv(second)).toBe(expectedCsv(records));
    const run = sandbox.requests.slice(requestsBefore);
    // Nothing of the first commit is touched before the new manifest is in place.
    const commit = run.findIndex((r) => r.operation === 'PutObject' && r.key.endsWith('_manifest.json'));
    const firstDelete = run.findIndex((r) => (r.operation === 'DeleteMultipleObjects' || r.operation === 'DeleteObject') && !r.key.includes('_attempts/'));
    expect(commit).toBeGreaterThan(0);
    expect(firstDelete).toBeGreaterThan(commit);
  });

  test('a rerun that fails leaves the committed window committed and verifiable', async () => {
    const first = await writeWindow(asyncPages(pagesOf(bulkyRecords(400), 40)), options(big));
    const before = snapshot();
    const more = bulkyRecords(450);
    sandbox.faults.inject({ operation: 'UploadPart', count: 1, fault: { kind: 'error', status: 403, code: 'AccessDenied' } });
    await expect(writeWindow(asyncPages(pagesOf(more, 40)), options(big))).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(await readManifest(client, `${DIR}_manifest.json`)).toEqual(first);
    const afterFailure = snapshot();
    for (const [key, body] of before) expect(afterFailure.get(key)).toBe(body);
    expect(await verifyWindow(client, DIR, `${DIR}_manifest.json`)).toMatchObject({ ok: true, problems: [] });
  });

  test.each([
    ['the same records', 400, 400],
    ['different records (one run sees late data)', 400, 450],
  ])('two concurrent runs of a window over %s both succeed and leave one consistent commit', async (_what, a, b) => {
    const runs = [bulkyRecords(a), bulkyRecords(b)].map((records) =>
      writeWindow(asyncPages(pagesOf(records, 35)), options({ ...big, maxFileBytes: 120 * 1024, uploadConcurrency: 1 })));
    const results = await Promise.all(runs);
    const committed = (await readManifest(client, `${DIR}_manifest.json`))!;
    expect(results.map((m) => m.records.total)).toContain(committed.records.total);
    expect(await verifyWindow(client, DIR, `${DIR}_manifest.json`)).toMatchObject({ ok: true, problems: [] });
    const objects = sandbox.objects();
    expect(committed.parts.map((p) => objects.get(p.key)!.toString('utf8')).join('')).toBe(expectedCsv(bulkyRecords(committed.records.total)));
    expect(sandbox.uploads()).toEqual([]);
  });

  test('a non-retryable failure aborts the open upload and commits nothing', async () => {
    const records = bulkyRecords(400);
    sandbox.faults.inject({ operation: 'UploadPart', count: 1, fault: { kind: 'error', status: 403, code: 'AccessDenied' } });
    await expect(writeWindow(asyncPages(pagesOf(records, 40)), options(big))).rejects.toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(sandbox.uploads()).toEqual([]);
    expect(sandbox.head(`${DIR}_manifest.json`)).toBeUndefined();
  });

  test('retries give up after the configured attempts', async () => {
    sandbox.faults.inject({ operation: 'PutObject', key: /part-/, count: 10, fault: { kind: 'error', status: 503, code: 'ServiceUnavailable' } });
    await expect(writeWindow(asyncPages(pagesOf(syntheticRecords(10, START_MICROS), 10)), options({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } })))
      .rejects.toThrow(/PutObject .*part-00000-[0-9a-f]{12}\.csv\.gz failed after 3 attempts/);
  });
});

describe('verifyWindow', () => {
  test('reports a missing manifest, altered files and leftovers', async () => {
    expect((await verifyWindow(client, DIR, `${DIR}_manifest.json`)).problems).toEqual([`no manifest at ${DIR}_manifest.json: the window was never committed`]);
    const manifest = await writeWindow(asyncPages(pagesOf(syntheticRecords(500, START_MICROS), 100)), options({ maxFileBytes: 8 * 1024 }));
    sandbox.putObject(manifest.parts[1].key, 'tampered');
    sandbox.putObject(`${DIR}extra.txt`, 'x');
    const result = await verifyWindow(client, DIR, `${DIR}_manifest.json`);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      `${manifest.parts[1].key} has 8 bytes, the manifest says ${manifest.parts[1].storedBytes}`,
      `${manifest.parts[1].key} has CRC-64 ${sandbox.head(manifest.parts[1].key)!.crc64}, the manifest says ${manifest.parts[1].crc64ecma}`,
      `${DIR}extra.txt is not part of the committed window`,
    ]);
    expect((await listWindowObjects(client, DIR)).length).toBe(manifest.parts.length + 2);
  });
});

test('a CompleteMultipartUpload that fails for good aborts the upload', async () => {
  const s = await startWriterSandbox();
  try {
    s.faults.inject({ operation: 'CompleteMultipartUpload', count: 1, fault: { kind: 'error', status: 400, code: 'InvalidPart' } });
    const run = writeWindow(asyncPages(pagesOf(bulkyRecords(400), 40)), {
      client: createOssClient(writerClientOptions(s)), prefix: 'backup', table: 'orders', window: WINDOW, timeZone: TZ, layout,
      format: { ...CSV, compression: 'none' }, partSize: 100 * 1024, maxFileBytes: 350 * 1024, retry: FAST_RETRY,
    });
    await expect(run).rejects.toMatchObject({ code: 'InvalidPart' });
    expect(s.uploads()).toEqual([]);
    expect([...s.objects().keys()]).toEqual([]);
  } finally {
    await s.close();
  }
});
