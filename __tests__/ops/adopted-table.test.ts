/**
 * The Stream of an existing production table, through the operations command and the official SDK against the
 * loopback servers: enabling it loses nothing and the writes after it are exported; a Stream the stack did not
 * enable is kept (its retention changed in place) and never disabled; destroy never touches the table or its rows.
 */
import { OperationSettings, runOps, TableStreamSpec } from '../../lib/ops';
import { createStreamTable, ignoreCondition, LocalSandboxes, long, startLocalSandboxes, TableStore } from '../../lib/runtime/demo/local-sandboxes';
import { runWindow, staticCredentialProvider } from '../../lib/runtime/sync';
import { parseWindowTime } from '../../lib/schedule';

const TZ = 'Asia/Shanghai';
const START = '20230423175000';
const END = '20230423185000';
const START_US = parseWindowTime(START, TZ) * 1000;
const END_US = parseWindowTime(END, TZ) * 1000;
const OWNERS = 'otsbk_sync_status_stream_owners';

let sb: LocalSandboxes;
beforeEach(async () => {
  sb = await startLocalSandboxes({ startMicros: START_US - 7_200_000_000, tablestore: { maxClockSkewMs: null } });
  await sb.ots.createTable({
    tableMeta: { tableName: OWNERS, primaryKey: [{ name: 'table_name', type: 'STRING' }, { name: 'stream_id', type: 'STRING' }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1 },
  });
});
afterEach(() => sb.close());

const at = async <T>(micros: number, action: () => Promise<T>): Promise<T> => {
  sb.tablestore.clock.set(micros);
  return action();
};
const spec = (tableName: string, retentionHours = 24): TableStreamSpec => ({ kind: 'table-stream', region: 'cn-hangzhou', instanceName: sb.tablestore.instanceName, tableName, retentionHours });
const settings = (environment: string, allowTeardown: boolean, streamOwnersTable: string | null = OWNERS): OperationSettings =>
  ({ environment, allowTeardown, ...(streamOwnersTable ? { streamOwnersTable } : {}) });
async function ops(operation: 'apply' | 'destroy', s: TableStreamSpec, set: OperationSettings, owner: string, extraEnv: Record<string, string> = {}) {
  const lines: string[] = [];
  const code = await runOps([operation, 'table-stream'], {
    env: {
      OTSBK_OPS_SPEC: JSON.stringify(s), OTSBK_OPS_SETTINGS: JSON.stringify(set), OTSBK_OPS_OWNER: owner,
      OTSBK_TABLESTORE_ENDPOINT: sb.tablestore.endpoint, OTSBK_RETRY_BASE_DELAY_MS: '1', OTSBK_TABLESTORE_CALL_TIMEOUT_MS: '2000', ...extraEnv,
    },
    credentials: async () => sb.credentials,
    sleep: async () => undefined,
    write: line => lines.push(line),
  });
  return { code, output: lines.join('\n') };
}
const stream = async (table: string) => (await sb.ots.describeTable({ tableName: table })).streamDetails as { enableStream: boolean; streamId?: string; expirationTime?: number };
const put = (table: string, id: string, qty: number) =>
  sb.ots.putRow({ tableName: table, condition: ignoreCondition(), primaryKey: [{ id }], attributeColumns: [{ qty: long(qty) }] });
async function rows(table: string): Promise<string[]> {
  const got = await sb.ots.getRange({
    tableName: table, direction: 'FORWARD', maxVersions: 1,
    inclusiveStartPrimaryKey: [{ id: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
  });
  return (got.rows as Array<{ primaryKey: Array<{ value: string }> }>).map(r => r.primaryKey[0].value);
}
async function createTable(name: string): Promise<void> {
  await sb.ots.createTable({
    tableMeta: { tableName: name, primaryKey: [{ name: 'id', type: 'STRING' }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1 },
  });
}

describe('Stream on an existing table', () => {
  it('enables the Stream of a table holding rows, loses none, and exports every write after it', async () => {
    await createTable('orders');
    await at(START_US - 3_600_000_000, async () => {
      for (const [i, id] of ['old-1', 'old-2', 'old-3'].entries()) await put('orders', id, i);
    });

    const applied = await at(START_US - 1_800_000_000, () => ops('apply', spec('orders'), settings('prod', false), 'object-1'));
    expect(applied.code).toBe(0);
    expect(applied.output).toContain('enabled with 24 h retention by this stack');
    expect(await stream('orders')).toMatchObject({ enableStream: true, expirationTime: 24 });
    expect(await rows('orders')).toEqual(['old-1', 'old-2', 'old-3']);

    await at(START_US, () => put('orders', 'new-1', 10));
    await at(START_US + 1, () => put('orders', 'old-1', 11));
    await at(START_US + 2, () => sb.ots.deleteRow({ tableName: 'orders', condition: ignoreCondition(), primaryKey: [{ id: 'old-2' }] }));
    await at(END_US - 1, () => put('orders', 'new-2', 12));

    const config = sb.config({
      tablestore: { tableName: 'orders' }, format: { fileFormat: 'jsonl', compression: 'none' },
      layout: { mode: 'rows', columns: [{ name: 'id', type: 'string' }, { name: 'qty', type: 'int64' }] },
    });
    const result = await runWindow({ config, startTime: START, endTime: END, credentials: staticCredentialProvider(sb.credentials), now: () => END_US / 1000 + 3_600_000 });
    expect(result.manifest.records).toEqual({ total: 4, PUT: 3, UPDATE: 0, DELETE: 1 });
    const exported = [...sb.oss.objects().entries()].filter(([k]) => k.endsWith('.jsonl')).flatMap(([, v]) => v.toString('utf8').trim().split('\n')).map(l => JSON.parse(l));
    // Rows from several shards: compare as a set. The DELETE of old-2 is a tombstone line (the runtime default).
    expect(exported.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'new-1', qty: 10, _op: 'PUT', _deleted_columns: null },
      { id: 'new-2', qty: 12, _op: 'PUT', _deleted_columns: null },
      { id: 'old-1', qty: 11, _op: 'PUT', _deleted_columns: null },
      { id: 'old-2', qty: null, _op: 'DELETE', _deleted_columns: null },
    ]);
    expect(await rows('orders')).toEqual(['new-1', 'new-2', 'old-1', 'old-3']);
  });

  it('keeps a Stream enabled before the stack (retention changed in place), and destroy never disables it', async () => {
    await at(START_US - 3_600_000_000, () => createStreamTable(sb.ots, 'customers', [{ name: 'id', type: 'STRING' }], 48));
    await at(START_US - 3_500_000_000, () => put('customers', 'c-1', 1));
    const before = await stream('customers');

    const applied = await ops('apply', spec('customers', 24), settings('dev', true), 'object-1');
    expect(applied.code).toBe(0);
    expect(applied.output).toContain('retention 48 h → 24 h in place');
    expect(applied.output).toContain('was enabled before this stack');
    expect(await stream('customers')).toMatchObject({ enableStream: true, expirationTime: 24, streamId: before.streamId });

    const updates = sb.tablestore.stats.requests.UpdateTable ?? 0;
    const destroyed = await ops('destroy', spec('customers', 24), settings('dev', true), 'object-1');
    expect(destroyed.code).toBe(0);
    expect(destroyed.output).toContain('was not enabled by this stack: leaving it enabled');
    expect(sb.tablestore.stats.requests.UpdateTable ?? 0).toBe(updates);
    expect(await stream('customers')).toMatchObject({ enableStream: true, streamId: before.streamId });
    expect(await rows('customers')).toEqual(['c-1']);
  });

  it('disables on destroy only the Stream this object enabled; the table and its rows stay', async () => {
    await createTable('orders');
    await put('orders', 'o-1', 1);
    expect((await ops('apply', spec('orders', 24), settings('dev', true), 'object-1')).code).toBe(0);
    const first = await stream('orders');

    // A replacement (new retention): the new object takes the Stream over, the old one's destroy leaves it on.
    expect((await ops('apply', spec('orders', 72), settings('dev', true), 'object-2')).code).toBe(0);
    const old = await ops('destroy', spec('orders', 24), settings('dev', true), 'object-1');
    expect(old.output).toContain('is owned by object-2 of environment "dev"');
    expect(await stream('orders')).toMatchObject({ enableStream: true, expirationTime: 72, streamId: first.streamId });

    // Another environment sharing the instance never disables it either.
    expect((await ops('destroy', spec('orders', 72), settings('staging', true), 'object-2')).output).toContain('leaving it enabled');

    // prod-like refusal, then the owner's destroy.
    const refused = await ops('destroy', spec('orders', 72), settings('dev', false), 'object-2');
    expect(refused.code).toBe(1);
    expect((await stream('orders')).enableStream).toBe(true);
    expect((await ops('destroy', spec('orders', 72), settings('dev', true), 'object-2')).code).toBe(0);
    expect((await stream('orders'))?.enableStream ?? false).toBe(false);
    expect(await rows('orders')).toEqual(['o-1']);
  });

  it('refuses to enable a Stream it could not record, before touching the table', async () => {
    await createTable('orders');
    const r = await ops('apply', spec('orders'), settings('dev', true, 'no_such_owners_table'), 'object-1');
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/GetRow on the owners table no_such_owners_table failed: OTSObjectNotExist/);
    expect((await stream('orders'))?.enableStream ?? false).toBe(false);
    expect((await ops('apply', spec('orders'), settings('dev', true, null), 'object-1')).output).toContain('streamOwnersTable is not set');
  });
});
