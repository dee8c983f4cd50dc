/**
 * Create, update (TTL) and delete the time series table through the Tablestore time series API
 * (CreateTimeseriesTable, DescribeTimeseriesTable, UpdateTimeseriesTable, DeleteTimeseriesTable), using this
 * project's client (lib/tablestore), which retries throttling, 5xx and transport failures itself.
 *
 * apply: missing → create; present with another TTL → update; present with the TTL → nothing. A create whose
 * answer was lost and that was retried finds the table existing, and converges the same way.
 *
 * destroy deletes the table only while it still has the TTL being destroyed: when Terraform replaces the object
 * for a TTL change, the new object's apply has already set the new TTL, so the old object's destroy leaves the
 * table (and its data) alone.
 */
import { TablestoreError } from '../tablestore/errors';
import type { TablestoreStreamClient } from '../tablestore/stream-client';
import { OpsContext } from './context';
import { OperationSettings, TimeseriesTableSpec } from './specs';
import { assertTeardownAllowed } from './teardown';

const NOT_EXIST = /NotExist/;
const ALREADY_EXIST = /AlreadyExist/;

async function client(ctx: OpsContext, spec: TimeseriesTableSpec, settings: OperationSettings): Promise<TablestoreStreamClient> {
  const credentials = await ctx.credentials();
  const p = ctx.environment.retryPolicy;
  // Required here, not imported: the client brings protobufjs and the message schema, which every other verb of
  // the command (one process per provisioner) would load for nothing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TablestoreStreamClient } = require('../tablestore/stream-client') as typeof import('../tablestore/stream-client');
  return new TablestoreStreamClient({
    endpoint: ctx.environment.tablestoreEndpoint(spec.region, spec.instanceName, settings),
    instanceName: spec.instanceName,
    credentials,
    retry: { ...p, throttleBaseDelayMs: p.throttleBaseDelayMs ?? p.baseDelayMs, sleep: ctx.sleep },
  });
}

async function describeTtl(c: TablestoreStreamClient, tableName: string): Promise<number | undefined> {
  try {
    return (await c.describeTimeseriesTable(tableName)).timeToLiveSeconds;
  } catch (e) {
    if (e instanceof TablestoreError && NOT_EXIST.test(e.code)) return undefined;
    throw e;
  }
}

/** Runs `body` with a client of the spec's instance, closed afterwards; `where` names the table in messages. */
async function withTable<T>(ctx: OpsContext, spec: TimeseriesTableSpec, settings: OperationSettings, body: (c: TablestoreStreamClient, where: string) => Promise<T>): Promise<T> {
  const c = await client(ctx, spec, settings);
  try {
    return await body(c, `time series table ${spec.tableName} of instance ${spec.instanceName}`);
  } finally {
    c.close();
  }
}

/** The live TTL in seconds (check); undefined when the table does not exist. */
export function readTimeseriesTtl(ctx: OpsContext, spec: TimeseriesTableSpec, settings: OperationSettings): Promise<number | undefined> {
  return withTable(ctx, spec, settings, c => describeTtl(c, spec.tableName));
}

export function applyTimeseriesTable(ctx: OpsContext, spec: TimeseriesTableSpec, settings: OperationSettings): Promise<void> {
  return withTable(ctx, spec, settings, async (c, where) => {
    let ttl = await describeTtl(c, spec.tableName);
    if (ttl === undefined) {
      try {
        await c.createTimeseriesTable({ tableName: spec.tableName, timeToLiveSeconds: spec.timeToLiveSeconds });
        ctx.log.info(`created ${where} with TTL ${spec.timeToLiveSeconds} s`);
        return;
      } catch (e) {
        // A create retried after a lost answer finds its own table; converge like any existing table.
        if (!(e instanceof TablestoreError && ALREADY_EXIST.test(e.code))) throw e;
        ttl = await describeTtl(c, spec.tableName);
        ctx.log.info(`${where} exists already (TTL ${ttl} s)`);
      }
    }
    if (ttl === spec.timeToLiveSeconds) {
      ctx.log.info(`${where} already has TTL ${ttl} s`);
      return;
    }
    await c.updateTimeseriesTable(spec.tableName, spec.timeToLiveSeconds);
    ctx.log.info(`${where}: TTL ${ttl} s → ${spec.timeToLiveSeconds} s`);
  });
}

export function destroyTimeseriesTable(ctx: OpsContext, spec: TimeseriesTableSpec, settings: OperationSettings): Promise<void> {
  return withTable(ctx, spec, settings, async (c, where) => {
    const ttl = await describeTtl(c, spec.tableName);
    if (ttl === undefined) {
      ctx.log.info(`${where} does not exist; nothing to delete`);
      return;
    }
    if (ttl !== spec.timeToLiveSeconds) {
      ctx.log.info(`${where} now has TTL ${ttl} s, not the ${spec.timeToLiveSeconds} s being destroyed: a newer configuration owns it (old half of a replacement); leaving it`);
      return;
    }
    ctx.log.info(`deleting ${where}: ${assertTeardownAllowed(settings, `${where} and all its data`, ctx.env)}`);
    try {
      await c.deleteTimeseriesTable(spec.tableName);
    } catch (e) {
      // A delete retried after a lost answer finds the table gone: that is the outcome wanted.
      if (!(e instanceof TablestoreError && NOT_EXIST.test(e.code))) throw e;
    }
    ctx.log.info(`deleted ${where}`);
  });
}
