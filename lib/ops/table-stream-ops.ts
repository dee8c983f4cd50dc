/**
 * Enable, keep in step and disable the Stream of the wide-column data table, through the official `tablestore`
 * SDK (UpdateTable with a stream specification; DescribeTable for the stream details).
 *
 * apply: enabled with the desired retention → nothing; disabled → enable; enabled with another retention →
 * UpdateTable with the new retention in place. It never disables and re-enables on its own: that would drop the
 * stream records not exported yet.
 *
 * destroy disables the Stream only while it still has the retention being destroyed. When Terraform replaces the
 * object for a retention change, the new object's apply has already set the new retention, so the old object's
 * destroy finds a different retention and leaves the Stream on.
 */
import { FailureKind, withRetry } from '../dataworks/retry';
import { isRetryable as isRetryableTablestore, isThrottling, TablestoreError } from '../tablestore/errors';
import { OpsContext } from './context';
import { resolveCredentials } from './environment';
import { OperationSettings, TableStreamSpec } from './specs';
import { assertTeardownAllowed } from './teardown';

/** The part of the `tablestore` SDK client this module uses. */
interface SdkClient {
  describeTable(params: { tableName: string }): Promise<SdkDescribeTable>;
  updateTable(params: {
    tableName: string;
    tableOptions: { timeToLive?: number; maxVersions?: number };
    streamSpecification: { enableStream: boolean; expirationTime?: number };
  }): Promise<unknown>;
}

interface SdkDescribeTable {
  tableOptions?: { timeToLive?: number; maxVersions?: number };
  streamDetails?: { enableStream?: boolean; streamId?: string; expirationTime?: number } | null;
}

export interface StreamState {
  readonly enabled: boolean;
  readonly retentionHours?: number;
  readonly streamId?: string;
}

const NETWORK_CODES = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up|NetworkingError|TimeoutError/i;

export function classifyTablestoreError(error: unknown): FailureKind {
  if (error instanceof TablestoreError) {
    if (isThrottling(error)) return 'throttled';
    if (error.code === 'NetworkError' || error.code === 'TimeoutError') return 'network';
    return isRetryableTablestore(error) ? 'server' : 'fatal';
  }
  const { status, code, message } = sdkErrorDetails(error);
  if (/^OTS(ServerBusy|QuotaExhausted|OperationThrottled|NotEnoughCapacityUnit|CapacityUnitExhausted|TooFrequentReservedThroughputAdjustment)$/.test(code)) return 'throttled';
  if (/^OTS(InternalServerError|PartitionUnavailable|TableNotReady|Timeout|ServerUnavailable)$/.test(code)) return 'server';
  if (status !== undefined && status >= 500) return 'server';
  if (NETWORK_CODES.test(code) || NETWORK_CODES.test(message)) return 'network';
  return 'fatal';
}

async function sdkClient(ctx: OpsContext, spec: TableStreamSpec, settings: OperationSettings): Promise<SdkClient> {
  const credentials = await resolveCredentials(ctx.credentials);
  ctx.log.addSecret(credentials.accessKeySecret);
  ctx.log.addSecret(credentials.securityToken);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const TableStore = require('tablestore') as { Client: new (config: Record<string, unknown>) => SdkClient };
  return new TableStore.Client({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.accessKeySecret,
    stsToken: credentials.securityToken,
    endpoint: ctx.environment.tablestoreEndpoint(spec.region, spec.instanceName, settings),
    instancename: spec.instanceName,
    // Retries are ours (withRetry below), with the same policy as every other call of this command.
    maxRetries: 0,
  });
}

function retrying<T>(ctx: OpsContext, what: string, call: () => Promise<T>): Promise<T> {
  return withRetry(() => withDeadline(call(), ctx.environment.tablestoreCallTimeoutMs, what), {
    policy: ctx.environment.retryPolicy, classify: classifyTablestoreError, sleep: ctx.sleep, what, onRetry: line => ctx.log.info(line),
  });
}

/**
 * The SDK never settles a call whose connection is cut after the response headers arrived (it listens for
 * errors on the request, not on the response). The deadline turns that into a retryable TimeoutError, and its
 * timer keeps the process alive meanwhile instead of letting it exit with the call unresolved.
 */
function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no complete answer within ${ms} ms`), { code: 'TimeoutError' })), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The SDK reports a service error with the HTTP status as `code` and the raw protobuf Error body as `message`;
 * this recovers the Tablestore error code (e.g. OTSObjectNotExist) and a readable message.
 */
export function sdkErrorDetails(error: unknown): { status?: number; code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  const raw = typeof e.message === 'string' ? e.message : String(error);
  const otsCode = /(OTS[A-Za-z]+)/.exec(raw)?.[1];
  // Protobuf Error {1: code, 2: message}: after the code come the field tag, a length byte, then the text.
  const afterCode = otsCode ? raw.slice(raw.indexOf(otsCode) + otsCode.length).replace(/^[\u0000-\u001f]+[^A-Za-z0-9]?/, '') : raw;
  const message = afterCode.replace(/[\u0000-\u001f]+/g, ' ').trim();
  if (typeof e.code === 'number') return { status: e.code, code: otsCode ?? `HTTP${e.code}`, message };
  return { code: otsCode ?? (typeof e.code === 'string' ? e.code : 'Unknown'), message };
}

async function describe(ctx: OpsContext, client: SdkClient, spec: TableStreamSpec): Promise<{ table: SdkDescribeTable; stream: StreamState } | undefined> {
  try {
    const table = await retrying(ctx, `Tablestore DescribeTable ${spec.tableName}`, () => client.describeTable({ tableName: spec.tableName }));
    const d = table.streamDetails;
    const stream: StreamState = d?.enableStream
      ? { enabled: true, retentionHours: d.expirationTime === undefined ? undefined : Number(d.expirationTime), streamId: d.streamId ?? undefined }
      : { enabled: false };
    return { table, stream };
  } catch (e) {
    const details = sdkErrorDetails(e);
    if (details.code === 'OTSObjectNotExist') return undefined;
    throw new Error(`Tablestore DescribeTable ${spec.tableName} failed: ${details.code}: ${details.message}`);
  }
}

/**
 * The SDK's UpdateTable always sends table options; sending back the values DescribeTable reported keeps them
 * unchanged (the table's TTL and versions belong to the alicloud_ots_table resource, not to this command).
 */
function currentOptions(table: SdkDescribeTable): { timeToLive?: number; maxVersions?: number } {
  const o = table.tableOptions ?? {};
  return { timeToLive: o.timeToLive === undefined ? undefined : Number(o.timeToLive), maxVersions: o.maxVersions === undefined ? undefined : Number(o.maxVersions) };
}

export async function applyTableStream(ctx: OpsContext, spec: TableStreamSpec, settings: OperationSettings): Promise<void> {
  const client = await sdkClient(ctx, spec, settings);
  const live = await describe(ctx, client, spec);
  const where = `table ${spec.tableName} of instance ${spec.instanceName}`;
  if (!live) throw new Error(`${where} does not exist; the Stream can only be enabled on an existing table (the stack creates it first)`);
  if (live.stream.enabled && live.stream.retentionHours === spec.retentionHours) {
    ctx.log.info(`Stream of ${where} is already enabled with ${spec.retentionHours} h retention (stream ${live.stream.streamId ?? '?'})`);
    return;
  }
  const change = live.stream.enabled ? `retention ${live.stream.retentionHours} h → ${spec.retentionHours} h` : `enable with ${spec.retentionHours} h retention`;
  try {
    await retrying(ctx, `Tablestore UpdateTable ${spec.tableName}`, () => client.updateTable({
      tableName: spec.tableName,
      tableOptions: currentOptions(live.table),
      streamSpecification: { enableStream: true, expirationTime: spec.retentionHours },
    }));
  } catch (e) {
    const details = sdkErrorDetails(e);
    if (live.stream.enabled) {
      throw new Error(`Tablestore refused to change the Stream retention of ${where} in place (${details.code}: ${details.message}). `
        + 'Changing it by disabling and re-enabling the Stream would drop the records not exported yet, so this command does not do that; '
        + 'keep the old retention, or disable the Stream yourself after the last export.');
    }
    throw new Error(`Tablestore UpdateTable ${spec.tableName} failed: ${details.code}: ${details.message}`);
  }
  const after = await describe(ctx, client, spec);
  if (!after?.stream.enabled || after.stream.retentionHours !== spec.retentionHours) {
    throw new Error(`UpdateTable on ${where} succeeded but DescribeTable reports the Stream ${after?.stream.enabled ? `enabled with ${after.stream.retentionHours} h` : 'disabled'}`);
  }
  ctx.log.info(`Stream of ${where}: ${change} (stream ${after.stream.streamId ?? '?'})`);
}

export async function destroyTableStream(ctx: OpsContext, spec: TableStreamSpec, settings: OperationSettings): Promise<void> {
  const client = await sdkClient(ctx, spec, settings);
  const where = `table ${spec.tableName} of instance ${spec.instanceName}`;
  const live = await describe(ctx, client, spec);
  if (!live) {
    ctx.log.info(`${where} does not exist; no Stream to disable`);
    return;
  }
  if (!live.stream.enabled) {
    ctx.log.info(`Stream of ${where} is already disabled`);
    return;
  }
  if (live.stream.retentionHours !== spec.retentionHours) {
    ctx.log.info(`Stream of ${where} now has ${live.stream.retentionHours} h retention, not the ${spec.retentionHours} h being destroyed: `
      + 'a newer configuration owns it (old half of a replacement); leaving it enabled');
    return;
  }
  ctx.log.info(`disabling the Stream of ${where}: ${assertTeardownAllowed(settings, `the Stream of ${where} (unexported stream records are lost)`, ctx.env)}`);
  try {
    await retrying(ctx, `Tablestore UpdateTable ${spec.tableName}`, () => client.updateTable({
      tableName: spec.tableName,
      tableOptions: currentOptions(live.table),
      streamSpecification: { enableStream: false },
    }));
  } catch (e) {
    const details = sdkErrorDetails(e);
    throw new Error(`Tablestore UpdateTable ${spec.tableName} failed: ${details.code}: ${details.message}`);
  }
  ctx.log.info(`disabled the Stream of ${where}`);
}
