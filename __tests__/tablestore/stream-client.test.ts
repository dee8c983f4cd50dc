/**
 * TablestoreStreamClient against the sandbox: stream lifecycle, paging, retries.
 */
import { TablestoreError } from '../../lib/tablestore/errors';
import { TablestoreStreamClient } from '../../lib/tablestore/stream-client';
import { createStreamTable, Harness, IGNORE, putRow, startHarness, T0 } from './helpers';

describe('stream lifecycle', () => {
  let h: Harness;
  beforeEach(async () => {
    // Exact positioning, to check the client's timestamp seek (the sandbox positions coarsely by default).
    h = await startHarness({ shardCount: 3, describeStreamPageSize: 2, defaultStreamRecordLimit: 2, seekSlackMicros: 0 });
  });
  afterEach(() => h.close());

  test('ListStream and DescribeStream (paged by next_shard_id) show every shard', async () => {
    await createStreamTable(h.ots, 't');
    const streams = await h.client.listStream('t');
    expect(streams).toEqual([{ streamId: `t_${T0}`, tableName: 't', creationTime: T0 }]);
    expect(await h.client.listStream()).toEqual(streams);

    const page = await h.client.describeStreamPage(streams[0].streamId);
    expect(page.shards).toHaveLength(2);
    expect(page.nextShardId).toBe(h.sb.shards('t')[2].shardId);

    const d = await h.client.describeStream(streams[0].streamId);
    expect(d).toMatchObject({ tableName: 't', expirationTimeHours: 24, status: 'STREAM_ACTIVE', nextShardId: null, isTimeseriesDataTable: false });
    expect(d.shards.map((s) => s.shardId)).toEqual(h.sb.shards('t').map((s) => s.shardId));
    expect(h.sb.stats.requests.DescribeStream).toBe(3);
  });

  test('records page through GetStreamRecord; a closed shard ends without a next iterator', async () => {
    await createStreamTable(h.ots, 't');
    const [{ streamId }] = await h.client.listStream('t');
    const shardId = h.sb.shards('t')[0].shardId;
    // Keys that land on shard 0, written at T0+10, T0+20, ...
    const keys: string[] = [];
    for (let i = 0; keys.length < 3; i++) {
      h.sb.clock.set(T0 + 10 * (keys.length + 1));
      await putRow(h.ots, 't', `k${i}`, { v: `value${i}` });
      if (h.sb.shards('t')[0].recordCount > keys.length) keys.push(`k${i}`);
    }
    const [a, b] = h.sb.splitShard('t', shardId);
    expect(h.sb.shards('t').find((s) => s.shardId === a)?.parentId).toBe(shardId);
    expect(h.sb.shards('t').find((s) => s.shardId === b)?.parentId).toBe(shardId);

    let it = await h.client.getShardIterator(streamId, shardId);
    const first = await h.client.getStreamRecord(it);
    expect(first.records.map((r) => r.row.primaryKey[0].value)).toEqual(keys.slice(0, 2));
    expect(first.records.map((r) => r.row.sequence?.timestampMicros)).toEqual([T0 + 10, T0 + 20]);
    expect(first.records[0].action).toBe('PUT_ROW');
    expect(first.nextShardIterator).not.toBeNull();
    it = first.nextShardIterator as string;
    const last = await h.client.getStreamRecord(it);
    expect(last.records.map((r) => r.row.primaryKey[0].value)).toEqual(keys.slice(2));
    expect(last.nextShardIterator).toBeNull();

    // From a timestamp: first record at or after it.
    const fromTs = await h.client.getStreamRecord(await h.client.getShardIterator(streamId, shardId, T0 + 20), 10);
    expect(fromTs.records.map((r) => r.row.primaryKey[0].value)).toEqual(keys.slice(1));

    // An open shard that is caught up keeps handing out its iterator.
    const child = await h.client.getStreamRecordBatch(await h.client.getShardIterator(streamId, a, T0));
    expect(child.count).toBe(0);
    expect(child.nextShardIterator).not.toBeNull();
  });

  test('GetShardIterator follows next_token rounds', async () => {
    await h.close();
    h = await startHarness({ shardIteratorTokenRounds: 3 });
    await createStreamTable(h.ots, 't');
    const [{ streamId }] = await h.client.listStream('t');
    await h.client.getShardIterator(streamId, h.sb.shards('t')[0].shardId, T0);
    expect(h.sb.stats.requests.GetShardIterator).toBe(4);
  });

  test('trimmed stream data answers OTSTrimmedDataAccess', async () => {
    await createStreamTable(h.ots, 't');
    const [{ streamId }] = await h.client.listStream('t');
    for (let i = 0; i < 6; i++) {
      h.sb.clock.set(T0 + 100 + i);
      await putRow(h.ots, 't', `k${i}`);
    }
    const shard = h.sb.shards('t').find((s) => s.recordCount > 0)!;
    const oldIterator = await h.client.getShardIterator(streamId, shard.shardId);
    h.sb.trimStream('t', T0 + 200);
    await expect(h.client.getStreamRecordBatch(oldIterator)).rejects.toMatchObject({ code: 'OTSTrimmedDataAccess', httpStatus: 400 });
    await expect(h.client.getShardIterator(streamId, shard.shardId, T0 + 100)).rejects.toMatchObject({ code: 'OTSTrimmedDataAccess' });
    // From the trim horizon on, reading works again.
    const fresh = await h.client.getStreamRecordBatch(await h.client.getShardIterator(streamId, shard.shardId));
    expect(fresh.count).toBe(0);
  });
});

describe('retries', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await createStreamTable(h.ots, 't');
  });
  afterEach(() => h.close());

  test.each([
    ['OTSServerBusy (503)', (hh: Harness) => hh.sb.faults.throttle(3, { operations: ['ListStream'] })],
    ['OTSInternalServerError (500)', (hh: Harness) => hh.sb.faults.serverError(3, { operations: ['ListStream'] })],
    ['dropped connections', (hh: Harness) => hh.sb.faults.dropConnection(3, { operations: ['ListStream'] })],
    ['OTSQuotaExhausted (403)', (hh: Harness) => hh.sb.faults.error(2, { status: 403, code: 'OTSQuotaExhausted', message: 'Too frequent table operations.' })],
    ['OTSTooFrequentReservedThroughputAdjustment', (hh: Harness) => hh.sb.faults.error(2, { status: 403, code: 'OTSTooFrequentReservedThroughputAdjustment' })],
  ])('%s is retried until the call succeeds', async (_name, arm) => {
    arm(h);
    const streams = await h.client.listStream('t');
    expect(streams).toHaveLength(1);
    expect(h.sb.faults.pending).toBe(0);
  });

  test('retries stop after attempts; the error carries code, message, status and request id', async () => {
    h.sb.faults.throttle(10, { operations: ['ListStream'] });
    const err = (await h.client.listStream('t').catch((e: unknown) => e)) as TablestoreError;
    expect(err).toBeInstanceOf(TablestoreError);
    expect(err).toMatchObject({ code: 'OTSServerBusy', httpStatus: 503, operation: 'ListStream', attempts: 6 });
    expect(err.requestId).toMatch(/^[0-9a-f]+-[0-9a-f]{8}$/);
    expect(err.message).toContain('Service is busy.');
  });

  test('client errors are not retried', async () => {
    const err = (await h.client.listStream('missing').catch((e: unknown) => e)) as TablestoreError;
    expect(err).toMatchObject({ code: 'OTSObjectNotExist', httpStatus: 404, attempts: 1 });
    expect(h.sb.stats.requests.ListStream).toBe(1);
  });

  test('a refused connection is retried, then reported as a NetworkError', async () => {
    const port = Number(new URL(h.sb.endpoint).port);
    await h.sb.close();
    const dead = new TablestoreStreamClient({
      endpoint: `http://127.0.0.1:${port}`,
      instanceName: 'sandbox',
      credentials: { accessKeyId: 'a', accessKeySecret: 'b' },
      retry: { baseDelayMs: 1, maxDelayMs: 2, attempts: 3 },
    });
    await expect(dead.listStream()).rejects.toMatchObject({ code: 'NetworkError', attempts: 3, httpStatus: null });
    dead.close();
    h = await startHarness();
  });

  test('credentials can come from a provider (STS) and are signed with the token', async () => {
    await h.close();
    h = await startHarness({ securityToken: 'sts-token' });
    let calls = 0;
    const client = new TablestoreStreamClient({
      endpoint: h.sb.endpoint,
      instanceName: h.sb.instanceName,
      credentials: () => {
        calls++;
        return { accessKeyId: h.sb.accessKeyId, accessKeySecret: h.sb.accessKeySecret, securityToken: 'sts-token' };
      },
    });
    expect(await client.listStream()).toEqual([]);
    expect(calls).toBe(1);
    const noToken = new TablestoreStreamClient({ endpoint: h.sb.endpoint, instanceName: h.sb.instanceName, credentials: { accessKeyId: h.sb.accessKeyId, accessKeySecret: h.sb.accessKeySecret } });
    await expect(noToken.listStream()).rejects.toMatchObject({ code: 'OTSAuthFailed', httpStatus: 403 });
    client.close();
    noToken.close();
  });
});

describe('time series tables', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  test('create, describe, list, update TTL, delete', async () => {
    await h.client.createTimeseriesTable({ tableName: 'metrics', timeToLiveSeconds: 86400 * 30 });
    expect(await h.client.describeTimeseriesTable('metrics')).toEqual({ tableName: 'metrics', timeToLiveSeconds: 86400 * 30, status: 'CREATED', timeseriesKeys: [], fieldPrimaryKeys: [] });
    await h.client.updateTimeseriesTable('metrics', -1);
    expect((await h.client.listTimeseriesTable()).map((t) => [t.tableName, t.timeToLiveSeconds])).toEqual([['metrics', -1]]);
    await expect(h.client.updateTimeseriesTable('metrics', 3600)).rejects.toMatchObject({ code: 'OTSParameterInvalid' });
    await expect(h.client.createTimeseriesTable({ tableName: 'metrics' })).rejects.toMatchObject({ code: 'OTSObjectAlreadyExist', httpStatus: 409 });
    await h.client.deleteTimeseriesTable('metrics');
    await expect(h.client.describeTimeseriesTable('metrics')).rejects.toMatchObject({ code: 'OTSObjectNotExist' });
  });

  test('written data points appear in the table stream as storage rows', async () => {
    await h.client.createTimeseriesTable({ tableName: 'metrics' });
    h.sb.clock.set(T0 + 500);
    const failed = await h.client.putTimeseriesData('metrics', [
      { measurement: 'cpu', dataSource: 'host1', tags: { region: 'hz', az: 'b' }, timeMicros: T0 + 1, fields: { usage: 0.5, cores: 8n, ok: true, note: 'n' } },
      { measurement: '', dataSource: 'host1', tags: {}, timeMicros: T0 + 2, fields: { usage: 1 } },
    ]);
    expect(failed).toEqual([{ rowIndex: 1, errorCode: 'OTSParameterInvalid', errorMessage: 'A time series row needs a measurement name.' }]);
    const [{ streamId }] = await h.client.listStream('metrics');
    const d = await h.client.describeStream(streamId);
    expect(d.isTimeseriesDataTable).toBe(true);
    const rows = [];
    for (const shard of d.shards) {
      rows.push(...(await h.client.getStreamRecord(await h.client.getShardIterator(streamId, shard.shardId))).records);
    }
    expect(rows).toHaveLength(1);
    const row = rows[0].row;
    expect(row.primaryKey.map((c) => c.name)).toEqual(['_#h', '_m_name', '_data_source', '_tags', '_time']);
    expect(row.primaryKey.slice(1).map((c) => c.value)).toEqual(['cpu', 'host1', '["az=b","region=hz"]', BigInt(T0 + 1)]);
    expect(row.cells.map((c) => [c.name, c.value])).toEqual([
      ['usage:d', 0.5],
      ['cores:i', 8n],
      ['ok:b', true],
      ['note:s', 'n'],
    ]);
    expect(row.sequence?.timestampMicros).toBe(T0 + 500);
  });
});

describe('pages served from the write log', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ shardCount: 2 });
  });
  afterEach(() => h.close());

  test('a page spanning several log chunks, its shard\'s writes interleaved with the other shard\'s, reads every record once and in order', async () => {
    await createStreamTable(h.ots, 't');
    // The log's bytes from 300 rows of 1 KB (fifteen batches, as from 1500 rows of 200 bytes).
    const rows = Array.from({ length: 300 }, (_, i) => ({ type: 'PUT', condition: IGNORE(), primaryKey: [{ pk: `k${String(i).padStart(5, '0')}` }], attributeColumns: [{ v: 'x'.repeat(1000) }] }));
    for (let i = 0; i < rows.length; i += 20) {
      h.sb.clock.set(T0 + i);
      await h.ots.batchWriteRow({ tables: [{ tableName: 't', rows: rows.slice(i, i + 20) }] });
    }
    const [{ streamId }] = await h.client.listStream('t');
    const seen: string[] = [];
    for (const shard of h.sb.shards('t')) {
      let it: string | null = await h.client.getShardIterator(streamId, shard.shardId);
      const before = seen.length;
      while (it !== null) {
        const page: { records: { row: { primaryKey: { value: unknown }[] } }[]; nextShardIterator: string | null } = await h.client.getStreamRecord(it, 10_000);
        seen.push(...page.records.map((r) => String(r.row.primaryKey[0].value)));
        if (page.records.length === 0) break;
        it = page.nextShardIterator;
      }
      // One shard's records hold more than the log's first chunks (64 KiB, then 128 KiB): one page crosses them.
      expect(seen.length - before).toBe(shard.recordCount);
      expect(seen.slice(before)).toEqual([...seen.slice(before)].sort());
    }
    expect([...seen].sort()).toEqual(rows.map((r) => r.primaryKey[0].pk));
  });
});
