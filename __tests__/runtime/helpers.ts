/**
 * Runtime test harness: both sandboxes, a table with a stream created through the official SDK, writes placed
 * at chosen instants with the sandbox clock, and a runtime configuration pointing at it all.
 */
import { createHash } from 'node:crypto';
import { syncPolicyDocument } from '../../lib/constructs/sync-permissions';
import { createStreamTable, ignoreCondition, LocalSandboxes, long, startLocalSandboxes } from '../../lib/runtime/demo/local-sandboxes';
import { staticCredentialProvider, SyncRuntimeConfig, SyncRuntimeConfigInput } from '../../lib/runtime/sync';
import type { SyncTuning } from '../../lib/runtime/sync/run-window';
import { parseWindowTime } from '../../lib/schedule';

export const TZ = 'Asia/Shanghai';
export const START = '20230423175000';
export const END = '20230423185000';
export const START_MS = parseWindowTime(START, TZ);
export const END_MS = parseWindowTime(END, TZ);
export const START_US = START_MS * 1000;
export const END_US = END_MS * 1000;
/** "Now" for the runtime: an hour after the window end (well past the 10-minute lag, well within 24 h retention). */
export const NOW = (): number => END_MS + 3_600_000;

export const TABLE = 'orders';

export const COLUMNS = [
  { name: 'id', type: 'string' as const },
  { name: 'name', type: 'string' as const },
  { name: 'qty', type: 'int64' as const },
];

/** Retries that back off for a millisecond, so fault tests stay fast. */
export const FAST_TUNING: SyncTuning = {
  tablestoreRetry: { baseDelayMs: 1, throttleBaseDelayMs: 1, maxDelayMs: 5, attempts: 8 },
  ossRetry: { attempts: 8, baseDelayMs: 1, maxDelayMs: 5 },
  tablestoreTimeoutMs: 5000,
  ossTimeoutMs: 5000,
};

export interface RuntimeHarness {
  readonly sb: LocalSandboxes;
  config(overrides?: SyncRuntimeConfigInput): SyncRuntimeConfig;
  readonly credentials: ReturnType<typeof staticCredentialProvider>;
  /** Sets the sandbox clock to `micros`, then runs `write`. */
  at<T>(micros: number, write: () => Promise<T>): Promise<T>;
  put(id: string, columns: Record<string, unknown>): Promise<void>;
  update(id: string, put: Record<string, unknown>, deleteAll?: string[]): Promise<void>;
  remove(id: string): Promise<void>;
  /** BatchWriteRow of PUTs, 200 rows per request. */
  putMany(rows: ReadonlyArray<{ id: string; columns: Record<string, unknown> }>): Promise<void>;
  close(): Promise<void>;
}

function attributes(columns: Record<string, unknown>): Array<Record<string, unknown>> {
  return Object.entries(columns).map(([k, v]) => ({ [k]: typeof v === 'number' && Number.isInteger(v) ? long(v) : v }));
}

/**
 * The RAM policy of the runtime node's identity, built from the permission table for both sandboxes' resources (owner
 * account, the Tablestore sandbox's region and instance, the default bucket, the export prefix `sb.config()` uses):
 * a call the table lacks fails the test, in either sandbox.
 */
export function runtimeSyncPolicy(tables: readonly string[] = [TABLE], exportPrefix = 'tablestore-export'): string {
  return syncPolicyDocument({
    engine: 'runtime', region: 'cn-hangzhou', accountId: '1000000000000001',
    dataTables: tables.map(tableName => ({ instanceName: 'sandbox', tableName })), timeseriesTables: [], statusTables: [], bucketName: 'sandbox-bucket',
    exportPrefix,   }).toJsonString();
}

/**
 * `exportPrefixes`: where the identity may write (each gets the runtime policy). `tablestoreOwnerKey`: the key is the
 * Tablestore instance owner's (for calls outside the sync policy: snapshot and restore); by default it is a RAM user
 * holding the runtime policy in both sandboxes.
 */
export async function startRuntimeHarness(shardCount = 4, exportPrefixes: readonly string[] = ['tablestore-export'], tablestoreOwnerKey = false): Promise<RuntimeHarness> {
  // The table (and its stream) exists a minute before the window starts.
  const sb = await startLocalSandboxes({
    startMicros: START_US - 60_000_000,
    tablestore: { shardCount, maxClockSkewMs: null },
    ossPolicies: exportPrefixes.map(prefix => runtimeSyncPolicy([TABLE], prefix)),
    tablestorePolicies: tablestoreOwnerKey ? undefined : [runtimeSyncPolicy([TABLE])],
  });
  await createStreamTable(sb.ots, TABLE, [{ name: 'id', type: 'STRING' }]);
  const ots = sb.ots;
  return {
    sb,
    credentials: staticCredentialProvider(sb.credentials),
    config: (overrides) =>
      sb.config({
        tablestore: { tableName: TABLE },
        format: { fileFormat: 'jsonl', compression: 'none' },
        layout: { mode: 'rows', columns: COLUMNS },
        ...overrides,
      }),
    async at(micros, write) {
      sb.tablestore.clock.set(micros);
      return write();
    },
    async put(id, columns) {
      await ots.putRow({ tableName: TABLE, condition: ignoreCondition(), primaryKey: [{ id }], attributeColumns: attributes(columns) });
    },
    async update(id, put, deleteAll = []) {
      const ops: Array<Record<string, unknown>> = [{ PUT: attributes(put) }];
      if (deleteAll.length > 0) ops.push({ DELETE_ALL: deleteAll });
      await ots.updateRow({ tableName: TABLE, condition: ignoreCondition(), primaryKey: [{ id }], updateOfAttributeColumns: ops });
    },
    async remove(id) {
      await ots.deleteRow({ tableName: TABLE, condition: ignoreCondition(), primaryKey: [{ id }] });
    },
    async putMany(rows) {
      for (let i = 0; i < rows.length; i += 200) {
        const batch = rows.slice(i, i + 200).map((r) => ({ type: 'PUT', condition: ignoreCondition(), primaryKey: [{ id: r.id }], attributeColumns: attributes(r.columns) }));
        const res = await ots.batchWriteRow({ tables: [{ tableName: TABLE, rows: batch }] });
        if (!res.tables.every((t: { isOk: boolean }) => t.isOk)) throw new Error('BatchWriteRow failed for some rows');
      }
    },
    close: () => sb.close(),
  };
}

/** Objects of the default bucket under `prefix`, as key -> bytes. */
export function objectsUnder(h: RuntimeHarness, prefix = 'tablestore-export/'): Map<string, Buffer> {
  return new Map([...h.sb.oss.objects()].filter(([k]) => k.startsWith(prefix)));
}

/** JSON Lines of every data file under the window directory, parsed, in key order. */
export function jsonRows(objects: Map<string, Buffer>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const [key, body] of objects) {
    if (!key.endsWith('.jsonl')) continue;
    for (const line of body.toString('utf8').split('\n')) if (line) out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}

/** key -> SHA-256 of the bytes: compares object sets byte for byte without jest walking every byte. */
export function digests(objects: Map<string, Buffer>): Record<string, string> {
  return Object.fromEntries([...objects].map(([k, v]) => [k, createHash('sha256').update(v).digest('hex')]));
}
