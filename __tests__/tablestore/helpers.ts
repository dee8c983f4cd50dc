/**
 * Test helpers: a sandbox plus the official SDK client and our stream client
 * pointed at it.
 */
import { startTablestoreSandbox, TablestoreSandbox, TablestoreSandboxOptions } from '../../lib/sandbox/tablestore';
import { TablestoreStreamClient } from '../../lib/tablestore';
import { TablestoreRetryOptions as RetryOptions } from '../../lib/tablestore';

// The official SDK is untyped JavaScript.
export const TableStore = require('tablestore');

/** Fast retries so fault-injection tests stay quick. */
export const FAST_RETRY: RetryOptions = { baseDelayMs: 1, throttleBaseDelayMs: 1, maxDelayMs: 5, attempts: 6 };

export const T0 = 1_700_000_000_000_000;

export interface Harness {
  readonly sb: TablestoreSandbox;
  /** Official `tablestore` SDK client (its own retries off). */
  readonly ots: any;
  readonly client: TablestoreStreamClient;
  close(): Promise<void>;
}

export async function startHarness(options: TablestoreSandboxOptions = {}, retry: RetryOptions = FAST_RETRY): Promise<Harness> {
  const sb = await startTablestoreSandbox({ startMicros: T0, maxClockSkewMs: null, ...options });
  const ots = officialClient(sb);
  const client = new TablestoreStreamClient({
    endpoint: sb.endpoint,
    instanceName: sb.instanceName,
    credentials: { accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, securityToken: sb.securityToken },
    retry,
    requestTimeoutMs: 5000,
  });
  return {
    sb,
    ots,
    client,
    async close() {
      client.close();
      await sb.close();
    },
  };
}

export function officialClient(sb: TablestoreSandbox, secret = sb.accessKeySecret): any {
  return new TableStore.Client({
    accessKeyId: sb.accessKeyId,
    secretAccessKey: secret,
    stsToken: sb.securityToken,
    endpoint: sb.endpoint,
    instancename: sb.instanceName,
    maxRetries: 0,
  });
}

export const IGNORE = () => new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);
export const long = (n: number) => TableStore.Long.fromNumber(n);

export async function createStreamTable(ots: any, tableName: string, pk: { name: string; type: 'STRING' | 'INTEGER' | 'BINARY' }[] = [{ name: 'pk', type: 'STRING' }], maxVersions = 1): Promise<void> {
  await ots.createTable({
    tableMeta: { tableName, primaryKey: pk },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions },
    streamSpecification: { enableStream: true, expirationTime: 24 },
  });
}

/** Official-SDK PutRow of a row keyed by `pk` with string columns. */
export async function putRow(ots: any, tableName: string, pk: string, columns: Record<string, unknown> = {}): Promise<void> {
  await ots.putRow({
    tableName,
    condition: IGNORE(),
    primaryKey: [{ pk }],
    attributeColumns: Object.entries(columns).map(([k, v]) => ({ [k]: v })),
  });
}
