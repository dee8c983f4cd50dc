/**
 * The wide-table calls snapshot and restore make, against the loopback Tablestore: the limits the service
 * documents (BatchWriteRow 200 rows / 4 MB, GetRange pages of 5000 rows or 4 MB, ComputeSplitPointsBySize
 * split_size) are enforced by the sandbox, and the client and the restore sink stay within them.
 */
import type { WirePrimaryKeyColumn } from '../../lib/tablestore/plainbuffer/types';
import { TablestoreTableClient } from '../../lib/tablestore/table-client';
import { TablestoreError } from '../../lib/tablestore/errors';
import { TablestoreRowSink } from '../../lib/runtime/restore/sink';
import type { RowOp } from '../../lib/runtime/restore/rows';
import { FAST_RETRY, startHarness, Harness } from '../tablestore/helpers';

const MB = 1024 * 1024;
const big = (c: string): string => c.repeat(Math.floor(1.9 * MB));
const key = (id: string) => [{ name: 'id', type: 'STRING' as const, value: id }];
const MIN: WirePrimaryKeyColumn[] = [{ name: 'id', type: 'INF_MIN', value: null }];
const MAX: WirePrimaryKeyColumn[] = [{ name: 'id', type: 'INF_MAX', value: null }];

describe('TablestoreTableClient against the sandbox', () => {
  let h: Harness;
  let client: TablestoreTableClient;
  beforeEach(async () => {
    h = await startHarness();
    client = new TablestoreTableClient({ endpoint: h.sb.endpoint, instanceName: h.sb.instanceName, credentials: { accessKeyId: h.sb.accessKeyId, accessKeySecret: h.sb.accessKeySecret }, retry: FAST_RETRY });
    await client.createTable({ tableName: 't', primaryKey: [{ name: 'id', type: 'STRING' }], definedColumns: [], timeToLiveSeconds: -1, maxVersions: 1 });
  });
  afterEach(async () => {
    client.close();
    await h.close();
  });

  test('BatchWriteRow over 4 MB is refused; the restore sink splits the same rows into requests that fit', async () => {
    const writes = ['a', 'b', 'c'].map((id) => ({ type: 'PUT' as const, primaryKey: key(id), columns: [{ name: 'v', type: 'STRING' as const, value: big(id) }] }));
    await expect(client.batchWriteRow('t', writes)).rejects.toMatchObject({ code: 'OTSParameterInvalid', message: expect.stringMatching(/exceeds the limit: 4194304 bytes/) });
    const sink = new TablestoreRowSink({ client, tableName: 't' });
    await sink.write(writes.map((w): RowOp => ({ kind: 'PUT', key: w.primaryKey, columns: w.columns, deleteColumns: [] })));
    await sink.flush();
    expect(sink.rowsWritten).toBe(3);
    expect(h.sb.stats.requests.BatchWriteRow).toBe(3); // the refused one, then two that fit
  });

  test('one key twice in a BatchWriteRow is refused; the sink merges consecutive ops and splits the rest', async () => {
    const put = (id: string, v: string) => ({ type: 'PUT' as const, primaryKey: key(id), columns: [{ name: 'v', type: 'STRING' as const, value: v }] });
    await expect(client.batchWriteRow('t', [put('a', '1'), put('a', '2')])).rejects.toBeInstanceOf(TablestoreError);
    const sink = new TablestoreRowSink({ client, tableName: 't' });
    const op = (id: string, v: string): RowOp => ({ kind: 'PUT', key: key(id), columns: [{ name: 'v', type: 'STRING', value: v }], deleteColumns: [] });
    await sink.write([op('a', '1'), op('a', '2'), op('b', '1'), { kind: 'DELETE', key: key('a'), columns: [], deleteColumns: [] }, op('b', '2')]);
    await sink.flush();
    const rows = (await client.getRangePage('t', MIN, MAX)).rows.map((r) => [r.primaryKey[0].value, r.cells[0]?.value]);
    expect(rows).toEqual([['b', '2']]);
  });

  test('a GetRange page stops at 4 MB and names the next key; scan reads every row', async () => {
    const sink = new TablestoreRowSink({ client, tableName: 't' });
    await sink.write(['a', 'b', 'c'].map((id): RowOp => ({ kind: 'PUT', key: key(id), columns: [{ name: 'v', type: 'STRING', value: big(id) }], deleteColumns: [] })));
    await sink.flush();
    const page = await client.getRangePage('t', MIN, MAX);
    expect(page.rows.length).toBeLessThan(3);
    expect(page.next).not.toBeNull();
    let n = 0;
    for await (const rows of client.scan('t', MIN, MAX)) n += [...rows].length;
    expect(n).toBe(3);
  });

  test('ComputeSplitPointsBySize: split_size must be positive; points that omit trailing key columns are padded with INF_MIN', async () => {
    await client.createTable({ tableName: 'two', primaryKey: [{ name: 'p', type: 'STRING' }, { name: 'n', type: 'INTEGER' }], definedColumns: [], timeToLiveSeconds: -1, maxVersions: 1 });
    const sink = new TablestoreRowSink({ client, tableName: 'two' });
    const ops: RowOp[] = [];
    for (const p of ['a', 'b', 'c']) for (let n = 0; n < 5; n++) ops.push({ kind: 'PUT', key: [{ name: 'p', type: 'STRING', value: p }, { name: 'n', type: 'INTEGER', value: BigInt(n) }], columns: [{ name: 'v', type: 'STRING', value: 'x'.repeat(100) }], deleteColumns: [] });
    await sink.write(ops);
    await sink.flush();
    await expect(client.computeSplitPointsBySize('two', 0, ['p', 'n'])).rejects.toThrow(/positive/);
    const points = await client.computeSplitPointsBySize('two', 1, ['p', 'n'], 500);
    expect(points.length).toBeGreaterThan(0);
    for (const point of points) {
      expect(point).toHaveLength(2);
      expect(point[1]).toEqual({ name: 'n', type: 'INF_MIN', value: null });
    }
  });
});
