/**
 * Both loopback sandboxes, sharing one AccessKey pair, plus the official `tablestore` client pointed at the
 * Tablestore one: what the demo, the benchmark and the runtime tests start instead of a cloud account.
 */
import { randomBytes } from 'node:crypto';
import { OssSandbox, OssSandboxOptions, startOssSandbox } from '../../sandbox/oss';
import { startTablestoreSandbox, TablestoreSandbox, TablestoreSandboxOptions } from '../../sandbox/tablestore';
import { resolveConfig, SyncRuntimeConfig, SyncRuntimeConfigInput, mergeConfigInputs } from '../sync/config';
import type { AccessCredentials } from '../../common/credentials';

// The official SDK ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const TableStore: any = require('tablestore');

export interface LocalSandboxesOptions {
  /** Fix the Tablestore clock here (µs) instead of following real time. */
  readonly startMicros?: number;
  readonly tablestore?: Omit<TablestoreSandboxOptions, 'accessKeyId' | 'accessKeySecret' | 'startMicros'>;
  readonly oss?: Omit<OssSandboxOptions, 'accessKeyId' | 'accessKeySecret'>;
  /**
   * RAM policies (JSON) of the shared AccessKey in the OSS sandbox: it is then a RAM user allowed only these, as the
   * node's identity is. Default: the key is the bucket owner's account key (every OSS permission).
   */
  readonly ossPolicies?: readonly string[];
  /**
   * RAM policies (JSON) of the shared AccessKey in the Tablestore sandbox: it is then a RAM user allowed only these;
   * `ots` (the seeding client) signs with the instance owner's key. Default: the shared key is the owner's.
   */
  readonly tablestorePolicies?: readonly string[];
}

export interface LocalSandboxes {
  readonly tablestore: TablestoreSandbox;
  readonly oss: OssSandbox;
  /** The test AccessKey both sandboxes accept. */
  readonly credentials: AccessCredentials;
  /** The official `tablestore` SDK client (its own retries off), signing with the instance owner's key. */
  readonly ots: any;
  /** The instance owner's key: `credentials` unless `tablestorePolicies` made those a RAM user. */
  readonly tablestoreOwner: AccessCredentials;
  /** A runtime configuration pointing at both sandboxes; `overrides` is merged over it. */
  config(overrides?: SyncRuntimeConfigInput): SyncRuntimeConfig;
  /** The ALIBABA_CLOUD_* variables the credential chain reads, for the sandbox's key. */
  credentialEnv(): Record<string, string>;
  close(): Promise<void>;
}

function randomCredentials(prefix: string): AccessCredentials {
  return { accessKeyId: `${prefix}-${randomBytes(6).toString('hex')}`, accessKeySecret: randomBytes(24).toString('base64url') };
}

export async function startLocalSandboxes(options: LocalSandboxesOptions = {}): Promise<LocalSandboxes> {
  const credentials = randomCredentials('sandbox');
  // With RAM policies the owner's key stays with the seeding client; the shared key is a RAM user with exactly these.
  const tablestoreOwner: AccessCredentials = options.tablestorePolicies ? randomCredentials('owner') : credentials;
  const tablestore = await startTablestoreSandbox({
    ...options.tablestore,
    ...(options.startMicros !== undefined ? { startMicros: options.startMicros } : {}),
    ...tablestoreOwner,
    ...(options.tablestorePolicies ? { identities: [...(options.tablestore?.identities ?? []), { ...credentials, policies: options.tablestorePolicies }] } : {}),
  });
  let oss: OssSandbox;
  try {
    oss = await startOssSandbox(options.ossPolicies
      ? {
        ...options.oss,
        // The owner's key stays unknown to the runtime: the shared key is a RAM user with exactly these policies.
        ...randomCredentials('owner'),
        identities: [...(options.oss?.identities ?? []), { ...credentials, policies: options.ossPolicies }],
      }
      : { ...options.oss, accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret });
  } catch (err) {
    await tablestore.close();
    throw err;
  }
  const ots = new TableStore.Client({
    accessKeyId: tablestoreOwner.accessKeyId,
    secretAccessKey: tablestoreOwner.accessKeySecret,
    endpoint: tablestore.endpoint,
    instancename: tablestore.instanceName,
    maxRetries: 0,
  });
  const region = oss.clientOptions().region;
  return {
    tablestore,
    oss,
    credentials,
    ots,
    tablestoreOwner,
    config(overrides?: SyncRuntimeConfigInput): SyncRuntimeConfig {
      return resolveConfig(mergeConfigInputs({
        tablestore: { endpoint: tablestore.endpoint, instanceName: tablestore.instanceName },
        oss: { endpoint: oss.endpoint, region, bucket: oss.bucket, prefix: 'tablestore-export' },
      }, overrides));
    },
    credentialEnv() {
      return { ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret };
    },
    async close() {
      await Promise.allSettled([tablestore.close(), oss.close()]);
    },
  };
}

export interface ColumnSchema {
  readonly name: string;
  readonly type: 'STRING' | 'INTEGER' | 'BINARY';
}

/** CreateTable with a stream, through the official SDK. */
export async function createStreamTable(ots: any, tableName: string, primaryKey: readonly ColumnSchema[], expirationHours = 24): Promise<void> {
  await ots.createTable({
    tableMeta: { tableName, primaryKey: primaryKey.map((c) => ({ name: c.name, type: c.type })) },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1 },
    streamSpecification: { enableStream: true, expirationTime: expirationHours },
  });
}

/** The official SDK's "write regardless of the row's existence" condition. */
export function ignoreCondition(): any {
  return new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);
}

/** An int64 for the official SDK. */
export function long(n: number): any {
  return TableStore.Long.fromNumber(n);
}
