/**
 * runWindow end to end: official SDK writes into the Tablestore sandbox, the runtime reads the stream and writes
 * to the OSS sandbox through ali-oss.
 */
import { gunzipSync } from 'node:zlib';
import { MalformedWindowError, RefusedWindowError, runWindow } from '../../lib/runtime/sync';
import { COLUMNS, digests, END, END_US, FAST_TUNING, jsonRows, NOW, objectsUnder, RuntimeHarness, START, START_US, startRuntimeHarness } from './helpers';

describe('runWindow', () => {
  let h: RuntimeHarness;
  beforeEach(async () => {
    h = await startRuntimeHarness();
  });
  afterEach(() => h.close());

  test('includes records at the start and at end - 1 µs, excludes the end; carries updates and deletes', async () => {
    await h.at(START_US - 1, () => h.put('before', { name: 'too early' }));
    await h.at(START_US, () => h.put('a', { name: 'alpha', qty: 3 }));
    await h.at(START_US + 10, () => h.update('a', { qty: 4 }, ['name']));
    await h.at(START_US + 20, () => h.remove('a'));
    await h.at(END_US - 1, () => h.put('z', { name: 'zed', qty: 26 }));
    await h.at(END_US, () => h.put('end', { name: 'too late' }));

    const result = await runWindow({ config: h.config(), startTime: START, endTime: END, credentials: h.credentials, now: NOW, tuning: FAST_TUNING });
    const m = result.manifest;
    expect(m.records).toEqual({ total: 4, PUT: 2, UPDATE: 1, DELETE: 1 });
    expect(m.writeTimeMicros).toEqual({ min: START_US, max: END_US - 1 });
    expect(m.window).toMatchObject({ startTime: START, endTime: END, timeZone: 'Asia/Shanghai' });
    expect(m.columns.map((c) => c.name)).toEqual(['id', 'name', 'qty', '_op', '_deleted_columns']);
    expect(result.manifestKey).toBe(`tablestore-export/orders/2023/04/23/${START}_${END}/_manifest.json`);

    const objects = objectsUnder(h);
    expect([...objects.keys()]).toEqual([
      `tablestore-export/orders/2023/04/23/${START}_${END}/_manifest.json`,
      expect.stringMatching(new RegExp(`^tablestore-export/orders/2023/04/23/${START}_${END}/part-00000-[0-9a-f]{12}\\.jsonl$`)),
    ]);
    // rows layout (runtime default): one row per record; the DELETE is a tombstone, the column deletion is named.
    expect(jsonRows(objects)).toEqual([
      { id: 'a', name: 'alpha', qty: 3, _op: 'PUT', _deleted_columns: null },
      { id: 'a', name: null, qty: 4, _op: 'UPDATE', _deleted_columns: 'name' },
      { id: 'a', name: null, qty: null, _op: 'DELETE', _deleted_columns: null },
      { id: 'z', name: 'zed', qty: 26, _op: 'PUT', _deleted_columns: null },
    ]);
  });

  test('rows layout with deletes off writes what the Data Integration row mode writes: no DELETE line', async () => {
    await h.at(START_US, () => h.put('a', { name: 'alpha', qty: 3 }));
    await h.at(START_US + 10, () => h.update('a', { qty: 4 }, ['name']));
    await h.at(START_US + 20, () => h.remove('a'));
    const config = h.config({ layout: { mode: 'rows', columns: COLUMNS, operations: false } });
    const result = await runWindow({ config, startTime: START, endTime: END, credentials: h.credentials, now: NOW, tuning: FAST_TUNING });
    expect(result.manifest.columns.map((c) => c.name)).toEqual(['id', 'name', 'qty']);
    expect(jsonRows(objectsUnder(h))).toEqual([
      { id: 'a', name: 'alpha', qty: 3 },
      { id: 'a', name: null, qty: 4 },
    ]);
  });

  test('cells layout as CSV gzip: a DR row per PUT/DELETE, one row per cell change', async () => {
    await h.at(START_US, () => h.put('a', { name: 'alpha' }));
    await h.at(START_US + 1, () => h.update('a', { qty: 5 }, ['name']));
    await h.at(START_US + 2, () => h.remove('a'));
    const config = h.config({ format: { fileFormat: 'csv', compression: 'gzip' }, layout: { mode: 'cells', primaryKey: [{ name: 'id', type: 'String' }] } });
    const result = await runWindow({ config, startTime: START, endTime: END, credentials: h.credentials, now: NOW });
    const part = result.manifest.parts[0];
    expect(part.key).toMatch(/part-00000-[0-9a-f]{12}\.csv\.gz$/);
    const csv = gunzipSync(h.sb.oss.objects().get(part.key)!).toString('utf8');
    const cellTime = Math.floor(START_US / 1000);
    expect(csv.split('\n')).toEqual([
      'a,,,,DR',
      `a,name,${cellTime},alpha,U`,
      `a,qty,${cellTime},5,U`,
      'a,name,,,DA',
      'a,,,,DR',
      '',
    ]);
  });

  test('an empty window still gets its manifest', async () => {
    await h.at(END_US + 5, () => h.put('later', { name: 'x' }));
    const result = await runWindow({ config: h.config(), startTime: START, endTime: END, credentials: h.credentials, now: NOW });
    expect(result.manifest.records.total).toBe(0);
    expect(result.manifest.parts).toEqual([]);
    expect(result.manifest.writeTimeMicros).toBeNull();
    expect([...objectsUnder(h).keys()]).toEqual([result.manifestKey]);
  });

  test('survives throttling, 5xx and dropped connections on both services, with the same bytes as a clean run', async () => {
    // Multipart files (OSS parts are at least 100 KB) and several GetStreamRecord pages per shard, from few rows of
    // about 1 KB: the point is the faults, not the row count.
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: `k${String(i).padStart(5, '0')}`, columns: { name: `name-${i}-${'x'.repeat(1000)}`, qty: i } }));
    await h.at(START_US + 1_000_000, () => h.putMany(rows));
    const tuning = { ...FAST_TUNING, partSize: 100 * 1024, maxFileBytes: 150 * 1024, recordLimit: 20 };
    const clean = await runWindow({ config: h.config(), startTime: START, endTime: END, credentials: h.credentials, now: NOW, tuning });
    const cleanObjects = digests(objectsUnder(h));
    expect(clean.manifest.parts.length).toBeGreaterThan(1);

    const ts = h.sb.tablestore.faults;
    ts.throttle(3, { operations: ['GetStreamRecord'] });
    ts.serverError(2, { operations: ['GetShardIterator', 'DescribeStream'] });
    ts.dropConnection(2, { operations: ['GetStreamRecord'] });
    const oss = h.sb.oss.faults;
    oss.inject({ operation: 'UploadPart', count: 2, fault: { kind: 'error', status: 503, code: 'ServiceUnavailable' } });
    oss.inject({ operation: 'UploadPart', count: 1, fault: { kind: 'drop', afterBodyBytes: 1000 } });
    oss.inject({ operation: 'PutObject', count: 1, fault: { kind: 'error', status: 500, code: 'InternalError' } });
    oss.inject({ operation: 'CompleteMultipartUpload', count: 1, fault: { kind: 'drop' } });
    const faulty = await runWindow({ config: h.config(), startTime: START, endTime: END, credentials: h.credentials, now: NOW, tuning });

    expect(h.sb.tablestore.faults.fired).toMatchObject({ throttle: 3, serverError: 2, dropConnection: 2 });
    expect(faulty.stats.ossRetries).toBeGreaterThanOrEqual(4);
    expect(faulty.manifest).toEqual(clean.manifest);
    expect(digests(objectsUnder(h))).toEqual(cleanObjects);
    const ids = jsonRows(objectsUnder(h)).map((r) => r.id);
    expect(ids.length).toBe(300);
    expect(new Set(ids).size).toBe(300);
  });

  test('refuses each bad window with a message naming the problem', async () => {
    const run = (startTime: string, endTime: string, now = NOW) => runWindow({ config: h.config(), startTime, endTime, credentials: h.credentials, now });
    const cases: Array<[string, string, () => number, typeof MalformedWindowError | typeof RefusedWindowError, RegExp]> = [
      ['2023042317500', END, NOW, MalformedWindowError, /window start \(--start\) "2023042317500" is malformed: expected 14 characters/],
      [START, '2023042318500x', NOW, MalformedWindowError, /window end \(--end\) "2023042318500x" is malformed: character "x" at index 13 is not a digit/],
      ['20230431175000', END, NOW, MalformedWindowError, /day 31 does not exist in April 2023/],
      [START, '20230423246000', NOW, MalformedWindowError, /hour 24 is out of range/],
      [END, START, NOW, RefusedWindowError, /end 20230423175000 is not after start 20230423185000/],
      [START, START, NOW, RefusedWindowError, /is not after start/],
      [START, END, () => Date.parse('2023-04-23T10:55:00Z'), RefusedWindowError, /later than now minus the 10-minute stream lag/],
      [START, END, () => Date.parse('2023-04-24T10:00:00Z'), RefusedWindowError, /older than now minus the 24-hour stream retention/],
    ];
    for (const [s, e, now, type, message] of cases) {
      const err = await run(s, e, now).then(() => undefined, (x: unknown) => x);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
    }
    expect(objectsUnder(h).size).toBe(0);
  });
});
