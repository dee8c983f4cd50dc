/**
 * The official `tablestore` SDK against the loopback sandbox.
 */
import { createStreamTable, Harness, IGNORE, long, officialClient, startHarness, TableStore } from './helpers';

describe('official SDK against the sandbox', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  test('creates a table with a stream and describes it', async () => {
    await createStreamTable(h.ots, 'orders', [
      { name: 'region', type: 'STRING' },
      { name: 'id', type: 'INTEGER' },
    ]);
    expect((await h.ots.listTable({})).tableNames).toEqual(['orders']);
    const d = await h.ots.describeTable({ tableName: 'orders' });
    expect(d.tableMeta.tableName).toBe('orders');
    expect(d.tableMeta.primaryKey.map((c: any) => c.name)).toEqual(['region', 'id']);
    expect(d.streamDetails.enableStream).toBe(true);
    expect(d.streamDetails.expirationTime).toBe(24);
    expect(d.streamDetails.streamId).toMatch(/^orders_/);
    expect(d.tableOptions.timeToLive).toBe(-1);
  });

  test('writes rows and reads them back with GetRow and GetRange', async () => {
    await createStreamTable(h.ots, 't', [
      { name: 'pk', type: 'STRING' },
      { name: 'n', type: 'INTEGER' },
    ]);
    await h.ots.putRow({ tableName: 't', condition: IGNORE(), primaryKey: [{ pk: 'a' }, { n: long(1) }], attributeColumns: [{ s: 'hello' }, { d: 2.5 }, { b: true }] });
    await h.ots.updateRow({
      tableName: 't',
      condition: IGNORE(),
      primaryKey: [{ pk: 'a' }, { n: long(1) }],
      updateOfAttributeColumns: [{ PUT: [{ i: long(7) }] }, { DELETE_ALL: ['d'] }],
    });
    const rows = Array.from({ length: 5 }, (_, i) => ({
      type: 'PUT',
      condition: IGNORE(),
      primaryKey: [{ pk: 'b' }, { n: long(i) }],
      attributeColumns: [{ v: long(i * 10) }],
    }));
    const batch = await h.ots.batchWriteRow({ tables: [{ tableName: 't', rows }] });
    expect(batch.tables.every((r: any) => r.isOk)).toBe(true);

    const got = await h.ots.getRow({ tableName: 't', primaryKey: [{ pk: 'a' }, { n: long(1) }], maxVersions: 1 });
    expect(Object.fromEntries(got.row.attributes.map((a: any) => [a.columnName, String(a.columnValue)]))).toEqual({ b: 'true', i: '7', s: 'hello' });

    const page1 = await h.ots.getRange({ tableName: 't', direction: TableStore.Direction.FORWARD, inclusiveStartPrimaryKey: [{ pk: TableStore.INF_MIN }, { n: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ pk: TableStore.INF_MAX }, { n: TableStore.INF_MAX }], limit: 4, maxVersions: 1 });
    expect(page1.rows.map((r: any) => `${r.primaryKey[0].value}/${r.primaryKey[1].value}`)).toEqual(['a/1', 'b/0', 'b/1', 'b/2']);
    expect(page1.nextStartPrimaryKey.map((c: any) => String(c.value))).toEqual(['b', '3']);
    const page2 = await h.ots.getRange({ tableName: 't', direction: TableStore.Direction.FORWARD, inclusiveStartPrimaryKey: page1.nextStartPrimaryKey.map((c: any) => ({ [c.name]: c.value })), exclusiveEndPrimaryKey: [{ pk: TableStore.INF_MAX }, { n: TableStore.INF_MAX }], maxVersions: 1 });
    expect(page2.rows.map((r: any) => String(r.primaryKey[1].value))).toEqual(['3', '4']);
    expect(page2.nextStartPrimaryKey).toBeNull();

    const backward = await h.ots.getRange({ tableName: 't', direction: TableStore.Direction.BACKWARD, inclusiveStartPrimaryKey: [{ pk: TableStore.INF_MAX }, { n: TableStore.INF_MAX }], exclusiveEndPrimaryKey: [{ pk: 'b' }, { n: long(2) }], maxVersions: 1 });
    expect(backward.rows.map((r: any) => String(r.primaryKey[1].value))).toEqual(['4', '3']);

    await h.ots.deleteRow({ tableName: 't', condition: IGNORE(), primaryKey: [{ pk: 'a' }, { n: long(1) }] });
    const gone = await h.ots.getRow({ tableName: 't', primaryKey: [{ pk: 'a' }, { n: long(1) }], maxVersions: 1 });
    expect(gone.row).toEqual({});
    expect(h.sb.writeCount('t')).toBe(8);
  });

  test('multi-version rows: versions, time ranges, columns_to_get, increments and version deletes read back as written', async () => {
    await createStreamTable(h.ots, 'mv', [{ name: 'pk', type: 'STRING' }], 3);
    const key = [{ pk: 'a' }];
    const put = (cols: Record<string, unknown>[]) => h.ots.updateRow({ tableName: 'mv', condition: IGNORE(), primaryKey: key, updateOfAttributeColumns: [{ PUT: cols }] });
    for (const t of [1000, 2000, 3000, 4000]) await put([{ v: `v${t}`, timestamp: t }, { w: long(t), timestamp: t }]);
    await h.ots.updateRow({ tableName: 'mv', condition: IGNORE(), primaryKey: key, updateOfAttributeColumns: [{ DELETE: [{ v: long(3000) }] }, { INCREMENT: [{ n: long(5) }] }] });
    await h.ots.updateRow({ tableName: 'mv', condition: IGNORE(), primaryKey: key, updateOfAttributeColumns: [{ INCREMENT: [{ n: long(2) }] }] });
    const cells = (r: any) => (r.row.attributes ?? []).map((a: any) => [a.columnName, String(a.columnValue), Number(a.timestamp)]);
    const all = await h.ots.getRow({ tableName: 'mv', primaryKey: key, maxVersions: 3 });
    // max_versions 3 keeps 4000, 3000, 2000 of each column; the version delete then drops v@3000.
    const byColumn = (xs: [string, string, number][]) => xs.filter(([n]) => n !== 'n').map(([n, v, t]) => `${n}=${v}@${t}`);
    expect(byColumn(cells(all))).toEqual(['v=v4000@4000', 'v=v2000@2000', 'w=4000@4000', 'w=3000@3000', 'w=2000@2000']);
    expect(cells(all).find(([n]: [string]) => n === 'n')?.[1]).toBe('7');
    const latest = await h.ots.getRow({ tableName: 'mv', primaryKey: key, maxVersions: 1, columnsToGet: ['w'] });
    expect(byColumn(cells(latest))).toEqual(['w=4000@4000']);
    const ranged = await h.ots.getRange({
      tableName: 'mv', direction: TableStore.Direction.FORWARD, inclusiveStartPrimaryKey: [{ pk: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ pk: TableStore.INF_MAX }],
      timeRange: { startTime: 2000, endTime: 4000 }, maxVersions: 3, columnsToGet: ['v', 'w'],
    });
    expect(ranged.rows).toHaveLength(1);
    expect(ranged.rows[0].attributes.map((a: any) => `${a.columnName}=${String(a.columnValue)}@${Number(a.timestamp)}`)).toEqual(['v=v2000@2000', 'w=3000@3000', 'w=2000@2000']);
    const none = await h.ots.getRow({ tableName: 'mv', primaryKey: key, maxVersions: 3, columnsToGet: ['missing'] });
    expect(none.row.primaryKey).toBeUndefined();
  });

  test('row existence conditions are enforced', async () => {
    await createStreamTable(h.ots, 't');
    const expectNotExist = new TableStore.Condition(TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST, null);
    await h.ots.putRow({ tableName: 't', condition: expectNotExist, primaryKey: [{ pk: 'a' }], attributeColumns: [{ v: 'x' }] });
    await expect(h.ots.putRow({ tableName: 't', condition: expectNotExist, primaryKey: [{ pk: 'a' }], attributeColumns: [{ v: 'y' }] })).rejects.toMatchObject({
      code: 403,
      message: expect.stringContaining('OTSConditionCheckFail'),
    });
  });

  test('UpdateTable turns the stream off and on (a new stream id) and changes TTL', async () => {
    await createStreamTable(h.ots, 't');
    const first = (await h.ots.describeTable({ tableName: 't' })).streamDetails.streamId;
    const off = await h.ots.updateTable({ tableName: 't', tableOptions: {}, streamSpecification: { enableStream: false } });
    expect(off.streamDetails.enableStream).toBe(false);
    expect((await h.client.listStream('t')).length).toBe(0);
    h.sb.clock.advance(10);
    const on = await h.ots.updateTable({ tableName: 't', streamSpecification: { enableStream: true, expirationTime: 48 }, tableOptions: { timeToLive: 86400 * 7 } });
    expect(on.streamDetails.enableStream).toBe(true);
    expect(on.streamDetails.streamId).not.toBe(first);
    expect(on.streamDetails.expirationTime).toBe(48);
    expect(on.tableOptions.timeToLive).toBe(86400 * 7);
  });

  test('a wrong access key secret is rejected with OTSAuthFailed (HTTP 403)', async () => {
    const bad = officialClient(h.sb, 'not-the-secret');
    // The SDK cannot parse protobuf error bodies: it reports the status and the raw body.
    await expect(bad.listTable({})).rejects.toMatchObject({ code: 403, message: expect.stringContaining('OTSAuthFailed') });
    expect(h.sb.stats.authFailures).toBe(1);
  });

  test('creating an existing table and writing a missing one fail like the service', async () => {
    await createStreamTable(h.ots, 't');
    await expect(createStreamTable(h.ots, 't')).rejects.toMatchObject({ code: 409, message: expect.stringContaining('OTSObjectAlreadyExist') });
    await expect(h.ots.putRow({ tableName: 'nope', condition: IGNORE(), primaryKey: [{ pk: 'a' }], attributeColumns: [{ v: 'x' }] })).rejects.toMatchObject({
      code: 404,
      message: expect.stringContaining('OTSObjectNotExist'),
    });
    await expect(h.ots.putRow({ tableName: 't', condition: IGNORE(), primaryKey: [{ wrong: 'a' }], attributeColumns: [{ v: 'x' }] })).rejects.toMatchObject({
      code: 400,
      message: expect.stringContaining('OTSParameterInvalid'),
    });
  });

  test('BatchWriteRow above 200 rows is refused', async () => {
    await createStreamTable(h.ots, 't');
    const rows = Array.from({ length: 201 }, (_, i) => ({ type: 'PUT', condition: IGNORE(), primaryKey: [{ pk: `k${i}` }], attributeColumns: [{ v: 'x' }] }));
    await expect(h.ots.batchWriteRow({ tables: [{ tableName: 't', rows }] })).rejects.toMatchObject({ code: 400, message: expect.stringContaining('upper limit: 200') });
  });

  test('DeleteTable removes the table', async () => {
    await createStreamTable(h.ots, 't');
    await h.ots.deleteTable({ tableName: 't' });
    expect((await h.ots.listTable({})).tableNames).toEqual([]);
  });
});
