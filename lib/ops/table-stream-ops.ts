/**
 * Enable, keep in step and disable the Stream of a wide-column table, through the official `tablestore` SDK
 * (UpdateTable with a stream specification; DescribeTable for the stream details; PutRow/GetRow/DeleteRow on the
 * owners table).
 *
 * Who enabled a Stream is recorded in the instance's owners table, one row per Stream the stack enabled:
 * primary key (table_name, stream_id), columns owner (the terraform_data id) and environment. A Stream that was
 * enabled before the stack (an existing production table) has no row, so no destroy ever disables it.
 *
 * apply: disabled → enable (a table holding data loses nothing: the Stream starts with the writes after it) and
 * record this object as the owner; enabled with another retention → UpdateTable with the new retention in place,
 * never disable/enable (that drops the records not exported yet); enabled and recorded for this environment under
 * another owner → this object takes over (the new half of a Terraform replacement).
 *
 * destroy disables the Stream only when this object is its recorded owner: the old half of a replacement finds the
 * new owner and leaves the Stream on, and a Stream the stack did not enable is never touched.
 */
import { FailureKind, retryLine, withRetry } from '../common/retry';
import { TablestoreError, tablestoreFailureKind } from '../tablestore/errors';
import { OpsContext } from './context';
import { OperationSettings, TableStreamSpec } from './specs';
import { assertTeardownAllowed } from './teardown';

/** The part of the `tablestore` SDK client this module uses. */
interface SdkClient {
  describeTable(params: { tableName: string }): Promise<SdkDescribeTable>;
  getRow(params: { tableName: string; primaryKey: Array<Record<string, string>>; maxVersions: number }): Promise<{ row?: { attributes?: Array<{ columnName: string; columnValue: unknown }> } }>;
  putRow(params: { tableName: string; condition: unknown; primaryKey: Array<Record<string, string>>; attributeColumns: Array<Record<string, string>> }): Promise<unknown>;
  deleteRow(params: { tableName: string; condition: unknown; primaryKey: Array<Record<string, string>> }): Promise<unknown>;
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
  if (error instanceof TablestoreError) return tablestoreFailureKind(error);
  const { status, code, message } = sdkErrorDetails(error);
  if (/^OTS(ServerBusy|QuotaExhausted|OperationThrottled|NotEnoughCapacityUnit|CapacityUnitExhausted|TooFrequentReservedThroughputAdjustment)$/.test(code)) return 'throttled';
  if (/^OTS(InternalServerError|PartitionUnavailable|TableNotReady|Timeout|ServerUnavailable)$/.test(code)) return 'server';
  if (status !== undefined && status >= 500) return 'server';
  if (NETWORK_CODES.test(code) || NETWORK_CODES.test(message)) return 'network';
  return 'fatal';
}

/**
 * The SDK (tablestore 5.x) assigns five undeclared variables on its row paths: `key` and `size`
 * (plian_buffer_builder.js, row sizes), `pro` (filter.js, conditions), `sub` (encoder.js), `cell_type`
 * (plain_buffer_coded_stream.js, decoding a row). Legal in sloppy mode (its own bundle, dist/ops-tablestore.js),
 * a ReferenceError once bundled into strict code; global bindings make those assignments legal wherever it is. (Found by walking the SDK's syntax trees, scope by
 * scope, for assignments to names no enclosing function declares.)
 */
function allowSdkImplicitGlobals(): void {
  for (const name of ['key', 'size', 'pro', 'sub', 'cell_type']) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value: undefined, writable: true, configurable: true });
  }
}

async function sdkClient(ctx: OpsContext, spec: TableStreamSpec, settings: OperationSettings): Promise<SdkClient> {
  const credentials = await ctx.credentials();
  allowSdkImplicitGlobals();
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
    policy: ctx.environment.retryPolicy, classify: classifyTablestoreError, sleep: ctx.sleep,
    onRetry: event => ctx.log.info(retryLine(what, ctx.environment.retryPolicy, event)),
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

/**
 * The live Stream state and the Terraform object the owners table records as having enabled it (check and
 * repair); undefined when the table does not exist.
 */
export async function readTableStream(ctx: OpsContext, spec: TableStreamSpec, settings: OperationSettings): Promise<(StreamState & { readonly owner?: string }) | undefined> {
  const client = await sdkClient(ctx, spec, settings);
  const live = await describe(ctx, client, spec);
  if (!live) return undefined;
  const recorded = live.stream.streamId && settings.streamOwnersTable ? await readOwner(ctx, client, settings.streamOwnersTable, spec, live.stream.streamId) : undefined;
  return { ...live.stream, owner: recorded?.environment === settings.environment ? recorded.owner : undefined };
}

/** The owners table row of one Stream: who enabled it. */
interface StreamOwner {
  readonly owner: string;
  readonly environment: string;
}

function ownerKey(spec: TableStreamSpec, streamId: string): Array<Record<string, string>> {
  return [{ table_name: spec.tableName }, { stream_id: streamId }];
}

async function readOwner(ctx: OpsContext, client: SdkClient, table: string, spec: TableStreamSpec, streamId: string): Promise<StreamOwner | undefined> {
  try {
    const got = await retrying(ctx, `Tablestore GetRow ${table}`, () => client.getRow({ tableName: table, primaryKey: ownerKey(spec, streamId), maxVersions: 1 }));
    const columns = new Map((got.row?.attributes ?? []).map(a => [a.columnName, String(a.columnValue)]));
    const owner = columns.get('owner');
    return owner === undefined ? undefined : { owner, environment: columns.get('environment') ?? '' };
  } catch (e) {
    const details = sdkErrorDetails(e);
    throw new Error(`Tablestore GetRow on the owners table ${table} failed: ${details.code}: ${details.message}`);
  }
}

async function writeOwner(ctx: OpsContext, client: SdkClient, table: string, spec: TableStreamSpec, streamId: string, owner: StreamOwner): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const TableStore = require('tablestore') as { Condition: new (e: number, c: null) => unknown; RowExistenceExpectation: { IGNORE: number } };
  try {
    await retrying(ctx, `Tablestore PutRow ${table}`, () => client.putRow({
      tableName: table,
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      primaryKey: ownerKey(spec, streamId),
      attributeColumns: [{ owner: owner.owner }, { environment: owner.environment }],
    }));
  } catch (e) {
    const details = sdkErrorDetails(e);
    throw new Error(`Tablestore PutRow on the owners table ${table} failed: ${details.code}: ${details.message}`);
  }
}

async function deleteOwner(ctx: OpsContext, client: SdkClient, table: string, spec: TableStreamSpec, streamId: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const TableStore = require('tablestore') as { Condition: new (e: number, c: null) => unknown; RowExistenceExpectation: { IGNORE: number } };
  try {
    await retrying(ctx, `Tablestore DeleteRow ${table}`, () => client.deleteRow({
      tableName: table,
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      primaryKey: ownerKey(spec, streamId),
    }));
  } catch (e) {
    const details = sdkErrorDetails(e);
    throw new Error(`Tablestore DeleteRow on the owners table ${table} failed: ${details.code}: ${details.message}`);
  }
}

export async function applyTableStream(ctx: OpsContext, spec: TableStreamSpec, settings: OperationSettings, owner: string): Promise<void> {
  const ownersTable = settings.streamOwnersTable;
  if (!ownersTable) throw new Error('OTSBK_OPS_SETTINGS.streamOwnersTable is not set: the TableStream construct names the table that records which Streams the stack enabled');
  const client = await sdkClient(ctx, spec, settings);
  const live = await describe(ctx, client, spec);
  const where = `table ${spec.tableName} of instance ${spec.instanceName}`;
  if (!live) throw new Error(`${where} does not exist; the Stream can only be enabled on an existing table (the stack creates it first, or adopts it)`);
  const me: StreamOwner = { owner, environment: settings.environment };

  if (!live.stream.enabled) {
    // The owners table must be readable before the Stream is enabled: a Stream enabled without its record would
    // never be disabled by destroy.
    await readOwner(ctx, client, ownersTable, spec, '-');
    await updateStream(ctx, client, spec, live.table, where, false);
    const after = await verifyStream(ctx, client, spec, where);
    if (!after.streamId) throw new Error(`${where}: DescribeTable reports no stream id after enabling the Stream`);
    await writeOwner(ctx, client, ownersTable, spec, after.streamId, me);
    ctx.log.info(`Stream of ${where}: enabled with ${spec.retentionHours} h retention by this stack (stream ${after.streamId}, owner ${owner})`);
    return;
  }

  const streamId = live.stream.streamId;
  if (live.stream.retentionHours !== spec.retentionHours) {
    await updateStream(ctx, client, spec, live.table, where, true);
    await verifyStream(ctx, client, spec, where);
    ctx.log.info(`Stream of ${where}: retention ${live.stream.retentionHours} h → ${spec.retentionHours} h in place (stream ${streamId ?? '?'})`);
  } else {
    ctx.log.info(`Stream of ${where} is already enabled with ${spec.retentionHours} h retention (stream ${streamId ?? '?'})`);
  }
  const recorded = streamId ? await readOwner(ctx, client, ownersTable, spec, streamId) : undefined;
  if (!recorded) {
    ctx.log.info(`Stream of ${where} was enabled before this stack: it is kept, and destroy never disables it`);
  } else if (recorded.environment === me.environment && recorded.owner !== me.owner) {
    await writeOwner(ctx, client, ownersTable, spec, streamId!, me);
    ctx.log.info(`Stream of ${where}: owner ${recorded.owner} → ${owner} (this configuration replaces the previous one)`);
  } else if (recorded.environment !== me.environment) {
    ctx.log.info(`Stream of ${where} was enabled by environment "${recorded.environment}": it stays that environment's to disable`);
  }
}

/** UpdateTable with the Stream enabled at the desired retention, keeping the table options as they are. */
async function updateStream(ctx: OpsContext, client: SdkClient, spec: TableStreamSpec, table: SdkDescribeTable, where: string, inPlace: boolean): Promise<void> {
  try {
    await retrying(ctx, `Tablestore UpdateTable ${spec.tableName}`, () => client.updateTable({
      tableName: spec.tableName,
      tableOptions: currentOptions(table),
      streamSpecification: { enableStream: true, expirationTime: spec.retentionHours },
    }));
  } catch (e) {
    const details = sdkErrorDetails(e);
    if (inPlace) {
      throw new Error(`Tablestore refused to change the Stream retention of ${where} in place (${details.code}: ${details.message}). `
        + 'Changing it by disabling and re-enabling the Stream would drop the records not exported yet, so this command does not do that; '
        + 'keep the old retention, or disable the Stream yourself after the last export.');
    }
    throw new Error(`Tablestore UpdateTable ${spec.tableName} failed: ${details.code}: ${details.message}`);
  }
}

async function verifyStream(ctx: OpsContext, client: SdkClient, spec: TableStreamSpec, where: string): Promise<StreamState> {
  const after = await describe(ctx, client, spec);
  if (!after?.stream.enabled || after.stream.retentionHours !== spec.retentionHours) {
    throw new Error(`UpdateTable on ${where} succeeded but DescribeTable reports the Stream ${after?.stream.enabled ? `enabled with ${after.stream.retentionHours} h` : 'disabled'}`);
  }
  return after.stream;
}

export async function destroyTableStream(ctx: OpsContext, spec: TableStreamSpec, settings: OperationSettings, owner: string): Promise<void> {
  const client = await sdkClient(ctx, spec, settings);
  const where = `table ${spec.tableName} of instance ${spec.instanceName}`;
  const live = await describe(ctx, client, spec);
  if (!live) {
    ctx.log.info(`${where} does not exist; no Stream to disable`);
    return;
  }
  if (!live.stream.enabled || !live.stream.streamId) {
    ctx.log.info(`Stream of ${where} is already disabled`);
    return;
  }
  const streamId = live.stream.streamId;
  const recorded = settings.streamOwnersTable ? await readOwner(ctx, client, settings.streamOwnersTable, spec, streamId) : undefined;
  if (!recorded) {
    ctx.log.info(`Stream of ${where} (stream ${streamId}) was not enabled by this stack: leaving it enabled`);
    return;
  }
  if (recorded.environment !== settings.environment || recorded.owner !== owner) {
    ctx.log.info(`Stream of ${where} is owned by ${recorded.owner} of environment "${recorded.environment}", not by this object `
      + '(old half of a replacement, or another environment): leaving it enabled');
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
  await deleteOwner(ctx, client, settings.streamOwnersTable!, spec, streamId);
  ctx.log.info(`disabled the Stream of ${where}`);
}
