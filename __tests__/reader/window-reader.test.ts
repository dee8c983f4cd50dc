/**
 * The stream window reader against the sandbox.
 */
import { readStreamWindow, StreamRecord, StreamRecordPage, StreamWindowError, StreamWindowReaderOptions } from '../../lib/runtime/reader';
import { createStreamTable, Harness, IGNORE, long, putRow, startHarness, T0 } from '../tablestore/helpers';

async function collect(h: Harness, options: Partial<StreamWindowReaderOptions> & { startMicros: number; endMicros: number }): Promise<StreamRecordPage[]> {
  const pages: StreamRecordPage[] = [];
  const reader = readStreamWindow({ client: h.client, tableName: 't', nowMicros: () => h.sb.clock.nowMicros(), ...options });
  for await (const page of reader) pages.push(page);
  return pages;
}

const records = (pages: StreamRecordPage[]): StreamRecord[] => pages.flatMap((p) => [...p.records]);
const keyOf = (r: StreamRecord) => String(r.primaryKey[0].value);

/** Writes one row per entry with the clock set to T0 + offset. */
async function writeAt(h: Harness, rows: [offset: number, key: string][]): Promise<void> {
  for (const [offset, key] of rows) {
    h.sb.clock.set(T0 + offset);
    await putRow(h.ots, 't', key, { v: `${key}@${offset}` });
  }
}

async function batchWriteAt(h: Harness, offset: number, keys: string[]): Promise<void> {
  h.sb.clock.set(T0 + offset);
  for (let i = 0; i < keys.length; i += 200) {
    const rows = keys.slice(i, i + 200).map((k) => ({ type: 'PUT', condition: IGNORE(), primaryKey: [{ pk: k }], attributeColumns: [{ v: `${k}@${offset}` }] }));
    await h.ots.batchWriteRow({ tables: [{ tableName: 't', rows }] });
  }
}

describe('window boundaries', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await createStreamTable(h.ots, 't');
  });
  afterEach(() => h.close());

  test('[start, end): start and end - 1µs are in, end is out', async () => {
    await writeAt(h, [
      [999, 'before'],
      [1000, 'at-start'],
      [1500, 'inside'],
      [1999, 'at-end-minus-1'],
      [2000, 'at-end'],
      [2001, 'after'],
    ]);
    h.sb.clock.set(T0 + 10_000);
    const got = records(await collect(h, { startMicros: T0 + 1000, endMicros: T0 + 2000 }));
    expect(got.map(keyOf).sort()).toEqual(['at-end-minus-1', 'at-start', 'inside']);
    const atStart = got.find((r) => keyOf(r) === 'at-start')!;
    expect(atStart).toMatchObject({ action: 'PUT', writeTimeMicros: T0 + 1000, epoch: 0, rowIndex: 0, timeseries: null });
    expect(atStart.columns).toEqual([{ name: 'v', operation: 'PUT', type: 'STRING', value: 'at-start@1000', timestampMillis: Math.floor((T0 + 1000) / 1000) }]);
  });

  test('a window with no writes yields nothing', async () => {
    await writeAt(h, [[10, 'a']]);
    h.sb.clock.set(T0 + 10_000);
    expect(await collect(h, { startMicros: T0 + 100, endMicros: T0 + 200 })).toEqual([]);
  });

  test('seekMarginMicros reads earlier but still filters to the window', async () => {
    await writeAt(h, [
      [100, 'early'],
      [1000, 'in'],
    ]);
    h.sb.clock.set(T0 + 10_000);
    const got = records(await collect(h, { startMicros: T0 + 1000, endMicros: T0 + 2000, seekMarginMicros: 5000 }));
    expect(got.map(keyOf)).toEqual(['in']);
  });
});

describe('page size', () => {
  let h: Harness;
  beforeEach(async () => {
    // The sandbox answers 100 records per page when the request carries no limit.
    h = await startHarness({ shardCount: 1, defaultStreamRecordLimit: 100 });
    await createStreamTable(h.ots, 't');
  });
  afterEach(() => h.close());

  test('GetStreamRecord asks for 1000 records per page unless told otherwise', async () => {
    await batchWriteAt(h, 100, Array.from({ length: 1200 }, (_, i) => `k${String(i).padStart(4, '0')}`));
    h.sb.clock.set(T0 + 10_000);
    const pages = await collect(h, { startMicros: T0, endMicros: T0 + 1000 });
    expect(pages.map((p) => p.records.length)).toEqual([1000, 200]);
    expect((await collect(h, { startMicros: T0, endMicros: T0 + 1000, recordLimit: 500 })).map((p) => p.records.length)).toEqual([500, 500, 200]);
    expect(() => readStreamWindow({ client: h.client, tableName: 't', startMicros: T0, endMicros: T0 + 1000, recordLimit: 2 ** 31 })).toThrow(/int32/);
  });
});

describe('record decoding', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await createStreamTable(h.ots, 't', [{ name: 'pk', type: 'STRING' }], 3);
  });
  afterEach(() => h.close());

  test('PUT, UPDATE (put, delete one version, delete all versions) and DELETE', async () => {
    h.sb.clock.set(T0 + 1000);
    await h.ots.putRow({ tableName: 't', condition: IGNORE(), primaryKey: [{ pk: 'row' }], attributeColumns: [{ i: long(-5) }, { d: 1.25 }, { b: false }, { s: 'text' }, { x: Buffer.from([1, 2]) }, { old: 'v', timestamp: 1234 }] });
    h.sb.clock.set(T0 + 2000);
    await h.ots.updateRow({
      tableName: 't',
      condition: IGNORE(),
      primaryKey: [{ pk: 'row' }],
      updateOfAttributeColumns: [{ PUT: [{ s: 'new', timestamp: 5000 }] }, { DELETE: [{ old: long(1234) }] }, { DELETE_ALL: ['d'] }],
    });
    h.sb.clock.set(T0 + 3000);
    await h.ots.deleteRow({ tableName: 't', condition: IGNORE(), primaryKey: [{ pk: 'row' }] });
    h.sb.clock.set(T0 + 10_000);

    const got = records(await collect(h, { startMicros: T0, endMicros: T0 + 5000 }));
    expect(got.map((r) => r.action)).toEqual(['PUT', 'UPDATE', 'DELETE']);
    const ms = Math.floor((T0 + 1000) / 1000);
    expect(got[0].columns).toEqual([
      { name: 'i', operation: 'PUT', type: 'INTEGER', value: -5n, timestampMillis: ms },
      { name: 'd', operation: 'PUT', type: 'DOUBLE', value: 1.25, timestampMillis: ms },
      { name: 'b', operation: 'PUT', type: 'BOOLEAN', value: false, timestampMillis: ms },
      { name: 's', operation: 'PUT', type: 'STRING', value: 'text', timestampMillis: ms },
      { name: 'x', operation: 'PUT', type: 'BINARY', value: Buffer.from([1, 2]), timestampMillis: ms },
      { name: 'old', operation: 'PUT', type: 'STRING', value: 'v', timestampMillis: 1234 },
    ]);
    expect(got[1].columns).toEqual([
      { name: 's', operation: 'PUT', type: 'STRING', value: 'new', timestampMillis: 5000 },
      { name: 'old', operation: 'DELETE_ONE_VERSION', type: null, value: null, timestampMillis: 1234 },
      { name: 'd', operation: 'DELETE_ALL_VERSIONS', type: null, value: null, timestampMillis: null },
    ]);
    expect(got[2]).toMatchObject({ action: 'DELETE', columns: [], primaryKey: [{ name: 'pk', type: 'STRING', value: 'row' }] });
    expect(got.map((r) => r.writeTimeMicros)).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);
  });

  test('BatchWriteRow rows share the write time and carry their row index', async () => {
    await batchWriteAt(h, 700, ['a', 'b', 'c']);
    h.sb.clock.set(T0 + 10_000);
    const got = records(await collect(h, { startMicros: T0, endMicros: T0 + 1000 }));
    expect(got.map((r) => [keyOf(r), r.writeTimeMicros, r.rowIndex]).sort()).toEqual([
      ['a', T0 + 700, 0],
      ['b', T0 + 700, 1],
      ['c', T0 + 700, 2],
    ]);
  });
});

describe('shard lineage', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ shardCount: 2, describeStreamPageSize: 2 });
    await createStreamTable(h.ots, 't');
  });
  afterEach(() => h.close());

  test('a split and a merge inside the window: parents before children, nothing lost or doubled', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `key${i}`);
    await batchWriteAt(h, 100, keys);
    const [first] = h.sb.shards('t');
    const [a, b] = h.sb.splitShard('t', first.shardId);
    await batchWriteAt(h, 200, keys);
    const merged = h.sb.mergeShards('t', a, b);
    await batchWriteAt(h, 300, keys);
    const [, second] = h.sb.shards('t');
    const [c] = h.sb.splitShard('t', second.shardId);
    await batchWriteAt(h, 400, keys);
    await batchWriteAt(h, 600, keys); // after the window
    h.sb.clock.set(T0 + 10_000);

    const lineage = h.sb.shards('t');
    expect(lineage.find((s) => s.shardId === merged)).toMatchObject({ parentId: a, parentSiblingId: b });
    expect(lineage.find((s) => s.shardId === c)?.parentId).toBe(second.shardId);

    const pages = await collect(h, { startMicros: T0 + 100, endMicros: T0 + 500, recordLimit: 7, shardConcurrency: 3 });
    // 7 shards listed over 4 DescribeStream pages.
    expect(h.sb.stats.requests.DescribeStream).toBe(4);
    const got = records(pages);
    // Every key written 4 times inside the window, exactly once each.
    expect(got).toHaveLength(keys.length * 4);
    const seen = new Set(got.map((r) => `${keyOf(r)}@${r.writeTimeMicros}`));
    expect(seen.size).toBe(keys.length * 4);
    // Per key, records come out in write order although they sit on different shards.
    const lastTime = new Map<string, number>();
    for (const r of got) {
      expect(r.writeTimeMicros).toBeGreaterThan(lastTime.get(keyOf(r)) ?? 0);
      lastTime.set(keyOf(r), r.writeTimeMicros);
    }
    // Children's pages all come after their parents' pages.
    const firstPage = (id: string) => pages.findIndex((p) => p.shardId === id);
    const lastPage = (id: string) => pages.map((p) => p.shardId).lastIndexOf(id);
    for (const s of lineage) {
      for (const parent of [s.parentId, s.parentSiblingId]) {
        if (parent && firstPage(s.shardId) >= 0) expect(firstPage(s.shardId)).toBeGreaterThan(lastPage(parent));
      }
    }
  });
});

describe('failures while reading', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ shardCount: 3 });
    await createStreamTable(h.ots, 't');
    await batchWriteAt(
      h,
      100,
      Array.from({ length: 150 }, (_, i) => `k${i}`),
    );
    h.sb.clock.set(T0 + 10_000);
  });
  afterEach(() => h.close());

  test('throttling, 500s and dropped connections are retried without losing or doubling records', async () => {
    h.sb.faults.throttle(2, { operations: ['GetStreamRecord'] });
    h.sb.faults.serverError(2, { operations: ['GetShardIterator', 'GetStreamRecord'] });
    h.sb.faults.dropConnection(3, { operations: ['GetStreamRecord', 'DescribeStream'] });
    h.sb.faults.error(1, { status: 403, code: 'OTSQuotaExhausted', message: 'Too frequent table operations.' }, { operations: ['ListStream'] });
    const got = records(await collect(h, { startMicros: T0, endMicros: T0 + 1000, recordLimit: 10 }));
    expect(h.sb.faults.pending).toBe(0);
    expect(new Set(got.map(keyOf)).size).toBe(150);
    expect(got).toHaveLength(150);
  });

  test('reading further ahead hands out the same records in the same order, shard after shard', async () => {
    const sequence = async (shardConcurrency: number, prefetchPages: number) => {
      const pages = await collect(h, { startMicros: T0, endMicros: T0 + 1000, recordLimit: 7, shardConcurrency, prefetchPages });
      const shardRuns = pages.map((p) => p.shardId).filter((id, i, ids) => i === 0 || ids[i - 1] !== id);
      expect(new Set(shardRuns).size).toBe(shardRuns.length);
      return records(pages).map((r) => `${r.shardId}/${keyOf(r)}`);
    };
    const base = await sequence(1, 1);
    expect(base).toHaveLength(150);
    expect(await sequence(3, 4)).toEqual(base);
  });

  test('trimmed data surfaces as a TRIMMED window error', async () => {
    h.sb.trimStream('t', T0 + 500);
    await expect(collect(h, { startMicros: T0, endMicros: T0 + 1000, checkWindow: false })).rejects.toMatchObject({ name: 'StreamWindowError', code: 'TRIMMED' });
  });

  test('a window older than the stream retention is refused before reading', async () => {
    h.sb.clock.set(T0 + 25 * 3_600_000_000);
    await expect(collect(h, { startMicros: T0, endMicros: T0 + 1000 })).rejects.toMatchObject({ code: 'TRIMMED' });
  });

  test('a window that has not ended yet is refused', async () => {
    await expect(collect(h, { startMicros: T0, endMicros: T0 + 20_000 })).rejects.toMatchObject({ code: 'WINDOW_NOT_CLOSED' });
  });

  test('a table without stream, and invalid windows, are reported', async () => {
    await h.ots.updateTable({ tableName: 't', tableOptions: {}, streamSpecification: { enableStream: false } });
    await expect(collect(h, { startMicros: T0, endMicros: T0 + 1000 })).rejects.toMatchObject({ code: 'NO_STREAM' });
    expect(() => readStreamWindow({ client: h.client, tableName: 't', startMicros: 10, endMicros: 10 })).toThrow(StreamWindowError);
  });

  test('stopping early leaves no reads running away', async () => {
    const reader = readStreamWindow({ client: h.client, tableName: 't', startMicros: T0, endMicros: T0 + 1000, recordLimit: 5, shardConcurrency: 2, prefetchPages: 1, nowMicros: () => h.sb.clock.nowMicros() });
    for await (const page of reader) {
      expect(page.records.length).toBeGreaterThan(0);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
    // The page handed out plus `prefetchPages` pages ahead for each of the shards fetched at once, plus the probe of
    // the oldest record of the shard handed out (no record before the window start was read from it).
    expect(h.sb.stats.requests.GetStreamRecord).toBeLessThanOrEqual(1 + 2 * 1 + 1);
  });
});

describe('time series tables', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.client.createTimeseriesTable({ tableName: 'metrics' });
  });
  afterEach(() => h.close());

  test('records carry the parsed data point', async () => {
    h.sb.clock.set(T0 + 100);
    await h.client.putTimeseriesData('metrics', [
      { measurement: 'cpu', dataSource: 'host-1', tags: { region: 'cn-hangzhou', az: 'h' }, timeMicros: T0 - 5, fields: { usage: 0.75, cores: 16n, on: true, model: 'x86' } },
      { measurement: 'mem', dataSource: 'host-2', tags: {}, timeMicros: T0 - 4, fields: { used: 1024n } },
    ]);
    h.sb.clock.set(T0 + 10_000);
    const got = records(await collect(h, { tableName: 'metrics', startMicros: T0, endMicros: T0 + 1000 }));
    expect(got).toHaveLength(2);
    const cpu = got.find((r) => r.timeseries?.measurement === 'cpu')!;
    expect(cpu.timeseries).toEqual({
      measurement: 'cpu',
      dataSource: 'host-1',
      tags: { az: 'h', region: 'cn-hangzhou' },
      timeMicros: T0 - 5,
      fields: [
        { name: 'usage', operation: 'PUT', type: 'DOUBLE', value: 0.75, timestampMillis: Math.floor((T0 + 100) / 1000) },
        { name: 'cores', operation: 'PUT', type: 'INTEGER', value: 16n, timestampMillis: Math.floor((T0 + 100) / 1000) },
        { name: 'on', operation: 'PUT', type: 'BOOLEAN', value: true, timestampMillis: Math.floor((T0 + 100) / 1000) },
        { name: 'model', operation: 'PUT', type: 'STRING', value: 'x86', timestampMillis: Math.floor((T0 + 100) / 1000) },
      ],
    });
    expect(cpu.writeTimeMicros).toBe(T0 + 100);
    expect(cpu.primaryKey[0].name).toBe('_#h');
    const mem = got.find((r) => r.timeseries?.measurement === 'mem')!;
    expect(mem.timeseries?.tags).toEqual({});
  });

  test('an explicit isTimeseriesTable=false leaves records as wide rows', async () => {
    h.sb.clock.set(T0 + 100);
    await h.client.putTimeseriesData('metrics', [{ measurement: 'cpu', dataSource: 'h', tags: {}, timeMicros: T0, fields: { v: 1 } }]);
    h.sb.clock.set(T0 + 10_000);
    const got = records(await collect(h, { tableName: 'metrics', startMicros: T0, endMicros: T0 + 1000, isTimeseriesTable: false }));
    expect(got[0].timeseries).toBeNull();
    expect(got[0].columns[0].name).toBe('v:d');
  });
});

describe('seek margin and trimmed starts', () => {
  const MIN = 60_000_000;
  const HOUR = 60 * MIN;
  let h: Harness;
  afterEach(() => h.close());

  /** Rows every minute from T0 - 30 min to T0 + 30 min, keyed by their minute offset. */
  async function writeEveryMinute(): Promise<void> {
    for (let m = -30; m < 30; m++) {
      h.sb.clock.set(T0 + m * MIN);
      await putRow(h.ots, 't', `m${m}`, { v: `${m}` });
    }
  }

  test('a service that positions up to several minutes early still yields exactly the window', async () => {
    h = await startHarness({ startMicros: T0 - HOUR, seekSlackMicros: 7 * MIN });
    await createStreamTable(h.ots, 't');
    await writeEveryMinute();
    h.sb.clock.set(T0 + HOUR);
    const got = records(await collect(h, { startMicros: T0, endMicros: T0 + 10 * MIN }));
    expect(got.map(keyOf).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
  });

  test('a start trimmed and served silently from the oldest record is refused, not exported short', async () => {
    // The service (sandbox clock) runs 10 minutes ahead of this machine, and has trimmed its retention edge.
    h = await startHarness({ startMicros: T0 - HOUR, silentTrim: true, shardCount: 1 });
    await createStreamTable(h.ots, 't');
    await writeEveryMinute();
    h.sb.trimStream('t', T0 + 5 * MIN);
    h.sb.clock.set(T0 + 24 * HOUR + 5 * MIN);
    const localNow = T0 + 24 * HOUR - 11 * MIN;
    const read = collect(h, { startMicros: T0, endMicros: T0 + 10 * MIN, nowMicros: () => localNow });
    await expect(read).rejects.toMatchObject({ code: 'TRIMMED' });
    await expect(read).rejects.toThrow(/may have been trimmed from shard .* within 10 minutes of the 24-hour retention edge by the service's clock/);
  });

  test('a shard with no writes before the window is not mistaken for a trimmed one', async () => {
    h = await startHarness({ startMicros: T0 - HOUR, silentTrim: true });
    await createStreamTable(h.ots, 't');
    h.sb.clock.set(T0 + 2 * MIN);
    await putRow(h.ots, 't', 'only', { v: '1' });
    h.sb.clock.set(T0 + HOUR);
    const reader = readStreamWindow({ client: h.client, tableName: 't', startMicros: T0, endMicros: T0 + 10 * MIN, nowMicros: () => T0 + HOUR });
    const got: StreamRecord[] = [];
    for await (const page of reader) got.push(...page.records);
    expect(got.map(keyOf)).toEqual(['only']);
    expect(reader.stats.shardsProbed).toBe(4);
  });

  test('a window starting within 10 minutes of the retention edge is refused before reading', async () => {
    h = await startHarness({ startMicros: T0 - HOUR });
    await createStreamTable(h.ots, 't');
    await writeEveryMinute();
    const now = T0 + 24 * HOUR - 5 * MIN;
    await expect(collect(h, { startMicros: T0, endMicros: T0 + 10 * MIN, nowMicros: () => now })).rejects.toThrow(/within 10 minutes of the edge of the stream's 24-hour retention/);
    expect(h.sb.stats.requests.GetShardIterator ?? 0).toBe(0);
  });
});

describe('a service that positions late', () => {
  const MIN = 60_000_000;
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ startMicros: T0 - 60 * MIN, seekSlackMicros: 0, shardCount: 1 });
    await createStreamTable(h.ots, 't');
  });
  afterEach(() => h.close());

  /** The client, except that GetShardIterator(timestamp) lands `lateMicros` after the requested time. */
  function lateClient(lateMicros: number): StreamWindowReaderOptions['client'] {
    const client = h.client;
    return new Proxy(client, {
      get(target, name, receiver) {
        if (name === 'getShardIterator') {
          return (streamId: string, shardId: string, ts?: number) => target.getShardIterator(streamId, shardId, ts === undefined ? undefined : ts + lateMicros);
        }
        const value = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  test('up to the 10-minute margin late, the window is still exact', async () => {
    for (let m = -30; m < 15; m++) {
      h.sb.clock.set(T0 + m * MIN);
      await putRow(h.ots, 't', `m${m}`, { v: `${m}` });
    }
    h.sb.clock.set(T0 + 60 * MIN);
    const got = records(await collect(h, { client: lateClient(5 * MIN), startMicros: T0, endMicros: T0 + 10 * MIN }));
    expect(got.map(keyOf).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
  });

  test('a seek that skips the oldest retained records fails instead of exporting a short window', async () => {
    for (let m = 1; m < 15; m++) {
      h.sb.clock.set(T0 + m * MIN);
      await putRow(h.ots, 't', `m${m}`, { v: `${m}` });
    }
    h.sb.clock.set(T0 + 60 * MIN);
    await expect(collect(h, { client: lateClient(20 * MIN), startMicros: T0, endMicros: T0 + 10 * MIN })).rejects.toMatchObject({ code: 'SEEK' });
  });
});
